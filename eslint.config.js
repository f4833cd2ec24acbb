// Typed lint, zero warnings, plus the fences between the parts of the house (STYLE.md).
import js from '@eslint/js'
import reactHooks from 'eslint-plugin-react-hooks'
import globals from 'globals'
import tseslint from 'typescript-eslint'

const NODE_BUILTINS = [
  'fs',
  'path',
  'os',
  'child_process',
  'net',
  'http',
  'https',
  'crypto',
  'worker_threads',
]

export default tseslint.config(
  {
    ignores: ['out/**', 'dist/**', 'node_modules/**', '.cache/**', 'test-results/**', 'playwright-report/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      'no-restricted-syntax': [
        'error',
        { selector: 'TSEnumDeclaration', message: 'Use a const array and a union type.' },
      ],
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The core is host-agnostic: no Electron, no DOM, no React, nothing from the shells above it.
    files: ['collector/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            { name: 'electron', message: 'collector/ runs under plain Node too; Electron belongs in main/.' },
          ],
          patterns: [
            {
              group: ['react', 'react-dom', 'zustand', 'recharts'],
              message: 'UI libraries belong in renderer/.',
            },
            {
              group: ['**/main/**', '**/preload/**', '**/renderer/**'],
              message: 'collector/ must not import its hosts.',
            },
          ],
        },
      ],
    },
  },
  {
    // The contract is shared with the renderer and the preload: pure TypeScript and zod only.
    files: ['collector/contract/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', ...NODE_BUILTINS],
              message: 'The contract runs in the renderer too: no Node APIs.',
            },
            {
              group: ['../*', '!../contract'],
              message: 'The contract depends on nothing else in collector/.',
            },
          ],
        },
      ],
    },
  },
  {
    // The renderer talks only through its transport, to the contract; never Node, Electron or the core's internals.
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      // We do not run the React Compiler, so "cannot be memoized by the compiler" is noise.
      'react-hooks/incompatible-library': 'off',
      'no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: 'electron',
              message: 'The renderer reaches Electron only through window.outpost (the transport).',
            },
          ],
          patterns: [
            { group: ['node:*', ...NODE_BUILTINS], message: 'The renderer is a web page: no Node APIs.' },
            {
              // The repo's collector/ (reached with ../), not renderer/src/features/collector/.
              regex: '^(\\.\\./)+collector/(?!contract(/index)?$)',
              message: 'The renderer may import only collector/contract.',
            },
            { group: ['**/main/**', '**/preload/**'], message: 'The renderer cannot import the shell.' },
          ],
        },
      ],
    },
  },
  {
    // The preload is sandboxed: only Electron's renderer APIs and the contract's channel names.
    files: ['preload/**/*.ts'],
    ignores: ['preload/**/*.test.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['node:*', ...NODE_BUILTINS], message: 'Sandboxed preloads cannot load Node modules.' },
            {
              regex: '^zod$|/contract(/index|/schemas)?$',
              message: 'Keep the preload tiny: import contract/channels.ts, not the zod schemas.',
            },
          ],
        },
      ],
    },
  },
  {
    // main/ is a thin shell: no SQL, no parsing, no UI.
    files: ['main/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['better-sqlite3', '@duckdb/*'],
              message: 'Storage lives in the core (utilityProcess), not in main.',
            },
            { group: ['**/renderer/**', 'react', 'react-dom'], message: 'main/ cannot import the renderer.' },
          ],
        },
      ],
    },
  },
)

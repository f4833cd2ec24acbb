import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { defineConfig } from 'electron-vite'

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string
}
const define = { __OUTPOST_VERSION__: JSON.stringify(pkg.version) }
const root = (path: string): string => resolve(import.meta.dirname, path)

export default defineConfig({
  main: {
    define,
    build: {
      outDir: 'out/main',
      rolldownOptions: {
        input: {
          index: root('main/index.ts'), // the Electron shell
          'core-worker': root('main/core-worker.ts'), // the core, in a utilityProcess
          cli: root('collector/host/bin.ts'), // `outpost` under plain Node
          'archive-worker': root('collector/archive/worker-main.ts'), // DuckDB's thread in the core
        },
        output: { entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: 'out/preload',
      // Sandboxed preloads must be one CommonJS file: no chunks, no node_modules at run time.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: root('preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    define,
    publicDir: false,
    build: {
      outDir: root('out/renderer'),
      emptyOutDir: true,
      minify: process.env.OUTPOST_NO_MINIFY ? false : true,
      chunkSizeWarningLimit: 2048,
      rolldownOptions: { input: root('renderer/index.html') },
    },
  },
})

import { defineConfig } from 'vitest/config'

export default defineConfig({
  test: {
    include: ['{collector,main,preload,renderer,scripts}/**/*.test.{ts,tsx}'],
    environment: 'node',
    // The design tokens' test reads tokens.css as text (`?raw`); other CSS stays unprocessed.
    css: { include: [/tokens\.css/] },
    testTimeout: 20_000,
    hookTimeout: 20_000,
    // Integration tests spawn real processes and bind loopback ports: keep it to the 2 cores.
    maxWorkers: 2,
    reporters: ['default', ['json', { outputFile: 'out/test-results/vitest.json' }]],
  },
})

import { defineConfig } from '@playwright/test'
import { chromiumPath } from './e2e/chromium'

export default defineConfig({
  testDir: 'e2e',
  outputDir: 'out/test-results/e2e-artifacts',
  timeout: 30_000,
  expect: { timeout: 5_000 },
  fullyParallel: true,
  workers: 2,
  forbidOnly: !!process.env.CI,
  reporter: [['list'], ['json', { outputFile: 'out/test-results/e2e.json' }]],
  use: {
    // Debian's chromium, never a browser download (see README, "Tests").
    launchOptions: { executablePath: chromiumPath() },
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    { name: 'browser', testIgnore: /electron\.spec\.ts$/ },
    { name: 'electron', testMatch: /electron\.spec\.ts$/ },
  ],
})

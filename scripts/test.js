// npm test: every check CI runs, in order, and one closing line that counts them all.
import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync, rmSync } from 'node:fs'

const RESULTS = 'out/test-results'
/** @type {Array<[string, string[]]>} */
const steps = [
  ['typecheck', ['scripts/typecheck.js']],
  ['lint', ['node_modules/eslint/bin/eslint.js', '.', '--max-warnings', '0']],
  ['format', ['node_modules/prettier/bin/prettier.cjs', '--check', '.', '--log-level', 'warn']],
  ['build', ['node_modules/electron-vite/bin/electron-vite.js', 'build', '--logLevel', 'warn']],
  ['unit', ['node_modules/vitest/vitest.mjs', 'run']],
  ['e2e', ['node_modules/@playwright/test/cli.js', 'test']],
]

rmSync(`${RESULTS}/vitest.json`, { force: true })
rmSync(`${RESULTS}/e2e.json`, { force: true })

/** @type {string[]} */
const failedSteps = []
for (const [name, args] of steps) {
  process.stdout.write(`\n== ${name}\n`)
  const started = Date.now()
  const result = spawnSync(process.execPath, args, { stdio: 'inherit' })
  const seconds = ((Date.now() - started) / 1000).toFixed(1)
  if (result.status !== 0) failedSteps.push(name)
  process.stdout.write(`== ${name}: ${result.status === 0 ? 'ok' : 'FAILED'} (${seconds} s)\n`)
}

const readJson = (/** @type {string} */ file) =>
  existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null
const unit = readJson(`${RESULTS}/vitest.json`)
const e2e = readJson(`${RESULTS}/e2e.json`)
const counts = {
  unit: unit
    ? {
        passed: unit.numPassedTests,
        failed: unit.numFailedTests,
        skipped: unit.numPendingTests + unit.numTodoTests,
      }
    : null,
  e2e: e2e
    ? {
        passed: e2e.stats.expected + e2e.stats.flaky,
        failed: e2e.stats.unexpected,
        skipped: e2e.stats.skipped,
      }
    : null,
}
const total = { passed: 0, failed: failedSteps.length, skipped: 0 }
process.stdout.write('\n')
for (const [name, c] of Object.entries(counts)) {
  if (!c) {
    process.stdout.write(`${name}: no results (the step did not run its tests)\n`)
    continue
  }
  process.stdout.write(`${name}: ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped\n`)
  total.passed += c.passed
  total.failed += c.failed
  total.skipped += c.skipped
}
if (failedSteps.length)
  process.stdout.write(`failed steps (each counted as a failure): ${failedSteps.join(', ')}\n`)
process.stdout.write(`tests: ${total.passed} passed, ${total.failed} failed, ${total.skipped} skipped\n`)
process.exit(failedSteps.length === 0 && total.passed > 0 ? 0 : 1)

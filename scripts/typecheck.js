// Strict TypeScript over every part of the house, each with its own fence (see tsconfig.*.json).
import { spawnSync } from 'node:child_process'

const projects = [
  'tsconfig.collector.json',
  'tsconfig.electron.json',
  'tsconfig.web.json',
  'tsconfig.tools.json',
]
let failed = false
for (const project of projects) {
  const result = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', project, '--noEmit'], {
    stdio: 'inherit',
  })
  if (result.status !== 0) {
    failed = true
    process.stderr.write(`typecheck: ${project} has errors\n`)
  }
}
process.exit(failed ? 1 : 0)

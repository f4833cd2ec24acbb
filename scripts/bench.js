// npm run bench -- <name>: runs bench/<name>.ts, which prints one JSON object with its ratio to a
// physical baseline measured in the same run. Builds first when the CLI is missing.
import { spawnSync } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'

const names = readdirSync('bench')
  .filter((f) => f.endsWith('.ts') && f !== 'workload.ts')
  .map((f) => f.slice(0, -3))
const name = process.argv[2]
if (!name || !names.includes(name)) {
  process.stderr.write(`usage: npm run bench -- <name>   (one of: ${names.join(', ')})\n`)
  process.exit(2)
}
if (!existsSync('out/main/cli.js'))
  spawnSync(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'build'], {
    stdio: 'inherit',
  })
const result = spawnSync(process.execPath, ['node_modules/tsx/dist/cli.mjs', `bench/${name}.ts`], {
  stdio: 'inherit',
})
process.exit(result.status ?? 1)

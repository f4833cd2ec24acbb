#!/usr/bin/env node
// The `outpost` command: runs the built CLI (npm install builds it; so does npm run build).
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const cli = new URL('../out/main/cli.js', import.meta.url)
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('outpost: error: Outpost is not built yet; run `npm run build` in the checkout\n')
  process.exit(1)
}
await import(cli.href)

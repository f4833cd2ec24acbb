import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import { OUTPOST_BIN } from '../serve-process'

// The built CLI (`npm run build`) as a real process, on OTRF's recordings read in place.
const OTRF = fileURLToPath(new URL('../../../../shared/datasets/otrf/', import.meta.url))
const dirs: string[] = []
afterAll(() => dirs.forEach((dir) => rmSync(dir, { recursive: true, force: true })))
const freshDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-import-cli-'))
  dirs.push(dir)
  return dir
}
const outpost = (args: string[]) => spawnSync(process.execPath, [OUTPOST_BIN, ...args], { encoding: 'utf8' })

type Summary = {
  file: string
  format: string
  records: number
  imported: number
  rejected: number
  seconds: number
}

describe.skipIf(!existsSync(OTRF))('outpost import', () => {
  it('imports an OTRF NDJSON recording: one event per line', () => {
    const file = join(OTRF, 'cmd_netsh_fw_mod_open_ports.ndjson')
    const lines = readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => l.trim()).length
    const dataDir = freshDir()
    const result = outpost(['import', '--data-dir', dataDir, '--json', file])
    expect(result.stderr).toBe('')
    expect(result.status).toBe(0)
    const { files } = JSON.parse(result.stdout) as { files: Summary[] }
    expect(files[0]).toMatchObject({ file, format: 'ndjson', records: lines, imported: lines, rejected: 0 })
    const db = new Database(join(dataDir, 'outpost.sqlite'), { readonly: true })
    try {
      const row = db
        .prepare(
          "SELECT count(*) AS n, count(DISTINCT source) AS sources FROM events WHERE listener = 'import'",
        )
        .get() as { n: number; sources: number }
      expect(row).toEqual({ n: lines, sources: 1 })
    } finally {
      db.close()
    }
    // Speed, for the record (2,366 events, 3 MB): printed, not asserted.
    process.stderr.write(
      `import speed: ${Math.round(lines / files[0]!.seconds)} events/s (${(statSync(file).size / 1e6 / files[0]!.seconds).toFixed(1)} MB/s)\n`,
    )
  })

  it('summarizes on stderr; a missing file fails alone with exit 1', () => {
    const result = outpost([
      'import',
      '--data-dir',
      freshDir(),
      join(OTRF, 'sh_arp_cache.log'),
      '/nonexistent.ndjson',
    ])
    expect(result.status).toBe(1)
    expect(result.stdout).toBe('')
    expect(result.stderr).toMatch(/sh_arp_cache\.log\s+syslog\s+\d+\s+\d+\s+0/)
    expect(result.stderr).toMatch(/error: \/nonexistent\.ndjson: ENOENT/)
  })

  it('usage errors exit 2; --help exits 0', () => {
    expect(outpost(['import']).status).toBe(2)
    expect(outpost(['import', '--format', 'xml', 'x']).status).toBe(2)
    const help = outpost(['import', '--help'])
    expect(help.status).toBe(0)
    expect(help.stdout).toMatch(/^Usage: outpost import FILE/)
  })
})

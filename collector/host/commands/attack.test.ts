import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { OUTPOST_BIN } from '../serve-process'

// The built CLI (`npx electron-vite build`) as a real process.
const outpost = (args: string[]) => spawnSync(process.execPath, [OUTPOST_BIN, ...args], { encoding: 'utf8' })
const BUNDLE_FILE = '/work/shared/attack/enterprise-attack-min.json'

const dir = mkdtempSync(join(tmpdir(), 'outpost-attack-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe('outpost attack import', () => {
  it('imports a bundle into the data dir and prints the counts', () => {
    const dataDir = join(dir, 'data')
    const text = outpost(['attack', 'import', BUNDLE_FILE, '--data-dir', dataDir])
    expect(text.stderr).toBe('')
    expect(text.status).toBe(0)
    expect(text.stdout).toMatch(/^imported ATT&CK .+: 14 tactics, 216 techniques, 475 subtechniques\n$/)
    const json = outpost(['attack', 'import', BUNDLE_FILE, '--data-dir', dataDir, '--json'])
    expect(JSON.parse(json.stdout)).toMatchObject({ tactics: 14, techniques: 691, subtechniques: 475 })
  })

  it('refuses a file that is not a bundle (exit 1) and bad usage (exit 2)', () => {
    const bad = join(dir, 'bad.json')
    writeFileSync(bad, '{"type": "bundle", "objects": []}')
    const refused = outpost(['attack', 'import', bad, '--data-dir', join(dir, 'data2')])
    expect(refused.status).toBe(1)
    expect(refused.stderr).toMatch(/no ATT&CK matrix/)
    expect(outpost(['attack', 'import']).status).toBe(2)
    expect(outpost(['attack', 'frobnicate']).status).toBe(2)
  })
})

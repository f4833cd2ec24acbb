import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, describe, expect, it } from 'vitest'
import type { CallRes } from '../../contract'
import { createCore } from '../create-core'
import { OUTPOST_BIN } from '../serve-process'
import { callOk } from '../test-core'

// The built CLI (`npx electron-vite build`) as a real process, beside a core in this process.
const outpost = (args: string[]) => spawnSync(process.execPath, [OUTPOST_BIN, ...args], { encoding: 'utf8' })

const RULE = `title: Audit Test Rule
id: 6a0c4a59-2b4b-4f43-9d56-9b1c1f1a0a01
author: Outpost tests
logsource: {product: windows, category: process_creation}
detection:
  selection: {Image|endswith: '\\\\whoami.exe'}
  condition: selection
level: low
`

describe('the audit log through the core and outpost audit', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-audit-'))
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

  it('records rule, token and alert changes in order, and the CLI finds the chain intact', async () => {
    const core = await createCore({ dataDir, ephemeralPorts: true })
    try {
      const { file } = await callOk<CallRes<'rules:save'>>(core, 'rules:save', { text: RULE })
      await callOk(core, 'rules:set-enabled', { folder: 'user', enabled: false })
      await callOk(core, 'tokens:create', { name: 'fw-1' })
      const refused = await core.call('alerts:update', { ids: ['nope'], action: 'close' })
      expect(refused.ok).toBe(false)
      const { entries } = await callOk<CallRes<'audit:list'>>(core, 'audit:list', {})
      expect(entries.map((e) => [e.action, e.object_type, e.object_id])).toEqual([
        ['create', 'token', 'fw-1'],
        ['disable', 'rule', null],
        ['create', 'rule_file', file],
      ])
      expect(entries[1]!.details).toMatchObject({ count: 1, folder: 'user' })
      expect(await callOk<CallRes<'audit:verify'>>(core, 'audit:verify', {})).toEqual({
        intact: true,
        entries: 3,
        broken: null,
      })
    } finally {
      await core.stop()
    }
    const verify = outpost(['audit', 'verify', '--data-dir', dataDir])
    expect(verify.stdout).toBe('intact (3 entries)\n')
    expect(verify.status).toBe(0)
    const revoke = outpost(['tokens', 'revoke', 'fw-1', '--data-dir', dataDir])
    expect(revoke.status).toBe(0)
    const list = outpost(['audit', 'list', '--json', '--data-dir', dataDir])
    const { entries } = JSON.parse(list.stdout) as { entries: Array<{ actor: string; action: string }> }
    expect(entries[0]).toMatchObject({ action: 'revoke', actor: expect.stringMatching(/^cli:/) as unknown })
  })

  it('reports the first broken entry and exits 1 once a row is changed', () => {
    const db = new Database(join(dataDir, 'outpost.sqlite'))
    db.exec('DROP TRIGGER audit_log_no_update')
    db.prepare("UPDATE audit_log SET object_id = 'fw-2' WHERE seq = 3").run()
    db.close()
    const verify = outpost(['audit', 'verify', '--data-dir', dataDir])
    expect(verify.stdout).toBe(
      'broken at entry 3: entry 3 was changed after it was written: its hash differs\n',
    )
    expect(verify.status).toBe(1)
    const json = outpost(['audit', 'verify', '--json', '--data-dir', dataDir])
    expect(JSON.parse(json.stdout)).toMatchObject({ intact: false, seq: 3 })
    expect(outpost(['audit', 'frobnicate', '--data-dir', dataDir]).status).toBe(2)
  })
})

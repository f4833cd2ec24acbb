import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { callOk } from '../host/test-core'
import { newUpload } from '../host/uploads'

// A reduced copy of MITRE's enterprise bundle (see its SOURCE.md).
const BUNDLE_FILE = '/work/shared/attack/enterprise-attack-min.json'

const POWERSHELL_RULE = `title: Encoded PowerShell
id: 6b0a2c1e-9d44-4c39-8f5e-0e2a1a7d3b11
tags:
  - attack.execution
  - attack.t1059.001
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    Image|endswith: '\\attack-ps.exe'
  condition: selection
level: high
`

type Matrix = CallRes<'attack:matrix'>
const technique = (matrix: Matrix, tactic: string, id: string) =>
  matrix.tactics.find((t) => t.shortname === tactic)?.techniques.find((t) => t.id === id)

describe('attack:* calls in the core', () => {
  let core: Core
  let dataDir: string
  const matrix = () => callOk<Matrix>(core, 'attack:matrix', {})

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'outpost-attack-'))
    core = await createCore({ dataDir, ephemeralPorts: true })
  })
  afterAll(async () => {
    await core.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('without a bundle: technique ids from rules and alerts, no names', async () => {
    await callOk(core, 'rules:save', { text: POWERSHELL_RULE })
    const response = await fetch(`http://127.0.0.1:${core.listeners.http!.port}/v1/events`, {
      method: 'POST',
      body: JSON.stringify({
        Channel: 'Microsoft-Windows-Sysmon/Operational',
        EventID: 1,
        Image: 'C:\\Temp\\attack-ps.exe',
        host: 'ws-1',
      }),
    })
    expect(response.status).toBe(200)
    for (let i = 0; i < 200; i++) {
      if ((technique(await matrix(), 'execution', 'T1059')?.alerts ?? 0) > 0) break
      await new Promise((r) => setTimeout(r, 25))
    }
    const before = await matrix()
    expect(before.imported).toBeNull()
    expect(technique(before, 'execution', 'T1059')).toMatchObject({
      name: null,
      rules: 1,
      alerts: 1,
      subtechniques: [{ id: 'T1059.001', name: null, rules: 1, rules_total: 1, alerts: 1 }],
    })
    expect(await callOk(core, 'attack:techniques', { ids: ['T1059'] })).toEqual({ names: {} })
  })

  it('imports a bundle by path: names, every technique, coverage and hits kept', async () => {
    const result = await callOk<CallRes<'attack:import'>>(core, 'attack:import', { path: BUNDLE_FILE })
    expect(result).toMatchObject({ tactics: 14, techniques: 691, problems: [] })
    const after = await matrix()
    expect(after.imported?.version).toBe(result.version)
    expect(after.tactics).toHaveLength(14)
    expect(after.tactics.reduce((n, t) => n + t.techniques.length, 0)).toBe(250)
    const t1059 = technique(after, 'execution', 'T1059')!
    expect(t1059).toMatchObject({ name: 'Command and Scripting Interpreter', rules: 1, alerts: 1 })
    expect(t1059.subtechniques).toHaveLength(13)
    expect(t1059.subtechniques[0]).toEqual({
      id: 'T1059.001',
      name: 'PowerShell',
      rules: 1,
      rules_total: 1,
      alerts: 1,
    })
    expect(await callOk(core, 'attack:techniques', { ids: ['T1059.001', 'T0000'] })).toEqual({
      names: { 'T1059.001': 'PowerShell' },
    })
  })

  it('imports an upload and deletes it; refuses what is not a bundle, keeping the previous set', async () => {
    const uploads = join(dataDir, 'uploads')
    mkdirSync(uploads, { recursive: true })
    const good = newUpload(uploads, 'enterprise-attack.json')
    copyFileSync(BUNDLE_FILE, good.path)
    expect(await callOk(core, 'attack:import', { upload_id: good.id })).toMatchObject({ techniques: 691 })
    expect((await core.call('attack:import', { upload_id: good.id })).ok).toBe(false)

    const bad = join(dataDir, 'not-a-bundle.json')
    writeFileSync(bad, '{"type": "indicator"}')
    const refused = await core.call('attack:import', { path: bad })
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    expect(!refused.ok && refused.error.message).toMatch(/not a STIX bundle/)
    writeFileSync(bad, 'nope')
    expect(await core.call('attack:import', { path: bad })).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    })
    expect((await matrix()).tactics).toHaveLength(14)
  })
})

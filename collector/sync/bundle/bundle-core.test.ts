import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes } from '../../contract'
import { createCore, type Core } from '../../host/create-core'
import { callOk, raiseAlert } from '../../host/test-core'

// Two whole cores: a console with an incident (comment, evidence) and a core across a data diode.
describe('bundles over the contract', () => {
  const root = mkdtempSync(join(tmpdir(), 'outpost-bundle-core-'))
  let consoleCore: Core
  let farCore: Core
  const farDir = join(root, 'far')
  beforeAll(async () => {
    mkdirSync(farDir)
    writeFileSync(join(farDir, 'config.yaml'), 'bundles:\n  mode: import-only\n')
    ;[consoleCore, farCore] = await Promise.all([
      createCore({ dataDir: join(root, 'console'), ephemeralPorts: true }),
      createCore({ dataDir: farDir, ephemeralPorts: true }),
    ])
  }, 60_000)
  afterAll(async () => {
    await Promise.all([consoleCore.stop(), farCore.stop()])
    rmSync(root, { recursive: true, force: true })
  })

  it('carries an incident with its comment and evidence file; a second import adds nothing', async () => {
    const alert = await raiseAlert(consoleCore, 'ws-7')
    const { incident } = await callOk<CallRes<'alerts:escalate'>>(consoleCore, 'alerts:escalate', {
      ids: [alert.id],
      title: 'whoami on ws-7',
    })
    await callOk(consoleCore, 'incidents:comment', { id: incident.id, body: 'Seen from the jump host.' })
    const capture = join(root, 'capture.txt')
    writeFileSync(capture, 'netstat output\n')
    const { evidence } = await callOk<CallRes<'incidents:attach'>>(consoleCore, 'incidents:attach', {
      id: incident.id,
      path: capture,
    })

    const own = await callOk<CallRes<'keys:show'>>(consoleCore, 'keys:show', {})
    await callOk(farCore, 'keys:trust', { name: 'console', public_key: own.public_key, scope: 'records' })
    const out = join(root, 'console.bundle')
    const exported = await callOk<CallRes<'bundles:export'>>(consoleCore, 'bundles:export', { out })
    expect(exported.counts).toMatchObject({ incident: 1, alert: 1, evidence: 1, evidence_files: 1 })
    expect(exported.counts.audit).toBeGreaterThan(0)

    const preview = await callOk<CallRes<'bundles:preview'>>(farCore, 'bundles:preview', { path: out })
    expect(preview.counts.new).toBe(exported.counts.records)
    expect(preview.items.map((i) => i.kind)).toEqual(
      expect.arrayContaining(['incident', 'alert', 'evidence', 'audit']),
    )

    const pushed: string[] = []
    const unsubscribe = farCore.subscribe((name) => pushed.push(name))
    const imported = await callOk<CallRes<'bundles:import'>>(farCore, 'bundles:import', { path: out })
    unsubscribe()
    expect(pushed).toEqual(expect.arrayContaining(['incidents:changed', 'alerts:updated']))
    expect(imported.applied).toBe(exported.counts.records)
    expect(readFileSync(join(farDir, 'evidence', evidence.sha256), 'utf8')).toBe('netstat output\n')
    const again = await callOk<CallRes<'bundles:import'>>(farCore, 'bundles:import', { path: out })
    expect(again).toMatchObject({
      applied: 0,
      counts: { new: 0, changed: 0, unchanged: exported.counts.records },
    })

    // The far side's own views show the incident, its comment and evidence, once.
    const seen = async () => {
      const list = await callOk<CallRes<'incidents:list'>>(farCore, 'incidents:list', {})
      const got = await callOk<CallRes<'incidents:get'>>(farCore, 'incidents:get', { id: incident.id })
      return { list, got }
    }
    const { list, got } = await seen()
    expect(list.incidents.map((i) => i.id)).toEqual([incident.id])
    expect(got.incident.title).toBe('whoami on ws-7')
    expect(got.comments.map((c) => c.body)).toEqual(['Seen from the jump host.'])
    expect(got.evidence.map((e) => e.sha256)).toEqual([evidence.sha256])
    expect(got.alerts.map((a) => a.id)).toEqual([alert.id])

    // The import itself is in the far side's audit log.
    const { entries } = await callOk<CallRes<'audit:list'>>(farCore, 'audit:list', { limit: 10 })
    expect(entries.filter((e) => e.object_type === 'bundle').map((e) => e.action)).toEqual([
      'import',
      'import',
    ])
  }, 60_000)

  it('the import-only side refuses to export, as an unsupported call', async () => {
    const result = await farCore.call('bundles:export', { out: join(root, 'back.bundle') })
    expect(result).toMatchObject({ ok: false, error: { code: 'unsupported' } })
    expect(existsSync(join(root, 'back.bundle'))).toBe(false)
  })

  it('an unknown path is not_found, a bad since is invalid_request', async () => {
    expect(await farCore.call('bundles:preview', { path: join(root, 'nope.bundle') })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    })
    expect(await consoleCore.call('bundles:export', { out: join(root, 'x'), since: 'soon' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    })
  })
})

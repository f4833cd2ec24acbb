import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { callOk, raiseAlert } from '../host/test-core'

describe('reports tied to an operation, incidents and assets', () => {
  let core: Core
  let dataDir: string
  let incidentId: string
  let operationId: string
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'outpost-report-links-'))
    core = await createCore({ dataDir, ephemeralPorts: true })
    const alert = await raiseAlert(core, 'ws-7')
    const escalated = await callOk<CallRes<'alerts:escalate'>>(core, 'alerts:escalate', {
      ids: [alert.id],
      title: 'whoami on ws-7',
    })
    incidentId = escalated.incident.id
    operationId = (await callOk<CallRes<'operations:create'>>(core, 'operations:create', { name: 'Harbor' }))
      .operation.id
  })
  afterAll(async () => {
    await core.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('stores the links, lists by operation, replaces lists on update and unlinks with null', async () => {
    const { report } = await callOk<CallRes<'reports:create'>>(core, 'reports:create', {
      title: 'Harbor sitrep',
      operation_id: operationId,
      incidents: [incidentId, incidentId],
      assets: ['host:ws-7', 'user:alice'],
    })
    expect(report).toMatchObject({
      operation_id: operationId,
      incidents: [incidentId],
      assets: ['host:ws-7', 'user:alice'],
    })
    await callOk(core, 'reports:create', { title: 'Unrelated' })
    const listed = await callOk<CallRes<'reports:list'>>(core, 'reports:list', { operation_id: operationId })
    expect(listed.reports.map((r) => r.title)).toEqual(['Harbor sitrep'])

    const updated = await callOk<CallRes<'reports:update'>>(core, 'reports:update', {
      id: report.id,
      version: 1,
      assets: ['ip:10.0.0.5'],
    })
    expect(updated.report).toMatchObject({ incidents: [incidentId], assets: ['ip:10.0.0.5'], version: 2 })
    const unlinked = await callOk<CallRes<'reports:update'>>(core, 'reports:update', {
      id: report.id,
      version: 2,
      operation_id: null,
    })
    expect(unlinked.report.operation_id).toBeNull()
    expect(unlinked.report.incidents).toEqual([incidentId])
  })

  it('refuses an unknown operation or incident by name, and writes nothing', async () => {
    const before = (await callOk<CallRes<'reports:list'>>(core, 'reports:list', {})).total
    const audit = (await callOk<CallRes<'audit:verify'>>(core, 'audit:verify', {})).entries
    const noOperation = await core.call('reports:create', { title: 'x', operation_id: 'op-nope' })
    expect(noOperation.ok || noOperation.error).toMatchObject({ code: 'not_found' })
    if (!noOperation.ok)
      expect(noOperation.error.message).toContain('operation_id: no operation with id op-nope')
    const noIncident = await core.call('reports:create', { title: 'x', incidents: [incidentId, 'inc-nope'] })
    expect(noIncident.ok || noIncident.error).toMatchObject({ code: 'not_found' })
    if (!noIncident.ok)
      expect(noIncident.error.message).toContain('incidents.1: no incident with id inc-nope')
    const badAsset = await core.call('reports:create', { title: 'x', assets: ['laptop ws-7'] })
    expect(badAsset).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    if (!badAsset.ok) expect(badAsset.error.message).toContain('assets.0')
    expect((await callOk<CallRes<'reports:list'>>(core, 'reports:list', {})).total).toBe(before)
    expect((await callOk<CallRes<'audit:verify'>>(core, 'audit:verify', {})).entries).toBe(audit)
  })

  it('names what a report is tied to in its Markdown and HTML exports', async () => {
    const { report } = await callOk<CallRes<'reports:create'>>(core, 'reports:create', {
      title: 'Tied',
      operation_id: operationId,
      incidents: [incidentId],
      assets: ['host:ws-7'],
    })
    for (const format of ['md', 'html'] as const) {
      const out = await callOk<CallRes<'reports:export'>>(core, 'reports:export', { id: report.id, format })
      const text = Buffer.from(out.content_base64!, 'base64').toString('utf8')
      expect(text).toContain('Related')
      expect(text).toContain('Harbor')
      expect(text).toContain('whoami on ws-7')
      expect(text).toContain('host:ws-7')
    }
  })

  it('pushes each committed change with its audit entry, so other windows reload', async () => {
    const seen: object[] = []
    const off = core.subscribe((name, payload) => {
      if (name === 'audit:appended') seen.push(payload)
    })
    const { report } = await callOk<CallRes<'reports:create'>>(core, 'reports:create', { title: 'Pushed' })
    await core.call('reports:create', { title: 'x', operation_id: 'op-nope' })
    off()
    expect(seen).toHaveLength(1)
    expect(seen[0]).toMatchObject({
      entry: { action: 'create', object_type: 'report', object_id: report.id },
    })
  })

  it('keeps every saved version: listed newest first, each readable whole', async () => {
    const { report } = await callOk<CallRes<'reports:create'>>(core, 'reports:create', {
      title: 'Versioned',
      body: 'one',
    })
    await callOk(core, 'reports:update', { id: report.id, version: 1, body: 'two' })
    await callOk(core, 'reports:update', { id: report.id, version: 2, status: 'review' })
    const { versions } = await callOk<CallRes<'reports:versions'>>(core, 'reports:versions', {
      id: report.id,
    })
    expect(versions.map((v) => [v.version, v.status, v.body])).toEqual([
      [3, 'review', null],
      [2, 'draft', null],
      [1, 'draft', null],
    ])
    const first = await callOk<CallRes<'reports:versions'>>(core, 'reports:versions', {
      id: report.id,
      version: 1,
    })
    expect(first.versions).toEqual([expect.objectContaining({ version: 1, body: 'one', title: 'Versioned' })])
    expect(await core.call('reports:versions', { id: report.id, version: 9 })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    })
    expect(await core.call('reports:versions', { id: 'report--nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    })
  })
})

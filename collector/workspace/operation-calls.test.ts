import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { callOk } from '../host/test-core'

describe('operations and missions', () => {
  let core: Core
  let dataDir: string
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'outpost-ops-'))
    core = await createCore({ dataDir, ephemeralPorts: true })
  })
  afterAll(async () => {
    await core.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('creates an operation with missions, flags the overdue ones and counts them', async () => {
    const { operation } = await callOk<CallRes<'operations:create'>>(core, 'operations:create', {
      name: 'Op NIGHTJAR',
      objective: 'Contain the intrusion on the DMZ',
      lead: 'alice',
      tlp: 'amber+strict',
      starts_at: '2026-11-20T00:00:00Z',
    })
    expect(operation).toMatchObject({ status: 'planned', missions: 0, tlp: 'amber+strict' })
    const late = await callOk<CallRes<'missions:create'>>(core, 'missions:create', {
      operation_id: operation.id,
      title: 'Image web-1',
      priority: 'high',
      due_at: '2026-01-01T00:00:00Z',
      checklist: [{ text: 'memory', done: false }],
    })
    expect(late.mission).toMatchObject({
      overdue: true,
      status: 'todo',
      checklist: [{ text: 'memory', done: false }],
    })
    await callOk(core, 'missions:create', {
      operation_id: operation.id,
      title: 'Reset credentials',
      due_at: '2999-01-01T00:00:00Z',
    })
    const listed = await callOk<CallRes<'operations:list'>>(core, 'operations:list', {})
    expect(listed.operations[0]).toMatchObject({ missions: 2, open_missions: 2, overdue_missions: 1 })
    const done = await callOk<CallRes<'missions:update'>>(core, 'missions:update', {
      id: late.mission.id,
      status: 'done',
      checklist: [{ text: 'memory', done: true }],
    })
    expect(done.mission).toMatchObject({ overdue: false, status: 'done' })
    const overdue = await callOk<CallRes<'missions:list'>>(core, 'missions:list', { overdue: true })
    expect(overdue.missions).toEqual([])
    await callOk(core, 'operations:update', { id: operation.id, status: 'active' })
    const { entries } = await callOk<CallRes<'audit:list'>>(core, 'audit:list', {})
    expect(entries.slice(0, 5).map((e) => [e.action, e.object_type])).toEqual([
      ['status', 'operation'],
      ['status', 'mission'],
      ['create', 'mission'],
      ['create', 'mission'],
      ['create', 'operation'],
    ])
  })

  it('refuses bad input with the field and the fix, writing nothing', async () => {
    const bad = await core.call('operations:create', {
      name: 'x',
      starts_at: '2026-11-20T00:00:00Z',
      ends_at: '2026-11-01T00:00:00Z',
    })
    expect(bad).toMatchObject({
      ok: false,
      error: { code: 'invalid_request', message: expect.stringMatching(/ends_at/) as unknown },
    })
    expect(await core.call('operations:create', { name: '' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    })
    expect(await core.call('missions:create', { operation_id: 'operation--nope', title: 'x' })).toMatchObject(
      {
        ok: false,
        error: { code: 'not_found' },
      },
    )
    const { operations } = await callOk<CallRes<'operations:list'>>(core, 'operations:list', {})
    expect(operations).toHaveLength(1)
    const id = operations[0]!.id
    expect(
      await core.call('missions:create', { operation_id: id, title: 'x', incidents: ['incident-nope'] }),
    ).toMatchObject({
      ok: false,
      error: { code: 'invalid_request', message: expect.stringMatching(/incidents: no incident/) as unknown },
    })
    await callOk(core, 'operations:update', { id, status: 'closed' })
    expect(await core.call('missions:create', { operation_id: id, title: 'late' })).toMatchObject({
      ok: false,
      error: { message: expect.stringMatching(/closed/) as unknown },
    })
    expect(
      (await callOk<CallRes<'missions:list'>>(core, 'missions:list', { operation_id: id })).missions,
    ).toHaveLength(2)
  })

  it('finds missions across operations by status, assignee, text and overdue, the overdue ones before the limit', async () => {
    const { operation } = await callOk<CallRes<'operations:create'>>(core, 'operations:create', {
      name: 'Op FILTERS',
    })
    const make = (title: string, patch: object) =>
      callOk(core, 'missions:create', { operation_id: operation.id, title, ...patch })
    // Due soonest first: the undated ones sort last, so a limit of 1 sees only the earliest.
    await make('Early but done', { due_at: '2020-01-01T00:00:00Z', status: 'done', assignee: 'Carol' })
    await make('Late sweep 50%_x', { due_at: '2021-01-01T00:00:00Z', assignee: 'carol' })
    await make('Future patching', { due_at: '2999-01-01T00:00:00Z', status: 'blocked' })
    const list = async (req: object) =>
      (
        await callOk<CallRes<'missions:list'>>(core, 'missions:list', { operation_id: operation.id, ...req })
      ).missions.map((m) => m.title)
    expect(await list({ overdue: true, limit: 1 })).toEqual(['Late sweep 50%_x'])
    expect(await list({ overdue: false })).toEqual(['Early but done', 'Future patching'])
    expect(await list({ assignee: 'CAROL' })).toEqual(['Early but done', 'Late sweep 50%_x'])
    expect(await list({ status: 'blocked' })).toEqual(['Future patching'])
    expect(await list({ query: '50%_' })).toEqual(['Late sweep 50%_x'])
    expect(await list({ query: '%' })).toEqual(['Late sweep 50%_x'])
  })
})

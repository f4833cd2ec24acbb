import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { CallRes, EventName } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { callOk, raiseAlert } from '../host/test-core'

const dirs: string[] = []
const cores: Core[] = []
afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.stop()))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})
const start = async (dataDir: string): Promise<Core> => {
  const core = await createCore({ dataDir, ephemeralPorts: true })
  cores.push(core)
  return core
}

describe('the agents through the core', () => {
  it('lists the three agents, runs them now, keeps their history, and validates updates', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outpost-agents-core-'))
    dirs.push(dataDir)
    const core = await start(dataDir)
    const pushed: EventName[] = []
    core.subscribe((name) => pushed.push(name))

    const { agents } = await callOk<CallRes<'agents:list'>>(core, 'agents:list', {})
    expect(agents.map((a) => [a.name, a.enabled, a.interval_s, a.running, a.last_run])).toEqual([
      ['monitor', true, 300, false, null],
      ['analyzer', true, 600, false, null],
      ['executor', true, 900, false, null],
    ])
    const due = Date.parse(agents[0]!.next_run_at!) - Date.now()
    expect(due).toBeGreaterThan(290_000)
    expect(due).toBeLessThanOrEqual(300_000)

    // The monitor sees the live collector: its listeners are up, the data dir has space.
    const { run } = await callOk<CallRes<'agents:run'>>(core, 'agents:run', { name: 'monitor' })
    expect(run).toMatchObject({ agent: 'monitor', trigger: 'manual', outcome: 'ok', alerts: 0 })
    expect(run.output.listeners).toEqual(
      expect.arrayContaining([expect.objectContaining({ name: 'http', up: true })]),
    )
    // Every enabled listener, TCP and UDP, is seen listening (by this process, from /proc on Linux).
    const seen = run.output.listeners as Array<{ name: string; up: boolean; port: number }>
    expect(seen.map((l) => [l.name, l.up, l.port]).sort()).toEqual(
      Object.entries(core.listeners)
        .map(([name, ep]) => [name, true, ep.port])
        .sort(),
    )
    expect(seen.some((l) => l.name.endsWith('_udp'))).toBe(true)
    expect((run.output.disk as { free_bytes: number }).free_bytes).toBeGreaterThan(0)
    // The analyzer over an empty archive finds nothing; the executor has nothing approved yet.
    const analyzed = await callOk<CallRes<'agents:run'>>(core, 'agents:run', { name: 'analyzer' })
    expect(analyzed.run).toMatchObject({ outcome: 'ok', summary: 'nothing unusual in the last 10 min' })
    expect((await callOk<CallRes<'agents:run'>>(core, 'agents:run', { name: 'executor' })).run).toMatchObject(
      {
        outcome: 'ok',
        summary: 'no approved actions waiting',
      },
    )
    const history = await callOk<CallRes<'agents:runs'>>(core, 'agents:runs', { name: 'monitor' })
    expect(history).toMatchObject({ total: 1, runs: [{ id: run.id, outcome: 'ok' }] })
    expect(pushed.filter((n) => n === 'agents:changed').length).toBeGreaterThanOrEqual(6)

    const updated = await callOk<CallRes<'agents:update'>>(core, 'agents:update', {
      name: 'analyzer',
      interval_s: 1800,
      options: { brute_force_threshold: 25 },
    })
    expect(updated.agent).toMatchObject({
      interval_s: 1800,
      options: { brute_force_threshold: 25, window_s: 600 },
    })
    expect(await core.call('agents:update', { name: 'monitor', interval_s: 10 })).toEqual({
      ok: false,
      error: {
        code: 'invalid_request',
        message: 'agents:update: interval_s: interval_s must be at least 60 s (1 minute)',
      },
    })
    expect(await core.call('agents:update', { name: 'monitor', options: { window_s: 600 } })).toMatchObject({
      ok: false,
      error: { code: 'invalid_request', message: expect.stringContaining('window_s') as unknown },
    })
    expect(await core.call('agents:update', { name: 'monitor' })).toMatchObject({
      ok: false,
      error: { message: 'agents:update: nothing to change: give enabled, interval_s or options' },
    })
    const { entries } = await callOk<CallRes<'audit:list'>>(core, 'audit:list', {})
    expect(entries.map((e) => [e.action, e.object_type, e.object_id])).toEqual([
      ['update', 'agent', 'analyzer'],
      ['run', 'agent', 'executor'],
      ['run', 'agent', 'analyzer'],
      ['run', 'agent', 'monitor'],
    ])

    // Settings and history survive a restart; the next run counts from the last one.
    await core.stop()
    const again = await start(dataDir)
    const after = await callOk<CallRes<'agents:list'>>(again, 'agents:list', {})
    const analyzer = after.agents.find((a) => a.name === 'analyzer')!
    expect(analyzer).toMatchObject({ interval_s: 1800, last_run: { id: analyzed.run.id } })
    expect(Date.parse(analyzer.next_run_at!)).toBe(Date.parse(analyzed.run.started_at) + 1_800_000)
  })

  it('runs the executor agent over the action service: an approved action is carried out', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outpost-agents-exec-'))
    dirs.push(dataDir)
    const core = await start(dataDir)
    // The executor agent carries out an approved response action (the action service's own runner).
    const alert = await raiseAlert(core, 'ws-exec')
    const incident = (await callOk<CallRes<'alerts:escalate'>>(core, 'alerts:escalate', { ids: [alert.id] }))
      .incident
    const { action } = await callOk<CallRes<'actions:propose'>>(core, 'actions:propose', {
      type: 'block_ip',
      params: { ip: '203.0.113.9' },
      incident_id: incident.id,
    })
    await callOk(core, 'actions:dry-run', { id: action.id })
    await callOk(core, 'actions:approve', { id: action.id })
    const executed = await callOk<CallRes<'agents:run'>>(core, 'agents:run', { name: 'executor' })
    expect(executed.run).toMatchObject({ outcome: 'ok', summary: '1 completed of 1 action', actions: 1 })
    expect((await callOk<CallRes<'actions:get'>>(core, 'actions:get', { id: action.id })).action.status).toBe(
      'completed',
    )
  })
})

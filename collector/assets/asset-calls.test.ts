import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterEach, describe, expect, it } from 'vitest'
import type { CallRes, EventPayload } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { callOk } from '../host/test-core'

const OTRF = fileURLToPath(new URL('../../../shared/datasets/otrf/', import.meta.url))

const WHOAMI_RULE = `title: Whoami Run
id: 5b0e2c1a-9f1e-4c36-8a57-1f7e8d0c3b11
status: test
author: Outpost tests
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    Image|endswith: '\\whoami.exe'
  condition: selection
level: high
`

const dirs: string[] = []
const cores: Core[] = []
afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.stop()))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const start = async (
  dataDir: string,
): Promise<{ core: Core; changed: Array<EventPayload<'assets:changed'>> }> => {
  const core = await createCore({ dataDir, ephemeralPorts: true })
  cores.push(core)
  const changed: Array<EventPayload<'assets:changed'>> = []
  core.subscribe((name, payload) => {
    if (name === 'assets:changed') changed.push(payload as EventPayload<'assets:changed'>)
  })
  return { core, changed }
}

const post = async (core: Core, lines: string[]): Promise<void> => {
  const response = await fetch(`http://127.0.0.1:${core.listeners.http!.port}/v1/events`, {
    method: 'POST',
    body: lines.join('\n'),
  })
  expect(response.status).toBe(200)
}

/** Polls `read` until `done` holds (the indexer runs after the commit, in slices). */
const eventually = async <T>(read: () => Promise<T>, done: (value: T) => boolean): Promise<T> => {
  let value = await read()
  for (let i = 0; i < 400 && !done(value); i++) {
    await new Promise((r) => setTimeout(r, 25))
    value = await read()
  }
  expect(done(value)).toBe(true)
  return value
}

const list = (core: Core, req: object = {}) => callOk<CallRes<'assets:list'>>(core, 'assets:list', req)
const get = (core: Core, id: string) => callOk<CallRes<'assets:get'>>(core, 'assets:get', { id })

describe('asset calls through the core', () => {
  it('inventories ingested events with detection disabled, and survives a restart without counting twice', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outpost-assets-core-'))
    dirs.push(dataDir)
    writeFileSync(join(dataDir, 'config.yaml'), 'detection:\n  enabled: false\n')
    const lines = readFileSync(join(OTRF, 'cmd_psexec_lsa_secrets_dump.ndjson'), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
    const { core, changed } = await start(dataDir)
    await post(core, lines)
    const host = await eventually(
      () => get(core, 'host:workstation5').catch(() => null),
      (page) => page?.asset.events === lines.length,
    )
    expect(host!.asset).toMatchObject({ id: 'host:workstation5', value: 'WORKSTATION5', kind: 'host' })
    expect(host!.links.map((l) => `${l.relation}:${l.asset.id}`)).toEqual(
      expect.arrayContaining(['service:service:psexesvc', 'address:ip:192.168.2.5', 'logon:user:wardog']),
    )
    expect(host!.events).toHaveLength(50)
    const listed = await list(core)
    expect(listed.kinds.host).toBe(1)
    expect(listed.kinds.service).toBe(1)
    expect(changed.at(-1)).toEqual({ assets: listed.total, links: expect.any(Number) as unknown })

    const updated = await callOk<CallRes<'assets:update'>>(core, 'assets:update', {
      id: 'host:WORKSTATION5',
      criticality: 'high',
      tags: ['lab'],
    })
    expect(updated.asset).toMatchObject({ criticality: 'high', tags: ['lab'] })
    const { entries } = await callOk<CallRes<'audit:list'>>(core, 'audit:list', { limit: 5 })
    expect(entries[0]).toMatchObject({
      action: 'update',
      object_type: 'asset',
      object_id: 'host:workstation5',
    })
    const graph = await callOk<CallRes<'graph:get'>>(core, 'graph:get', {
      center: 'host:workstation5',
      depth: 1,
    })
    expect(graph.nodes[0]).toMatchObject({ id: 'host:workstation5', criticality: 'high' })
    expect(graph.edges.length).toBeGreaterThan(graph.nodes.length - 2)

    const missing = await core.call('assets:get', { id: 'host:nowhere' })
    expect(missing).toEqual({
      ok: false,
      error: { code: 'not_found', message: 'no asset host:nowhere (assets:list shows the known ones)' },
    })
    const bad = await core.call('graph:get', { depth: 9 })
    expect(bad.ok).toBe(false)

    await core.stop()
    const again = await start(dataDir)
    // Ten more events (new ids: the same lines stored again) after the restart.
    await post(again.core, lines.slice(0, 10))
    const after = await eventually(
      () => get(again.core, 'host:workstation5'),
      (page) => page.asset.events === lines.length + 10,
    )
    // The manual fields survive, the counts do not double.
    expect(after.asset).toMatchObject({ criticality: 'high', tags: ['lab'], events: lines.length + 10 })
  })

  it("names an asset's alerts and incidents, and draws alert nodes in its graph", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outpost-assets-core-'))
    dirs.push(dataDir)
    const { core } = await start(dataDir)
    await callOk(core, 'rules:save', { text: WHOAMI_RULE })
    const sysmon = (image: string, second: number) =>
      JSON.stringify({
        Channel: 'Microsoft-Windows-Sysmon/Operational',
        EventID: 1,
        Computer: 'WS-9',
        '@timestamp': `2026-11-20T10:00:0${second}.000Z`,
        Image: image,
        User: 'CORP\\eve',
      })
    await post(core, [
      sysmon('C:\\Windows\\System32\\whoami.exe', 0),
      sysmon('C:\\Windows\\System32\\notepad.exe', 1),
    ])
    const page = await eventually(
      () => get(core, 'host:ws-9').catch(() => null),
      (p) => p?.asset.events === 2 && p.alerts.length === 1,
    )
    expect(page!.asset.alerts).toBe(1)
    expect(page!.alerts[0]).toMatchObject({ title: 'Whoami Run', host: 'WS-9', user: 'CORP\\eve' })
    expect(page!.incidents.map((i) => i.id)).toEqual([page!.alerts[0]!.incident_id])
    const user = await get(core, 'user:CORP\\EVE')
    expect(user.alerts.map((a) => a.id)).toEqual([page!.alerts[0]!.id])
    const { assets } = await list(core, { sort: 'alerts', limit: 2 })
    // Equal alerts and events: the later found first.
    expect(assets.map((a) => [a.id, a.alerts])).toEqual([
      ['user:corp\\eve', 1],
      ['host:ws-9', 1],
    ])
    const graph = await callOk<CallRes<'graph:get'>>(core, 'graph:get', { center: 'host:ws-9' })
    const alertId = `alert:${page!.alerts[0]!.id}`
    expect(graph.nodes).toContainEqual(expect.objectContaining({ id: alertId, kind: 'alert', level: 'high' }))
    expect(graph.edges).toContainEqual({ source: 'host:ws-9', target: alertId, relation: 'alert', events: 1 })
    const noAlerts = await callOk<CallRes<'graph:get'>>(core, 'graph:get', {
      center: 'host:ws-9',
      alerts: false,
    })
    expect(noAlerts.nodes.some((n) => n.kind === 'alert')).toBe(false)
  })
})

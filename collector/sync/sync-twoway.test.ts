import Database from 'better-sqlite3'
import { execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Alert, CallRes, SyncStatus } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { OUTPOST_BIN, spawnServe, type ServeProcess } from '../host/serve-process'
import { callOk, raiseAlert } from '../host/test-core'
import { SyncConsoles } from './core/consoles'

type Detail = CallRes<'incidents:get'>
type Conflicts = CallRes<'sync:conflicts'>

// Two-way sync of an incident between a console and a team core (its sync API on loopback):
// the core's analyst works on the console's incident too, and neither side loses the other's work.
describe('an incident worked on both a console and its team core', () => {
  const root = mkdtempSync(join(tmpdir(), 'outpost-sync-twoway-'))
  let team: Core
  let analyst: Core
  let server: Server
  let url = ''
  let incidentId = ''
  let alertId = ''

  const get = (core: Core): Promise<Detail> => callOk<Detail>(core, 'incidents:get', { id: incidentId })
  const bodies = (detail: Detail): string[] => detail.comments.map((c) => c.body).sort()
  /** One push and one pull, as the connector's loop does. */
  const syncOnce = async (): Promise<void> => {
    await callOk(analyst, 'sync:push-now', {})
    await callOk(analyst, 'sync:pull-now', {})
  }
  /** The body of the incident's version the core stores (what consoles pull). */
  const coreBody = (): string => {
    const db = new Database(join(root, 'core', 'outpost.sqlite'), { readonly: true })
    try {
      const row = db
        .prepare("SELECT body FROM sync_records WHERE kind = 'incident' AND id = ?")
        .get(incidentId) as { body: string } | undefined
      return row?.body ?? ''
    } finally {
      db.close()
    }
  }
  /** The version of the incident the core stores (what consoles pull). */
  const coreVersion = (): number => {
    const db = new Database(join(root, 'core', 'outpost.sqlite'), { readonly: true })
    try {
      const row = db
        .prepare("SELECT version FROM sync_records WHERE kind = 'incident' AND id = ?")
        .get(incidentId) as { version: number } | undefined
      return row?.version ?? 0
    } finally {
      db.close()
    }
  }

  beforeAll(async () => {
    ;[team, analyst] = await Promise.all([
      createCore({ dataDir: join(root, 'core'), ephemeralPorts: true, role: 'core' }),
      createCore({ dataDir: join(root, 'console'), ephemeralPorts: true, syncLoop: false }),
    ])
    const api = team.syncApi
    if (!api) throw new Error('a core answers the sync API')
    server = createServer((req, res) => {
      void api.handle(req, res, new URL(req.url ?? '/', 'http://127.0.0.1'))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const db = new Database(join(root, 'core', 'outpost.sqlite'))
    db.pragma('busy_timeout = 5000')
    const { token } = new SyncConsoles(db).add('ws-analyst-2', 'analyst')
    db.close()
    await callOk(analyst, 'sync:connect', { url, token })
  }, 60_000)
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await Promise.all([team.stop(), analyst.stop()])
    rmSync(root, { recursive: true, force: true })
  })

  it('a pushed incident keeps its description on the core', async () => {
    const alert = await raiseAlert(analyst, 'ws-7')
    alertId = alert.id
    const { incident } = await callOk<CallRes<'alerts:escalate'>>(analyst, 'alerts:escalate', {
      ids: [alert.id],
      title: 'Whoami on ws-7',
      description: '## Scope\n\nOne host, **ws-7**.',
    })
    incidentId = incident.id
    expect(incident.description).toBe('## Scope\n\nOne host, **ws-7**.')
    await callOk(analyst, 'incidents:comment', { id: incidentId, body: 'Console: looking.' })
    await syncOnce()
    const onCore = await get(team)
    expect(onCore.incident.description).toBe('## Scope\n\nOne host, **ws-7**.')
    expect(bodies(onCore)).toEqual(['Console: looking.'])
  }, 60_000)

  it("the core analyst's comment, status and description reach the console, and nothing echoes back", async () => {
    const before = coreVersion()
    await callOk(team, 'incidents:comment', { id: incidentId, body: 'Core: seen on the proxy too.' })
    await callOk(team, 'incidents:update', { id: incidentId, status: 'triage', description: 'Two hosts.' })
    // Each edit on the core is a new version consoles can pull.
    expect(coreVersion()).toBe(before + 2)
    await callOk(analyst, 'sync:pull-now', {})
    const onConsole = await get(analyst)
    expect(onConsole.incident).toMatchObject({ status: 'triage', description: 'Two hosts.' })
    expect(bodies(onConsole)).toEqual(['Console: looking.', 'Core: seen on the proxy too.'])
    // The core's status change is on the console's timeline, once.
    expect(onConsole.timeline.filter((t) => t.kind === 'action' && /status/.test(t.text))).toHaveLength(1)
    // Applying it queued nothing: no ping-pong.
    const status = await callOk<SyncStatus>(analyst, 'sync:status', {})
    expect(status.queue_depth).toBe(0)
    await syncOnce()
    expect(coreVersion()).toBe(before + 2)
    expect((await get(team)).incident.status).toBe('triage')
  }, 60_000)

  it('concurrent edits: both comments kept on both sides, the clash logged, resolved, converged', async () => {
    // The core's analyst first; the console has not pulled it when its analyst edits.
    await callOk(team, 'incidents:update', { id: incidentId, status: 'eradicated' })
    await callOk(team, 'incidents:comment', { id: incidentId, body: 'Core: reimaged.' })
    await callOk(analyst, 'incidents:update', { id: incidentId, status: 'contained', assignee: 'alice' })
    await callOk(analyst, 'incidents:comment', { id: incidentId, body: 'Console: isolated.' })
    await syncOnce()

    const [onCore, onConsole] = await Promise.all([get(team), get(analyst)])
    const all = ['Console: isolated.', 'Console: looking.', 'Core: reimaged.', 'Core: seen on the proxy too.']
    expect(bodies(onCore)).toEqual(all)
    expect(bodies(onConsole)).toEqual(all)
    // The assignee only the console changed; the status both changed (one value on both sides).
    expect(onCore.incident.assignee).toBe('alice')
    expect(onConsole.incident.assignee).toBe('alice')
    expect(onConsole.incident.status).toBe(onCore.incident.status)

    const { conflicts } = await callOk<Conflicts>(analyst, 'sync:conflicts', { open: true })
    const conflict = conflicts.find((c) => c.object_id === incidentId)
    expect(conflict).toBeDefined()
    expect(conflict!.kind).toBe('incident')
    expect(conflict!.remote.clashes).toEqual(['status'])

    // The console's analyst keeps their status: it becomes the incident's on both sides.
    await callOk(analyst, 'sync:resolve', { id: conflict!.id, choose: 'local' })
    await syncOnce()
    const [core2, console2] = await Promise.all([get(team), get(analyst)])
    expect(console2.incident.status).toBe('contained')
    expect(core2.incident.status).toBe('contained')
    expect(bodies(core2)).toEqual(all)
    expect(bodies(console2)).toEqual(all)
    expect(core2.incident.assignee).toBe('alice')

    // Converged: another round moves nothing, the outbox is empty, no conflict is open.
    const version = coreVersion()
    await syncOnce()
    expect(coreVersion()).toBe(version)
    const status = await callOk<SyncStatus>(analyst, 'sync:status', {})
    expect(status).toMatchObject({ queue_depth: 0, conflicts: 0 })
  }, 60_000)

  it('a removal and a retraction on the console, a comment on the core, concurrently: both kept, nothing comes back', async () => {
    const values = (detail: Detail): string[] => detail.observables.map((o) => o.value).sort()
    await callOk(analyst, 'incidents:observe', {
      id: incidentId,
      observables: [
        { type: 'ipv4', value: '10.9.9.9' },
        { type: 'domain', value: 'typo.example' },
      ],
    })
    await syncOnce()
    expect(values(await get(team))).toEqual(['10.9.9.9', 'typo.example'])
    const looking = (await get(analyst)).comments.find((c) => c.body === 'Console: looking.')!

    // Concurrent: neither side has seen the other's edit.
    await callOk(analyst, 'incidents:unobserve', { id: incidentId, type: 'domain', value: 'typo.example' })
    await callOk(analyst, 'incidents:retract', { id: incidentId, comment_id: looking.id })
    await callOk(team, 'incidents:comment', {
      id: incidentId,
      body: 'Core: meanwhile, blocked at the proxy.',
    })
    await syncOnce()

    for (const detail of await Promise.all([get(team), get(analyst)])) {
      expect(values(detail)).toEqual(['10.9.9.9'])
      expect(bodies(detail)).toContain('Core: meanwhile, blocked at the proxy.')
      const tombstone = detail.comments.find((c) => c.id === looking.id)
      expect(tombstone).toMatchObject({ body: '', retracted: { actor: expect.any(String) as unknown } })
      expect(JSON.stringify(detail)).not.toContain('Console: looking.')
      expect(detail.timeline.some((t) => /removed observable domain typo\.example/.test(t.text))).toBe(true)
    }
    // The version consoles pull (the core's merge) holds the removal, not the removed items.
    const stored = JSON.parse(coreBody()) as Detail
    expect(values(stored)).toEqual(['10.9.9.9'])
    expect(coreBody()).not.toContain('Console: looking.')
    expect(stored.removed.map((r) => r.key)).toEqual(
      expect.arrayContaining(['domain:typo.example', looking.id]) as unknown,
    )
    // Converged: another round changes nothing and brings nothing back.
    const version = coreVersion()
    await syncOnce()
    expect(coreVersion()).toBe(version)
    expect(values(await get(team))).toEqual(['10.9.9.9'])

    // The core's analyst removes one too: it goes on the console as well.
    await callOk(team, 'incidents:unobserve', { id: incidentId, type: 'ipv4', value: '10.9.9.9' })
    await syncOnce()
    expect(values(await get(analyst))).toEqual([])

    // Added again after its removal: a new add, on both sides.
    await callOk(analyst, 'incidents:observe', {
      id: incidentId,
      observables: [{ type: 'domain', value: 'typo.example' }],
    })
    await syncOnce()
    expect(values(await get(team))).toEqual(['typo.example'])
    expect(values(await get(analyst))).toEqual(['typo.example'])
    expect(await callOk<SyncStatus>(analyst, 'sync:status', {})).toMatchObject({
      queue_depth: 0,
      conflicts: 0,
    })
  }, 60_000)

  it("a pushed alert's events show in the core's alert detail, and the core detects nothing from them", async () => {
    // The core runs the same rule: were the events ingested there, it would raise its own alert.
    const rule = async (core: Core) =>
      (await callOk<CallRes<'rules:list'>>(core, 'rules:list', {})).rules.find(
        (r) => r.title === 'Test Whoami',
      )
    if (!(await rule(team))) {
      const { text } = await callOk<CallRes<'rules:get'>>(analyst, 'rules:get', {
        key: (await rule(analyst))!.key,
      })
      await callOk(team, 'rules:save', { text })
    }
    expect(await rule(team)).toMatchObject({ enabled: true })
    // The rule is on the console already (raiseAlert saved it): only the event now.
    const response = await fetch(`http://127.0.0.1:${analyst.listeners.http!.port}/v1/events`, {
      method: 'POST',
      body: JSON.stringify({
        Channel: 'Microsoft-Windows-Sysmon/Operational',
        EventID: 1,
        Computer: 'ws-8',
        host: 'ws-8',
        '@timestamp': '2026-12-07T09:00:00Z',
        Image: 'C:\\Windows\\System32\\whoami.exe',
      }),
    })
    expect(response.status).toBe(200)
    let alert: Alert | undefined
    for (let i = 0; i < 200 && !alert; i++) {
      await new Promise((r) => setTimeout(r, 25))
      const { alerts } = await callOk<CallRes<'alerts:list'>>(analyst, 'alerts:list', {})
      alert = alerts.find((a) => a.host === 'ws-8')
    }
    if (!alert) throw new Error('no alert for ws-8 on the console within 5 s')
    await syncOnce()
    await new Promise((r) => setTimeout(r, 300))
    const { alerts } = await callOk<CallRes<'alerts:list'>>(team, 'alerts:list', {})
    expect(alerts.filter((a) => a.host === 'ws-8').map((a) => a.id)).toEqual([alert.id])
    const shown = alerts.find((a) => a.id === alert.id)!
    // What the alert detail asks for: each matched event, by id.
    const { event } = await callOk<CallRes<'events:get'>>(team, 'events:get', { id: shown.event_ids[0]! })
    expect(event.host).toBe('ws-8')
    expect(event.fields).toMatchObject({ Image: 'C:\\Windows\\System32\\whoami.exe' })
    // Not in the core's own events (nor its search, inventory or detection).
    const { events } = await callOk<CallRes<'events:list'>>(team, 'events:list', { limit: 1000 })
    expect(events.filter((e) => e.host === 'ws-8')).toEqual([])
  }, 60_000)

  it("another console does not pull this console's incidents and alerts; an admin does", async () => {
    const db = new Database(join(root, 'core', 'outpost.sqlite'))
    db.pragma('busy_timeout = 5000')
    const other = new SyncConsoles(db).add('ws-other', 'analyst').token
    const admin = new SyncConsoles(db).add('ws-admin', 'admin').token
    db.close()
    const pulled = async (token: string): Promise<string[]> => {
      const res = await fetch(`${url}/sync/v1/pull?cursor=0&kinds=incident,alert&limit=1000`, {
        headers: { authorization: `Bearer ${token}` },
      })
      const { value } = (await res.json()) as { value: { records: Array<{ record: { id: string } }> } }
      return value.records.map((r) => r.record.id)
    }
    expect(await pulled(other)).toEqual([])
    expect(await pulled(admin)).toEqual(expect.arrayContaining([incidentId, alertId]))
  })

  it("the core's change of a pushed alert's status reaches the console", async () => {
    await callOk(team, 'alerts:update', { ids: [alertId], action: 'close', note: 'benign admin' })
    await callOk(analyst, 'sync:pull-now', {})
    const { alerts } = await callOk<CallRes<'alerts:list'>>(analyst, 'alerts:list', {})
    expect(alerts.find((a) => a.id === alertId)).toMatchObject({ status: 'closed', note: 'benign admin' })
    expect((await callOk<SyncStatus>(analyst, 'sync:status', {})).queue_depth).toBe(0)
  }, 60_000)
})

// The same on a real `outpost serve --role core` (the built CLI) on loopback: its analyst works
// through the core's own HTTP API.
describe('two-way sync with a real outpost serve --role core', () => {
  const root = mkdtempSync(join(tmpdir(), 'outpost-sync-twoway-serve-'))
  let core: ServeProcess
  let analyst: Core
  afterAll(async () => {
    await analyst?.stop()
    await core?.stop('SIGKILL')
    rmSync(root, { recursive: true, force: true })
  })

  const coreCall = async <T>(name: string, req: unknown): Promise<T> => {
    const res = await fetch(`${core.ready.api}/api/${name.replace(':', '/')}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${core.ready.token}`, 'content-type': 'application/json' },
      body: JSON.stringify(req),
    })
    const body = (await res.json()) as { ok: boolean; value: T; error?: { message: string } }
    if (!body.ok) throw new Error(body.error?.message)
    return body.value
  }

  it('comments and a status from both sides, a clash resolved, converged, no ping-pong', async () => {
    const coreDir = join(root, 'core')
    const { token } = JSON.parse(
      execFileSync(
        process.execPath,
        [
          OUTPOST_BIN,
          'sync',
          'consoles',
          'add',
          'bravo',
          '--role',
          'analyst',
          '--data-dir',
          coreDir,
          '--json',
        ],
        { encoding: 'utf8' },
      ),
    ) as { token: string }
    core = await spawnServe(['--data-dir', coreDir, '--port', '0', '--role', 'core'])
    // Syncs only when told: the edits below must be concurrent, not pulled in between.
    analyst = await createCore({ dataDir: join(root, 'console'), ephemeralPorts: true, syncLoop: false })
    await callOk(analyst, 'sync:connect', { url: core.ready.api, token })
    const syncOnce = async () => {
      await callOk(analyst, 'sync:push-now', {})
      await callOk(analyst, 'sync:pull-now', {})
    }

    const alert = await raiseAlert(analyst, 'ws-11')
    const { incident } = await callOk<CallRes<'alerts:escalate'>>(analyst, 'alerts:escalate', {
      ids: [alert.id],
      title: 'Beacon from ws-11',
      description: 'Beaconing every *60 s*.',
    })
    const id = incident.id
    await syncOnce()
    expect((await coreCall<Detail>('incidents:get', { id })).incident.description).toBe(
      'Beaconing every *60 s*.',
    )

    await coreCall('incidents:comment', { id, body: 'Core: proxy logs attached.' })
    await coreCall('incidents:update', { id, status: 'triage' })
    await callOk(analyst, 'sync:pull-now', {})
    const pulled = await callOk<Detail>(analyst, 'incidents:get', { id })
    expect(pulled.incident.status).toBe('triage')
    expect(pulled.comments.map((c) => c.body)).toEqual(['Core: proxy logs attached.'])

    await coreCall('incidents:update', { id, status: 'eradicated' })
    await coreCall('incidents:comment', { id, body: 'Core: host reimaged.' })
    await callOk(analyst, 'incidents:update', { id, status: 'contained' })
    await callOk(analyst, 'incidents:comment', { id, body: 'Console: isolated.' })
    await syncOnce()
    const { conflicts } = await callOk<Conflicts>(analyst, 'sync:conflicts', { open: true })
    const conflict = conflicts.find((c) => c.object_id === id)!
    expect(conflict.remote.clashes).toEqual(['status'])
    await callOk(analyst, 'sync:resolve', { id: conflict.id, choose: 'remote' })
    await syncOnce()

    const [onCore, onConsole] = await Promise.all([
      coreCall<Detail>('incidents:get', { id }),
      callOk<Detail>(analyst, 'incidents:get', { id }),
    ])
    const all = ['Console: isolated.', 'Core: host reimaged.', 'Core: proxy logs attached.']
    expect(onCore.comments.map((c) => c.body).sort()).toEqual(all)
    expect(onConsole.comments.map((c) => c.body).sort()).toEqual(all)
    expect(onConsole.incident.status).toBe(onCore.incident.status)
    expect(onConsole.incident.description).toBe('Beaconing every *60 s*.')
    await syncOnce()
    expect(await callOk<SyncStatus>(analyst, 'sync:status', {})).toMatchObject({
      queue_depth: 0,
      conflicts: 0,
    })
  }, 90_000)
})

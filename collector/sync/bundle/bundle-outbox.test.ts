import Database from 'better-sqlite3'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes } from '../../contract'
import { createCore, type Core } from '../../host/create-core'
import { callOk, raiseAlerts } from '../../host/test-core'
import { SyncConsoles } from '../core/consoles'
import { packEntries, unpackEntries } from './format'

type Detail = CallRes<'incidents:get'>
type Exported = CallRes<'bundles:export'>
type Imported = CallRes<'bundles:import'>

/** Reads one data dir's SQLite beside its running core. */
const query = <T>(dataDir: string, sql: string, ...params: unknown[]): T[] => {
  const db = new Database(join(dataDir, 'outpost.sqlite'), { readonly: true })
  try {
    return db.prepare(sql).all(...params) as T[]
  } finally {
    db.close()
  }
}

// One incident reaching a team core both online (the sync API on loopback) and on removable
// media: both channels carry the same version line and the core applies both the same way.
describe('an incident sent online and by bundle', () => {
  const root = mkdtempSync(join(tmpdir(), 'outpost-bundle-outbox-'))
  const coreDir = join(root, 'core')
  const consoleDir = join(root, 'console')
  let team: Core
  let analyst: Core
  let server: Server
  let url = ''
  let token = ''

  /** The incident as the core stores it for sync (version, origin, seq: a new seq is a new store). */
  const stored = (id: string) =>
    query<{ seq: number; version: number; origin: string; body: string }>(
      coreDir,
      "SELECT seq, version, origin, body FROM sync_records WHERE kind = 'incident' AND id = ?",
      id,
    )[0]
  const description = async (core: Core, id: string): Promise<string> =>
    (await callOk<Detail>(core, 'incidents:get', { id })).incident.description
  /** The incident's queued outbox entry on the console (its record and idempotency key). */
  const queuedIncident = (id: string) =>
    query<{ key: string; record: string }>(
      consoleDir,
      "SELECT key, record FROM sync_outbox WHERE kind = 'incident' AND object_id = ?",
      id,
    )[0]
  let alertIds: string[] = []
  const newIncident = async (title: string): Promise<string> => {
    const { incident } = await callOk<CallRes<'alerts:escalate'>>(analyst, 'alerts:escalate', {
      ids: [alertIds.shift()!],
      title,
    })
    return incident.id
  }
  /**
   * One online push, then offline again: connected, the connector pushes on every change by
   * itself, and these tests say which channel carries which version.
   */
  const pushOnline = async (): Promise<void> => {
    await callOk(analyst, 'sync:connect', { url, token })
    await callOk(analyst, 'sync:push-now', {})
    await callOk(analyst, 'sync:disconnect', {})
  }
  let bundles = 0
  const exportOutbox = (): Promise<Exported> =>
    callOk<Exported>(analyst, 'bundles:export', {
      out: join(root, `outbox-${++bundles}.bundle`),
      outbox: true,
    })
  const importBundle = (file: string): Promise<Imported> =>
    callOk<Imported>(team, 'bundles:import', { path: file })

  beforeAll(async () => {
    ;[team, analyst] = await Promise.all([
      createCore({ dataDir: coreDir, ephemeralPorts: true, role: 'core' }),
      createCore({ dataDir: consoleDir, ephemeralPorts: true }),
    ])
    const api = team.syncApi
    if (!api) throw new Error('a core answers the sync API')
    server = createServer((req, res) => {
      void api.handle(req, res, new URL(req.url ?? '/', 'http://127.0.0.1'))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const db = new Database(join(coreDir, 'outpost.sqlite'))
    db.pragma('busy_timeout = 5000')
    token = new SyncConsoles(db).add('ws-analyst-1', 'analyst').token
    db.close()
    const own = await callOk<CallRes<'keys:show'>>(analyst, 'keys:show', {})
    await callOk(team, 'keys:trust', { name: 'analyst', public_key: own.public_key, scope: 'records' })
    alertIds = (await raiseAlerts(analyst, ['ws-1', 'ws-2', 'ws-3'])).map((a) => a.id)
  }, 60_000)
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await Promise.all([team.stop(), analyst.stop()])
    rmSync(root, { recursive: true, force: true })
  })

  it('v2 pushed online, v3 by bundle: v3 wins; the same v3 pushed online after is stored once', async () => {
    const id = await newIncident('Beacon to 203.0.113.7')
    await callOk(analyst, 'incidents:update', { id, description: 'v2: one host' })
    await pushOnline()
    const v2 = stored(id)!
    expect(await description(team, id)).toBe('v2: one host')
    const node = (await callOk<CallRes<'sync:status'>>(analyst, 'sync:status', {})).node_id
    expect(v2.origin).toBe(node)

    await callOk(analyst, 'incidents:update', { id, description: 'v3: two hosts' })
    const queued = JSON.parse(queuedIncident(id)!.record) as { version: number; base?: number }
    expect(queued.version).toBeGreaterThan(v2.version)
    const exported = await exportOutbox()
    expect(exported.counts.incident).toBe(1)
    // The bundle carries the outbox record itself: the online version line, not a counter of its own.
    const preview = await callOk<CallRes<'bundles:preview'>>(team, 'bundles:preview', { path: exported.file })
    const item = preview.items.find((i) => i.kind === 'incident' && i.id === id)!
    expect(item).toMatchObject({
      status: 'changed',
      incoming_version: String(queued.version),
      stored_version: String(v2.version),
      stored_origin: node,
      winner: 'incoming',
    })
    await importBundle(exported.file)
    const v3 = stored(id)!
    expect(v3.version).toBeGreaterThanOrEqual(queued.version)
    expect(await description(team, id)).toBe('v3: two hosts')

    // The console (two-way, connected) still pushes the same v3 online: a duplicate, not a new store.
    expect(queuedIncident(id)).toBeDefined()
    await pushOnline()
    expect(stored(id)).toEqual(v3)
    expect(queuedIncident(id)).toBeUndefined()
    const conflicts = await callOk<CallRes<'sync:conflicts'>>(analyst, 'sync:conflicts', {})
    expect(conflicts.conflicts.filter((c) => c.object_id === id)).toEqual([])
  })

  it('v3 by bundle, then an online retry of v2: v3 stays', async () => {
    const id = await newIncident('Whoami on ws-9')
    await pushOnline()
    await callOk(analyst, 'incidents:update', { id, description: 'v2: one host' })
    // v2's push is in flight (the core never answered); the analyst edits again before a retry.
    const inFlight = queuedIncident(id)!
    await callOk(analyst, 'incidents:update', { id, description: 'v3: two hosts' })
    const exported = await exportOutbox()
    await importBundle(exported.file)
    const v3 = stored(id)!
    expect(await description(team, id)).toBe('v3: two hosts')

    const retry = await fetch(`${url}/sync/v1/push`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        records: [{ key: inFlight.key, record: JSON.parse(inFlight.record) as unknown }],
      }),
    })
    expect(retry.status).toBe(200)
    expect(stored(id)).toEqual(v3)
    expect(await description(team, id)).toBe('v3: two hosts')
  })

  it('a bundle imported twice changes nothing', async () => {
    const id = await newIncident('Bundle twice')
    const exported = await exportOutbox()
    expect((await importBundle(exported.file)).applied).toBeGreaterThan(0)
    const first = stored(id)
    const again = await importBundle(exported.file)
    expect(again).toMatchObject({ applied: 0, already_imported: true })
    expect(stored(id)).toEqual(first)
  })
})

// A console across a data diode: it only exports, and its outbox drains as bundles are written.
describe('export --outbox on an export-only console', () => {
  const root = mkdtempSync(join(tmpdir(), 'outpost-bundle-diode-'))
  const consoleDir = join(root, 'console')
  const farDir = join(root, 'far')
  let diode: Core
  let far: Core
  let alertIds: string[] = []
  const outboxDepth = (): number =>
    query<{ n: number }>(consoleDir, 'SELECT count(*) AS n FROM sync_outbox')[0]!.n

  beforeAll(async () => {
    mkdirSync(consoleDir)
    mkdirSync(farDir)
    writeFileSync(join(consoleDir, 'config.yaml'), 'bundles:\n  mode: export-only\n')
    writeFileSync(join(farDir, 'config.yaml'), 'bundles:\n  mode: import-only\n')
    ;[diode, far] = await Promise.all([
      createCore({ dataDir: consoleDir, ephemeralPorts: true }),
      createCore({ dataDir: farDir, ephemeralPorts: true, role: 'core' }),
    ])
    const own = await callOk<CallRes<'keys:show'>>(diode, 'keys:show', {})
    await callOk(far, 'keys:trust', { name: 'diode', public_key: own.public_key, scope: 'records' })
    alertIds = (await raiseAlerts(diode, ['ws-3', 'ws-4'])).map((a) => a.id)
  }, 60_000)
  afterAll(async () => {
    await Promise.all([diode.stop(), far.stop()])
    rmSync(root, { recursive: true, force: true })
  })

  it('drains the outbox once the file is written; a second export has nothing new', async () => {
    await callOk(diode, 'alerts:escalate', { ids: [alertIds[0]], title: 'Across the diode' })
    const depth = outboxDepth()
    expect(depth).toBeGreaterThan(0)

    // A file that cannot be written carries nothing: the outbox keeps every entry.
    const failed = await diode.call('bundles:export', {
      out: join(root, 'missing', 'x.bundle'),
      outbox: true,
    })
    expect(failed.ok).toBe(false)
    expect(outboxDepth()).toBe(depth)

    const first = await callOk<Exported>(diode, 'bundles:export', {
      out: join(root, 'd1.bundle'),
      outbox: true,
    })
    expect(first.counts).toMatchObject({ incident: 1 })
    expect(first.counts.alert).toBeGreaterThan(0)
    expect(first.counts.records).toBe(depth)
    expect(outboxDepth()).toBe(0)
    const second = await callOk<Exported>(diode, 'bundles:export', {
      out: join(root, 'd2.bundle'),
      outbox: true,
    })
    expect(second.counts.records).toBe(0)
    expect(outboxDepth()).toBe(0)

    // A selection still works beside it (and refuses to mix with --outbox).
    const mixed = await diode.call('bundles:export', {
      out: join(root, 'x.bundle'),
      outbox: true,
      since: '1',
    })
    expect(mixed.ok).toBe(false)
    const selection = await callOk<Exported>(diode, 'bundles:export', {
      out: join(root, 'd3.bundle'),
      kinds: ['incident'],
    })
    expect(selection.counts.incident).toBe(1)

    const imported = await callOk<Imported>(far, 'bundles:import', { path: first.file })
    expect(imported.applied).toBe(depth)
    // The selection carries the same incident version: nothing changes on the far side.
    const again = await callOk<Imported>(far, 'bundles:import', { path: selection.file })
    expect(again.applied).toBe(0)
    expect(again.counts).toMatchObject({ unchanged: 1, new: 0, changed: 0, conflict: 0 })
  })

  it('refuses a tampered outbox bundle and stores nothing from it', async () => {
    await callOk(diode, 'alerts:escalate', { ids: [alertIds[1]], title: 'Tampered on the way' })
    const good = await callOk<Exported>(diode, 'bundles:export', {
      out: join(root, 't1.bundle'),
      outbox: true,
    })
    const bad = join(root, 't1-bad.bundle')
    writeFileSync(
      bad,
      packEntries(
        unpackEntries(readFileSync(good.file), 'x').map((e) => {
          if (e.name !== 'records.ndjson.gz') return e
          const data = Buffer.from(e.data)
          data[data.length - 1] = data[data.length - 1]! ^ 0x01
          return { name: e.name, data }
        }),
      ),
    )
    const before = query<{ n: number }>(farDir, 'SELECT count(*) AS n FROM sync_records')[0]!.n
    const refused = await far.call('bundles:import', { path: bad })
    expect(refused.ok).toBe(false)
    expect(JSON.stringify(refused)).toMatch(/does not match its SHA-256/)
    expect(query<{ n: number }>(farDir, 'SELECT count(*) AS n FROM sync_records')[0]!.n).toBe(before)
    expect((await callOk<Imported>(far, 'bundles:import', { path: good.file })).applied).toBeGreaterThan(0)
  })
})

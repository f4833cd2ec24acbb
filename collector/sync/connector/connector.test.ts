import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { migrate } from '../../store/sqlite/migrate'
import { migrations } from '../../store/sqlite/migrations'
import { SyncConsoles } from '../core/consoles'
import { RecordStore } from '../core/record-store'
import { createSyncApi } from '../core/sync-api'
import { backoffMs, Connector } from './connector'
import { SyncStore } from './sync-store'

const open = (file: string): Database.Database => {
  const db = new Database(file)
  migrate(db, migrations, file)
  return db
}

describe('backoffMs', () => {
  it('doubles per attempt, capped, with jitter between half and all of it', () => {
    expect(backoffMs(0, 1000, 60_000, () => 0)).toBe(500)
    expect(backoffMs(0, 1000, 60_000, () => 1)).toBe(1000)
    expect(backoffMs(3, 1000, 60_000, () => 1)).toBe(8000)
    expect(backoffMs(3, 1000, 60_000, () => 0)).toBe(4000)
    expect(backoffMs(40, 1000, 60_000, () => 1)).toBe(60_000)
  })
})

describe('Connector against an in-process sync API', () => {
  let dir: string
  let coreDb: Database.Database
  let db: Database.Database
  let server: Server
  let url: string
  let token: string
  let up = true
  let maxBody = Infinity
  let seen: string[]
  let clock: number

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'outpost-connector-'))
    coreDb = open(':memory:')
    db = open(join(dir, 'console.sqlite'))
    const consoles = new SyncConsoles(coreDb)
    token = consoles.add('alpha', 'analyst').token
    const api = createSyncApi({
      records: new RecordStore(coreDb),
      consoles,
      coreId: 'core',
      evidenceDir: join(dir, 'ev'),
      maxEvidenceBytes: 1024,
    })
    up = true
    maxBody = Infinity
    seen = []
    clock = Date.UTC(2026, 11, 7, 12)
    server = createServer((req, res) => {
      if (!up) {
        res.writeHead(503).end('{"ok":false,"error":{"code":"unavailable","message":"down for the test"}}')
        return
      }
      if (Number(req.headers['content-length'] ?? 0) > maxBody) {
        req.resume()
        res.writeHead(413).end('{"ok":false,"error":{"code":"invalid_request","message":"too big"}}')
        return
      }
      seen.push(`${req.method} ${req.url}`)
      void api.handle(req, res, new URL(req.url ?? '/', 'http://x'))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  })
  afterEach(async () => {
    await new Promise((resolve) => server.close(resolve))
    db.close()
    coreDb.close()
    rmSync(dir, { recursive: true, force: true })
  })

  const connector = (store: SyncStore) =>
    new Connector({
      db,
      store,
      localRecord: () => null,
      applyPulled: () => false,
      now: () => clock,
      random: () => 1,
      baseDelayMs: 1000,
      batchSize: 2,
    })

  it('pushes in order, in batches, and backs off after a failure without losing the keys', async () => {
    const store = new SyncStore(db, () => clock)
    for (let i = 1; i <= 5; i++) store.enqueue('report', `r${i}`, { title: `R${i}` })
    const keys = store.due(clock, 10).map((row) => row.key)
    const c = connector(store)
    c.configure({ url, token }, 60_000, false)

    up = false
    await expect(c.pushNow()).rejects.toThrow(/HTTP 503: down for the test/)
    expect(store.depth()).toBe(5)
    expect(c.status()).toMatchObject({ last_error: expect.stringMatching(/503/) as unknown, queue_depth: 5 })
    // The head waits for its retry: the first attempt waits base·2⁰ = 1 s (jitter at its top).
    expect(c.status().next_retry).toBe(new Date(clock + 1000).toISOString())
    up = true
    expect(await c.pushNow()).toEqual({ pushed: 0, conflicts: 0 })
    clock += 1000
    expect(await c.pushNow()).toEqual({ pushed: 5, conflicts: 0 })
    expect(seen.filter((s) => s.startsWith('POST'))).toHaveLength(3)
    expect(store.depth()).toBe(0)
    const stored = new RecordStore(coreDb).since(0, ['report']).records.map((r) => r.record.id)
    expect(stored).toEqual(['r1', 'r2', 'r3', 'r4', 'r5'])
    expect(keys).toEqual([1, 2, 3, 4, 5].map((n) => `${store.nodeId()}:${n}`))
    expect(c.status().last_error).toBeNull()
    expect(store.version('report', 'r3')).toEqual({ version: 1, synced_version: 1 })
  })

  it('resumes after a restart: the outbox and its keys are in SQLite', async () => {
    let store = new SyncStore(db, () => clock)
    store.enqueue('incident', 'i1', { title: 'I1' })
    store.enqueue('incident', 'i1', { title: 'I1 again' })
    store.enqueue('report', 'r1', { title: 'R1' })
    db.close()
    db = open(join(dir, 'console.sqlite'))
    store = new SyncStore(db, () => clock)
    // The second version of i1 replaced the first, still queued.
    expect(store.depth()).toBe(2)
    const c = connector(store)
    c.configure({ url, token }, 60_000, false)
    expect(await c.pushNow()).toEqual({ pushed: 2, conflicts: 0 })
    expect(new RecordStore(coreDb).get('incident', 'i1')?.record).toMatchObject({
      version: 2,
      body: { title: 'I1 again' },
    })
  })

  it('logs a push the core settled for another version as a conflict, and the next change goes above it', async () => {
    const core = new RecordStore(coreDb)
    core.apply(
      {
        kind: 'incident',
        id: 'i9',
        version: 3,
        updated_at: '2026-12-07T13:00:00.000Z',
        origin: 'console-b',
        deleted: false,
        body: { title: 'theirs' },
      },
      'console-b:1',
    )
    const store = new SyncStore(db, () => clock)
    store.enqueue('incident', 'i9', { title: 'mine' })
    const c = connector(store)
    c.configure({ url, token }, 60_000, false)
    expect(await c.pushNow()).toEqual({ pushed: 1, conflicts: 1 })
    const [conflict] = store.conflicts()
    expect(conflict).toMatchObject({ kind: 'incident', object_id: 'i9', winner: 'remote' })
    expect(conflict!.local.body).toEqual({ title: 'mine' })
    expect(conflict!.remote.body).toEqual({ title: 'theirs' })
    expect(store.enqueue('incident', 'i9', { title: 'mine, later' }).version).toBe(4)
    await c.pushNow()
    expect(core.get('incident', 'i9')?.record.body).toEqual({ title: 'mine, later' })
  })

  it('splits a batch the core finds too big, and keeps the order', async () => {
    const store = new SyncStore(db, () => clock)
    for (let i = 1; i <= 3; i++) store.enqueue('report', `big${i}`, { text: 'x'.repeat(300) })
    maxBody = 700
    const c = new Connector({ db, store, localRecord: () => null, applyPulled: () => false, batchSize: 4 })
    c.configure({ url, token }, 60_000, false)
    expect(await c.pushNow()).toEqual({ pushed: 3, conflicts: 0 })
    expect(new RecordStore(coreDb).since(0).records.map((r) => r.record.id)).toEqual(['big1', 'big2', 'big3'])
    // Refused at 4 and at 2 records, then accepted one by one.
    expect(seen.filter((line) => line.startsWith('POST'))).toHaveLength(3)
  })

  it('keeps pulled kinds nothing applies yet in the inbox, and moves the cursor past them', async () => {
    new RecordStore(coreDb).apply(
      {
        kind: 'watchlist',
        id: 'wl-1',
        version: 2,
        updated_at: '2026-12-07T13:00:00.000Z',
        origin: 'core',
        deleted: false,
        body: { iocs: ['198.51.100.7'] },
      },
      'publish:wl-1:2',
    )
    const store = new SyncStore(db, () => clock)
    const c = connector(store)
    c.configure({ url, token }, 60_000, false)
    expect(await c.pullNow()).toEqual({ pulled: 1, conflicts: 0 })
    expect(store.inbox('watchlist')).toEqual([expect.objectContaining({ id: 'wl-1', version: 2 })])
    expect(store.state('pull_cursor')).toBe('1')
    expect(await c.pullNow()).toEqual({ pulled: 0, conflicts: 0 })
  })

  it('runs one push at a time: a second Push now waits and finds nothing left to send', async () => {
    const store = new SyncStore(db, () => clock)
    for (let i = 1; i <= 3; i++) store.enqueue('report', `c${i}`, {})
    const c = connector(store)
    c.configure({ url, token }, 60_000, false)
    const [first, second] = await Promise.all([c.pushNow(), c.pushNow()])
    expect([first.pushed, second.pushed]).toEqual([3, 0])
    // Batches of 2: two POSTs in all, none sent twice.
    expect(seen.filter((line) => line.startsWith('POST'))).toHaveLength(2)
  })

  it('never opens a socket unless configured', async () => {
    const store = new SyncStore(db, () => clock)
    store.enqueue('report', 'r1', {})
    const c = connector(store)
    c.wake()
    await expect(c.pushNow()).rejects.toThrow(/no core configured/)
    await new Promise((r) => setTimeout(r, 100))
    expect(seen).toEqual([])
  })
})

import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { migrate } from '../../store/sqlite/migrate'
import { migrations } from '../../store/sqlite/migrations'
import { SyncStore } from './sync-store'

const open = (): { db: Database.Database; store: SyncStore } => {
  const db = new Database(':memory:')
  migrate(db, migrations, ':memory:')
  return { db, store: new SyncStore(db, () => Date.UTC(2026, 11, 7, 12)) }
}

const objects = (store: SyncStore): string[] =>
  store.due(Number.MAX_SAFE_INTEGER, 1000).map((r) => `${r.kind}/${r.object_id}@${r.record.version}`)

describe('SyncStore outbox coalescing', () => {
  it('keeps one queued entry per object, the newest, while audit entries all stay', () => {
    const { store } = open()
    for (let i = 0; i < 50; i++) {
      store.enqueue('incident', 'inc-1', { title: `edit ${i}` })
      store.enqueue('audit', `n:${i}`, { seq: i })
    }
    store.enqueue('alert', 'al-1', {})
    store.enqueue('incident', 'inc-2', {})
    expect(store.depth()).toBe(50 + 3)
    const queued = objects(store)
    expect(queued.filter((q) => q.startsWith('incident/inc-1'))).toEqual(['incident/inc-1@50'])
    expect(queued.filter((q) => q.startsWith('audit/'))).toHaveLength(50)
    // The newest version went to the tail: the order of changes is kept.
    expect(queued.slice(-4)).toEqual([
      'incident/inc-1@50',
      'audit/n:49@1',
      'alert/al-1@1',
      'incident/inc-2@1',
    ])
    expect(store.queued('incident', 'inc-1')?.record.body).toEqual({ title: 'edit 49' })
  })

  it('replaces an entry another channel already delivered without losing it for the other', () => {
    const { store } = open()
    store.useNats(true)
    store.enqueue('report', 'r1', { v: 1 })
    const [first] = store.natsDue(10)
    store.natsDelivered(first!.seq)
    // NATS has v1, the core (HTTP) has nothing yet; v2 replaces v1 for both.
    store.enqueue('report', 'r1', { v: 2 })
    expect(objects(store)).toEqual(['report/r1@2'])
    expect(store.natsDue(10).map((r) => r.record.version)).toEqual([2])
  })
})

describe('SyncStore delivery channels', () => {
  it('without NATS, an entry leaves once the core has it (as before)', () => {
    const { store } = open()
    store.enqueue('report', 'a', {})
    store.enqueue('report', 'b', {})
    const [a] = store.due(0, 10)
    store.delivered(a!.seq)
    expect(store.depth()).toBe(1)
    expect(objects(store)).toEqual(['report/b@1'])
  })

  it('with NATS, each channel has its own cursor and an entry leaves once both have it', () => {
    const { db, store } = open()
    store.useNats(true)
    for (const id of ['a', 'b', 'c']) store.enqueue('alert', id, {})
    const rows = (): number => (db.prepare('SELECT count(*) AS n FROM sync_outbox').get() as { n: number }).n
    const [a, b, c] = store.due(0, 10)
    // The core takes a and b: they stay for NATS, but the core's queue moves on.
    store.delivered(a!.seq)
    store.delivered(b!.seq)
    expect(store.depth()).toBe(1)
    expect(store.natsDepth()).toBe(3)
    expect(rows()).toBe(3)
    expect(store.due(0, 10).map((r) => r.object_id)).toEqual(['c'])
    // NATS publishes a and b: now both channels have them.
    for (const row of store.natsDue(2)) store.natsDelivered(row.seq)
    expect(rows()).toBe(1)
    // NATS runs ahead on c: it stays for the core.
    store.natsDelivered(c!.seq)
    expect(store.natsDepth()).toBe(0)
    expect(rows()).toBe(1)
    store.delivered(c!.seq)
    expect(rows()).toBe(0)
  })

  it('NATS turned off forgets what only NATS still waited for; turned on, it starts with what is queued', () => {
    const { db, store } = open()
    store.useNats(true)
    store.enqueue('alert', 'a', {})
    store.enqueue('alert', 'b', {})
    const [a] = store.due(0, 10)
    store.delivered(a!.seq)
    const reopened = new SyncStore(db)
    reopened.useNats(false)
    expect(reopened.natsDue(10)).toHaveLength(1)
    expect((db.prepare('SELECT count(*) AS n FROM sync_outbox').get() as { n: number }).n).toBe(1)
    reopened.useNats(true)
    expect(reopened.natsDue(10).map((r) => r.object_id)).toEqual(['b'])
  })
})

describe('SyncStore dirty objects', () => {
  it('marks an object once however often, and hands them out oldest first', () => {
    const { db, store } = open()
    for (let i = 0; i < 100; i++) store.markDirty('asset', ['host:a', 'host:b', `host:${i % 3}`])
    expect(store.dirtyCount()).toBe(5)
    const taken = db.transaction(() => store.takeDirty(3))()
    expect(taken.map((t) => t.id)).toEqual(['host:a', 'host:b', 'host:0'])
    expect(store.dirtyCount()).toBe(2)
  })
})

describe('SyncStore bundle channel', () => {
  it('on an export-only console with no core, bundles drain the outbox; a configured core still counts', () => {
    const { store } = open()
    let coreConfigured = false
    store.useBundles(true, () => coreConfigured)
    store.enqueue('incident', 'inc-1', { title: 'a' })
    store.enqueue('report', 'rep-1', { title: 'b' })
    const due = store.bundleDue()
    expect(due.map((r) => r.object_id)).toEqual(['inc-1', 'rep-1'])
    store.bundleDelivered(due.at(-1)!.seq)
    expect(store.bundleDue()).toEqual([])
    expect(store.depth()).toBe(0)

    // With a core configured, an entry bundles carried waits until HTTP delivered it too.
    coreConfigured = true
    store.enqueue('incident', 'inc-1', { title: 'a2' })
    const entry = store.bundleDue()[0]!
    store.bundleDelivered(entry.seq)
    expect(store.depth()).toBe(1)
    store.delivered(entry.seq)
    expect(store.depth()).toBe(0)
  })

  it('elsewhere the bundle cursor only marks what bundles carried; HTTP still empties the outbox', () => {
    const { store } = open()
    store.enqueue('incident', 'inc-1', { title: 'a' })
    const [row] = store.bundleDue()
    store.bundleDelivered(row!.seq)
    expect(store.bundleDue()).toEqual([])
    expect(store.due(Number.MAX_SAFE_INTEGER, 10).map((r) => r.seq)).toEqual([row!.seq])
    store.delivered(row!.seq)
    expect(store.depth()).toBe(0)
  })

  it('skips an export’s own audit entry only when nothing else waits below it', () => {
    const { store } = open()
    store.useBundles(true, () => false)
    store.enqueue('incident', 'inc-1', {})
    const carried = store.bundleDue().at(-1)!.seq
    // Queued while the bundle was written: not carried, so the cursor cannot jump past it.
    store.enqueue('report', 'rep-1', {})
    const before = store.lastSeq()
    store.bundleDelivered(carried)
    store.enqueue('audit', 'n:1', { action: 'export' })
    store.bundleSkipOwn(before)
    expect(store.bundleDue().map((r) => r.object_id)).toEqual(['rep-1', 'n:1'])
    // Nothing in between: the export's own entry counts as carried.
    const next = store.bundleDue().at(-1)!.seq
    const before2 = store.lastSeq()
    store.bundleDelivered(next)
    store.enqueue('audit', 'n:2', { action: 'export' })
    store.bundleSkipOwn(before2)
    expect(store.bundleDue()).toEqual([])
  })

  it('keeps the header of the latest queued version for a bundle to repeat; a pulled version drops it', () => {
    const { store } = open()
    store.enqueue('incident', 'inc-1', { title: 'a' })
    store.markSynced('incident', 'inc-1', 1)
    const queued = store.enqueue('incident', 'inc-1', { title: 'b' })
    expect(store.header('incident', 'inc-1')).toEqual({
      version: 2,
      synced_version: 1,
      updated_at: queued.updated_at,
      base: 1,
    })
    store.setSynced('incident', 'inc-1', 5)
    expect(store.header('incident', 'inc-1')).toMatchObject({ version: 5, updated_at: null, base: null })
  })
})

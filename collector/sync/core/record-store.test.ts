import Database from 'better-sqlite3'
import fc from 'fast-check'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { migrate } from '../../store/sqlite/migrate'
import { migrations } from '../../store/sqlite/migrations'
import type { SyncRecord } from '../records'
import { RecordStore } from './record-store'

const rec = (over: Partial<SyncRecord> = {}): SyncRecord => ({
  kind: 'incident',
  id: 'inc-1',
  version: 1,
  updated_at: '2026-12-01T10:00:00.000Z',
  origin: 'console-a',
  deleted: false,
  body: { title: 'Beacon' },
  ...over,
})

describe('RecordStore', () => {
  let db: Database.Database
  let store: RecordStore

  beforeEach(() => {
    db = new Database(':memory:')
    migrate(db, migrations, ':memory:')
    store = new RecordStore(db, () => 1_000)
  })
  afterEach(() => db.close())

  it('applies a new record and hands it out once from cursor 0', () => {
    expect(store.apply(rec(), 'console-a:1')).toEqual({ outcome: 'applied', winner: rec() })
    const page = store.since(0)
    expect(page.records).toEqual([{ seq: 1, record: rec() }])
    expect(page.next).toBe(1)
    expect(store.since(page.next)).toEqual({ records: [], next: 1 })
  })

  it('is idempotent by key: a retry is a duplicate and stores nothing new', () => {
    store.apply(rec(), 'console-a:1')
    const again = store.apply(rec({ body: { title: 'changed in flight' } }), 'console-a:1')
    expect(again.outcome).toBe('duplicate')
    expect(again.winner.body).toEqual({ title: 'Beacon' })
    expect(store.count()).toBe(1)
    expect(store.head()).toBe(1)
  })

  it('treats the same version under another key as a duplicate (another channel)', () => {
    store.apply(rec(), 'console-a:1')
    expect(store.apply(rec(), 'nats:7').outcome).toBe('duplicate')
    expect(store.head()).toBe(1)
  })

  it('replaces with a higher version and gives it a new seq', () => {
    store.apply(rec(), 'console-a:1')
    store.apply(rec({ id: 'inc-2' }), 'console-a:2')
    const v2 = rec({
      version: 2,
      updated_at: '2026-12-01T11:00:00.000Z',
      body: { title: 'Beacon, contained' },
    })
    expect(store.apply(v2, 'console-a:3')).toEqual({ outcome: 'applied', winner: v2 })
    expect(store.get('incident', 'inc-1')).toEqual({ seq: 3, record: v2 })
    // A puller that already had seq 1 and 2 gets the new version from cursor 2.
    expect(store.since(2).records.map((r) => r.record.version)).toEqual([2])
    expect(store.count()).toBe(2)
  })

  it('records a conflict at an equal or lower version and keeps the deterministic winner', () => {
    store.apply(rec({ version: 2, origin: 'console-a' }), 'console-a:1')
    // Same version from another console, later: it wins and replaces.
    const later = rec({ version: 2, origin: 'console-b', updated_at: '2026-12-01T12:00:00.000Z' })
    expect(store.apply(later, 'console-b:1')).toEqual({ outcome: 'conflict', winner: later })
    expect(store.get('incident', 'inc-1')?.record).toEqual(later)
    // A stale version: conflict, the stored one stays, no new seq.
    const head = store.head()
    const stale = rec({ version: 1, origin: 'console-c', updated_at: '2026-12-02T00:00:00.000Z' })
    const result = store.apply(stale, 'console-c:1')
    expect(result).toEqual({ outcome: 'conflict', winner: later })
    expect(store.head()).toBe(head)
    // The loser's key is remembered too: its retry is a duplicate answering the winner.
    expect(store.apply(stale, 'console-c:1')).toEqual({ outcome: 'duplicate', winner: later })
  })

  it('applies a batch in one transaction, with the same outcomes as one by one', () => {
    const results = store.applyAll([
      { record: rec(), key: 'b1' },
      { record: rec({ version: 2 }), key: 'b2' },
      { record: rec(), key: 'b1' },
    ])
    expect(results.map((r) => r.outcome)).toEqual(['applied', 'applied', 'duplicate'])
    expect(store.get('incident', 'inc-1')?.record.version).toBe(2)
    // A bad record refuses the whole batch before anything is stored.
    expect(() =>
      store.applyAll([
        { record: rec({ id: 'x' }), key: 'b3' },
        { record: rec({ version: 0 }), key: 'b4' },
      ]),
    ).toThrow(/version must be/)
    expect(store.get('incident', 'x')).toBeNull()
  })

  it('pages by kind with a limit', () => {
    for (let i = 1; i <= 5; i++) store.apply(rec({ id: `inc-${i}` }), `k${i}`)
    store.apply(rec({ kind: 'operation', id: 'op-1' }), 'op')
    const first = store.since(0, ['incident'], 2)
    expect(first.records.map((r) => r.record.id)).toEqual(['inc-1', 'inc-2'])
    const second = store.since(first.next, ['incident'], 10)
    expect(second.records.map((r) => r.record.id)).toEqual(['inc-3', 'inc-4', 'inc-5'])
    expect(store.since(0, ['operation']).records.map((r) => r.seq)).toEqual([6])
    expect(store.count(['operation'])).toBe(1)
  })

  it('refuses malformed records, cursors, limits and kinds with what to fix', () => {
    expect(() => store.apply(rec({ version: 0 }), 'k')).toThrow(/version must be an integer >= 1/)
    expect(() => store.apply(rec({ updated_at: 'yesterday' }), 'k')).toThrow(/updated_at must be an ISO-8601/)
    expect(() => store.apply(rec({ kind: 'nope' as never }), 'k')).toThrow(/kind "nope" is not one of/)
    expect(() => store.apply(rec(), '')).toThrow(/idempotency key/)
    expect(() => store.since(-1)).toThrow(/cursor -1/)
    expect(() => store.since(0, [], 5000)).toThrow(/limit 5000: use 1-1000/)
    expect(() => store.since(0, ['bogus' as never])).toThrow(/kinds bogus/)
    expect(store.count()).toBe(0)
  })

  it('converges: any order of the same keyed records leaves the same winners, each key once', () => {
    const arb = fc.array(
      fc.record({
        id: fc.constantFrom('a', 'b'),
        version: fc.integer({ min: 1, max: 3 }),
        updated_at: fc.constantFrom('2026-12-01T00:00:00.000Z', '2026-12-02T00:00:00.000Z'),
        origin: fc.constantFrom('c1', 'c2'),
      }),
      { minLength: 1, maxLength: 8 },
    )
    fc.assert(
      fc.property(arb, (items) => {
        const keyed = items.map((it, i) => ({ key: `k${i}`, record: rec(it) }))
        const winners = (order: typeof keyed) => {
          const d = new Database(':memory:')
          migrate(d, migrations, ':memory:')
          const s = new RecordStore(d)
          for (const { key, record } of [...order, ...order]) s.apply(record, key)
          const out = s
            .since(0, [], 1000)
            .records.map((r) => r.record)
            .sort((x, y) => x.id.localeCompare(y.id))
          d.close()
          return out
        }
        expect(winners([...keyed].reverse())).toEqual(winners(keyed))
      }),
      { numRuns: 50 },
    )
  })

  it('hands each incoming record that becomes the stored version to the won hook, in the transaction', () => {
    const won: string[] = []
    const hooked = new RecordStore(
      db,
      () => 1_000,
      (r) => {
        won.push(`${r.id}@${r.version}:${r.origin}`)
        expect(db.inTransaction).toBe(true)
      },
    )
    hooked.apply(rec(), 'a:1')
    hooked.apply(rec(), 'a:1') // the same key: a duplicate
    hooked.apply(rec(), 'a:2') // the same version by another key: a duplicate
    hooked.apply(rec({ version: 2 }), 'a:3')
    hooked.apply(rec({ version: 1, origin: 'console-b' }), 'b:1') // loses the conflict
    hooked.apply(rec({ version: 2, origin: 'console-z' }), 'z:1') // wins it (greater origin)
    expect(won).toEqual(['inc-1@1:console-a', 'inc-1@2:console-a', 'inc-1@2:console-z'])
  })
})

describe('RecordStore on disk', () => {
  it('keeps seq rising across reopen (a removed row never gives its seq back)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-records-'))
    try {
      const file = join(dir, 'o.sqlite')
      let db = new Database(file)
      migrate(db, migrations, file)
      let store = new RecordStore(db)
      store.apply(rec(), 'a')
      store.apply(rec({ version: 2 }), 'b')
      db.close()
      db = new Database(file)
      migrate(db, migrations, file)
      store = new RecordStore(db)
      store.apply(rec({ version: 3 }), 'c')
      expect(store.get('incident', 'inc-1')?.seq).toBe(3)
      db.close()
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

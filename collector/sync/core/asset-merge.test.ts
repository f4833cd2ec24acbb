import Database from 'better-sqlite3'
import fc from 'fast-check'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { migrate } from '../../store/sqlite/migrate'
import { migrations } from '../../store/sqlite/migrations'
import { mergeInventory, mergeTags, type InventoryPart } from '../merge'
import type { SyncRecord } from '../records'
import { coreMerger } from './core-merger'
import { RecordStore } from './record-store'

type Fields = Partial<{
  owner: string | null
  criticality: string | null
  role: string | null
  note: string | null
  tags: string[]
  events: number
  alerts: number
  first_seen: string | null
  last_seen: string | null
}>

/** An asset version as a console pushes it: assets:get's answer. */
const asset = (origin: string, version: number, fields: Fields, base?: number): SyncRecord => ({
  kind: 'asset',
  id: 'host:web-1',
  version,
  updated_at: `2026-12-07T10:00:${String(version).padStart(2, '0')}.000Z`,
  origin,
  deleted: false,
  ...(base === undefined ? {} : { base }),
  body: {
    asset: {
      id: 'host:web-1',
      kind: 'host',
      value: 'web-1',
      owner: null,
      criticality: null,
      role: null,
      note: null,
      tags: [],
      events: 0,
      alerts: 0,
      first_seen: null,
      last_seen: null,
      ...fields,
    },
    links: [],
  },
})

describe('assets on a core: analyst fields three-way, inventory per origin', () => {
  let db: Database.Database
  let store: RecordStore
  let seq = 0
  const push = (record: SyncRecord) => store.apply(record, `${record.origin}:${++seq}`)
  const stored = () => store.get('asset', 'host:web-1')!.record
  const fields = () => stored().body.asset as Record<string, unknown>

  beforeEach(() => {
    db = new Database(':memory:')
    migrate(db, migrations, ':memory:')
    store = new RecordStore(
      db,
      () => 1_000,
      undefined,
      coreMerger(
        () => store,
        () => 'core',
      ),
    )
  })
  afterEach(() => db.close())

  it("keeps console A's owner when console B's inventory update arrives later with a higher version", () => {
    push(
      asset('console-a', 1, {
        events: 10,
        first_seen: '2026-12-01T00:00:00.000Z',
        last_seen: '2026-12-02T00:00:00.000Z',
      }),
    )
    // A's analyst sets the owner, built on the version the core agreed (1).
    push(
      asset(
        'console-a',
        2,
        {
          owner: 'alice',
          criticality: 'high',
          events: 10,
          first_seen: '2026-12-01T00:00:00.000Z',
          last_seen: '2026-12-02T00:00:00.000Z',
        },
        1,
      ),
    )
    expect(fields()).toMatchObject({ owner: 'alice', criticality: 'high' })
    // B never synced this asset; its inventory raised its version to 9, its analyst fields are empty.
    const result = push(
      asset('console-b', 9, {
        events: 5,
        first_seen: '2026-11-30T00:00:00.000Z',
        last_seen: '2026-12-05T00:00:00.000Z',
      }),
    )
    expect(result.outcome).toBe('applied')
    expect(result.winner.origin).toBe('core')
    expect(result.winner.version).toBe(10)
    expect(fields()).toMatchObject({
      owner: 'alice',
      criticality: 'high',
      events: 15,
      first_seen: '2026-11-30T00:00:00.000Z',
      last_seen: '2026-12-05T00:00:00.000Z',
    })
    expect(stored().body.inventory).toEqual({
      'console-a': {
        events: 10,
        alerts: 0,
        first_seen: '2026-12-01T00:00:00.000Z',
        last_seen: '2026-12-02T00:00:00.000Z',
      },
      'console-b': {
        events: 5,
        alerts: 0,
        first_seen: '2026-11-30T00:00:00.000Z',
        last_seen: '2026-12-05T00:00:00.000Z',
      },
    })
    // A counts more events, on its old base: its count replaces its own part, the owner stays.
    push(asset('console-a', 3, { owner: 'alice', criticality: 'high', events: 12 }, 2))
    expect(fields()).toMatchObject({ owner: 'alice', events: 17 })
  })

  it('a field changed on one side only is taken; both changed is a clash settled by the winner', () => {
    push(asset('console-a', 1, { owner: 'alice', role: 'web' }))
    // B pulled version 1 (as the core stored it) and changes the role; A changes the owner.
    push(asset('console-a', 2, { owner: 'bob', role: 'web' }, 1))
    const clash = push(asset('console-b', 3, { owner: 'carol', role: 'proxy' }, 1))
    expect(clash.outcome).toBe('conflict')
    expect(clash.winner.clashes).toEqual(['owner'])
    expect(fields()).toMatchObject({ owner: 'carol', role: 'proxy' })
  })

  it('tags: additions on both sides kept, a removal syncs', () => {
    push(asset('console-a', 1, { tags: ['dmz', 'linux'] }))
    push(asset('console-a', 2, { tags: ['dmz', 'linux', 'pci'] }, 1))
    push(asset('console-b', 5, { tags: ['linux', 'prod'] }, 1))
    expect(fields().tags).toEqual(['linux', 'pci', 'prod'])
  })
})

describe('mergeTags and mergeInventory', () => {
  it('mergeTags without a base is the union', () => {
    expect(mergeTags(null, ['b', 'a'], ['c', 'a'])).toEqual(['a', 'b', 'c'])
  })

  const part = fc.record({
    events: fc.nat(1000),
    alerts: fc.nat(50),
    first_seen: fc.option(fc.integer({ min: 0, max: 1e12 }).map((n) => new Date(n).toISOString())),
    last_seen: fc.option(fc.integer({ min: 0, max: 1e12 }).map((n) => new Date(n).toISOString())),
  })
  const parts = fc.dictionary(fc.constantFrom('a', 'b', 'c', 'core'), part) as fc.Arbitrary<
    Record<string, InventoryPart>
  >

  it('mergeInventory is commutative, associative and idempotent (replicas converge in any order)', () => {
    fc.assert(
      fc.property(parts, parts, parts, (x, y, z) => {
        expect(mergeInventory(x, y)).toEqual(mergeInventory(y, x))
        expect(mergeInventory(mergeInventory(x, y).parts, z)).toEqual(
          mergeInventory(x, mergeInventory(y, z).parts),
        )
        expect(mergeInventory(x, x).parts).toEqual(mergeInventory(x, {}).parts)
      }),
    )
  })
})

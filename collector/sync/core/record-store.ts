import type { Database, Statement } from 'better-sqlite3'
import { ContractError } from '../../contract'
import { isMergedKind, MERGED_KINDS, mergeFields } from '../merge'
import { PULL_KINDS, PUSH_KINDS, resolveConflict, type SyncKind, type SyncRecord } from '../records'

export type ApplyOutcome = 'applied' | 'duplicate' | 'conflict'
export type ApplyResult = { outcome: ApplyOutcome; winner: SyncRecord }
/**
 * Settles a stored and an incoming version of one object another way than keeping one of them
 * (a core merging concurrent incident edits): the record to store instead, and the scalar fields
 * both sides changed (a conflict when any); null keeps the usual rule.
 */
export type Merger = (
  stored: SyncRecord,
  incoming: SyncRecord,
) => { record: SyncRecord; clashes: string[] } | null
export type StoredRecord = { seq: number; record: SyncRecord }
export type RecordPage = { records: StoredRecord[]; next: number }

export const SYNC_KINDS: readonly SyncKind[] = [...PUSH_KINDS, ...PULL_KINDS]

/**
 * The key a core stores a version it made itself under (an operation or mission it publishes, its
 * analyst's edit of a console's incident): the same on every replica that applies it, so it is
 * stored once everywhere.
 */
export const localKey = (origin: string, kind: SyncKind, id: string, version: number): string =>
  `${origin}:${kind}:${id}:${version}`
export const MAX_PAGE = 1000

type Row = {
  seq: number
  kind: string
  id: string
  version: number
  updated_at: string
  origin: string
  deleted: number
  body: string
}

const toRecord = (row: Row): SyncRecord => ({
  kind: row.kind as SyncKind,
  id: row.id,
  version: row.version,
  updated_at: row.updated_at,
  origin: row.origin,
  deleted: row.deleted === 1,
  body: JSON.parse(row.body) as Record<string, unknown>,
})

const sameVersion = (a: SyncRecord, b: SyncRecord): boolean =>
  a.version === b.version && a.updated_at === b.updated_at && a.origin === b.origin

/** Says what is wrong with a record received from elsewhere (null when it is well formed). */
export const recordProblem = (record: SyncRecord): string | null => {
  if (!SYNC_KINDS.includes(record.kind))
    return `kind "${String(record.kind)}" is not one of ${SYNC_KINDS.join(', ')}`
  if (typeof record.id !== 'string' || record.id.length === 0 || record.id.length > 200)
    return 'id must be a string of 1-200 characters'
  if (!Number.isSafeInteger(record.version) || record.version < 1) return 'version must be an integer >= 1'
  if (typeof record.updated_at !== 'string' || Number.isNaN(Date.parse(record.updated_at)))
    return 'updated_at must be an ISO-8601 time'
  if (typeof record.origin !== 'string' || record.origin.length === 0)
    return 'origin must be a non-empty string'
  if (typeof record.deleted !== 'boolean') return 'deleted must be true or false'
  if (record.body === null || typeof record.body !== 'object' || Array.isArray(record.body))
    return 'body must be a JSON object'
  return null
}

/**
 * The synced records a store holds (a core's, or a replica's): the winning version of each
 * object. `apply` is idempotent by key: the same key twice is a duplicate whatever the record.
 * A record above the stored version replaces it (applied); one at or below it is a conflict,
 * settled by resolveConflict, and the winner is kept. Every replacement takes a new seq, so
 * `since(cursor)` hands out each object's latest version once, in the order they were stored.
 */
export class RecordStore {
  private readonly byObject: Statement<[string, string]>
  private readonly byKey: Statement<[string]>
  private readonly remove: Statement<[number]>
  private readonly insert: Statement<[Record<string, unknown>]>
  private readonly insertKey: Statement<[Record<string, unknown>]>
  private readonly applyTx: (record: SyncRecord, key: string) => ApplyResult
  private relay: ((key: string, record: string, holder: string | null) => void) | undefined
  private fromStream = false
  private holder: string | undefined

  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
    /**
     * Called inside the apply's transaction with each incoming record that became the stored
     * version (applied, or a conflict it won): a core makes it into its own tables there.
     */
    private readonly won?: (record: SyncRecord) => void,
    private readonly merger?: Merger,
  ) {
    this.byObject = db.prepare('SELECT * FROM sync_records WHERE kind = ? AND id = ?')
    this.byKey = db.prepare('SELECT kind, id FROM sync_record_keys WHERE key = ?')
    this.remove = db.prepare('DELETE FROM sync_records WHERE seq = ?')
    this.insert = db.prepare(
      `INSERT INTO sync_records (kind, id, version, updated_at, origin, deleted, body, stored_at)
       VALUES (@kind, @id, @version, @updated_at, @origin, @deleted, @body, @stored_at)`,
    )
    this.insertKey = db.prepare(
      'INSERT INTO sync_record_keys (key, kind, id, outcome, stored_at) VALUES (@key, @kind, @id, @outcome, @stored_at)',
    )
    this.applyTx = db.transaction((record: SyncRecord, key: string) => this.applyInTx(record, key))
  }

  /** Stores one record under its idempotency key, in one transaction (nested in the caller's if any). */
  apply(record: SyncRecord, key: string): ApplyResult {
    if (typeof key !== 'string' || key.length === 0 || key.length > 300)
      throw new ContractError('invalid_request', 'idempotency key must be a string of 1-300 characters')
    const problem = recordProblem(record)
    if (problem) throw new ContractError('invalid_request', `record ${record.kind}/${record.id}: ${problem}`)
    return this.applyTx(record, key)
  }

  /**
   * Several records in one transaction (one commit for a pushed batch), each as `apply`. With
   * `holder` (the console that pushed them), it pulls later versions of its incidents and alerts
   * back (pushedBy), on every replica.
   */
  applyAll(items: ReadonlyArray<{ record: SyncRecord; key: string }>, holder?: string): ApplyResult[] {
    for (const { record, key } of items) {
      if (typeof key !== 'string' || key.length === 0 || key.length > 300)
        throw new ContractError('invalid_request', 'idempotency key must be a string of 1-300 characters')
      const problem = recordProblem(record)
      if (problem)
        throw new ContractError('invalid_request', `record ${record.kind}/${record.id}: ${problem}`)
    }
    return this.db.transaction(() =>
      items.map(({ record, key }) => {
        this.holder = holder
        try {
          const result = this.applyTx(record, key)
          if (holder !== undefined) this.pushedBy(holder, record.kind, record.id)
          return result
        } finally {
          this.holder = undefined
        }
      }),
    )()
  }

  /** The stored (winning) version of one object. */
  get(kind: SyncKind, id: string): StoredRecord | null {
    const row = this.byObject.get(kind, id) as Row | undefined
    return row ? { seq: row.seq, record: toRecord(row) } : null
  }

  /**
   * Records stored after `cursor` (a seq; 0 from the start), of the given kinds (all when empty),
   * in seq order. With `holder` (a console's name), incidents and alerts only of those it pushed.
   */
  since(cursor: number, kinds: readonly SyncKind[] = [], limit = 100, holder?: string): RecordPage {
    if (!Number.isSafeInteger(cursor) || cursor < 0)
      throw new ContractError('invalid_request', `cursor ${cursor}: use 0 or a next cursor a pull returned`)
    if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE)
      throw new ContractError('invalid_request', `limit ${limit}: use 1-${MAX_PAGE}`)
    const unknown = kinds.filter((k) => !SYNC_KINDS.includes(k))
    if (unknown.length > 0)
      throw new ContractError('invalid_request', `kinds ${unknown.join(', ')}: use ${SYNC_KINDS.join(', ')}`)
    const filter = kinds.length > 0 ? `AND kind IN (${kinds.map(() => '?').join(', ')})` : ''
    const held =
      holder === undefined
        ? ''
        : `AND (kind NOT IN (${MERGED_KINDS.map(() => '?').join(', ')}) OR EXISTS (SELECT 1 FROM sync_object_consoles c
             WHERE c.console = ? AND c.kind = sync_records.kind AND c.id = sync_records.id))`
    const rows = this.db
      .prepare(`SELECT * FROM sync_records WHERE seq > ? ${filter} ${held} ORDER BY seq LIMIT ?`)
      .all(cursor, ...kinds, ...(holder === undefined ? [] : [...MERGED_KINDS, holder]), limit) as Row[]
    return {
      records: rows.map((row) => ({ seq: row.seq, record: toRecord(row) })),
      next: rows.at(-1)?.seq ?? cursor,
    }
  }

  /** A console pushed this incident or alert: it pulls the versions made elsewhere back. */
  pushedBy(console: string, kind: SyncKind, id: string): void {
    if (!isMergedKind(kind)) return
    this.db
      .prepare('INSERT OR IGNORE INTO sync_object_consoles (console, kind, id) VALUES (?, ?, ?)')
      .run(console, kind, id)
  }

  /**
   * From now on (a core replica with NATS; null: no longer), every record this store takes another way than the
   * stream (a console's push, a bundle import, a version this core made) is also written to
   * sync_relay, in the same transaction, for the replica's publisher (nats/core-queue.ts), and
   * `relayed` is called (the publisher runs once the transaction has returned).
   */
  relayForStream(relayed: (() => void) | null): void {
    if (!relayed) {
      this.relay = undefined
      return
    }
    const insert = this.db.prepare('INSERT INTO sync_relay (key, record, holder) VALUES (?, ?, ?)')
    this.relay = (key, record, holder) => {
      insert.run(key, record, holder)
      relayed()
    }
  }

  /**
   * `apply` for a record consumed from the stream: every replica has it from there, so it is not
   * relayed back. `holder`: the console that pushed it to the replica that relayed it.
   */
  applyFromStream(record: SyncRecord, key: string, holder?: string): ApplyResult {
    this.fromStream = true
    try {
      return holder === undefined ? this.apply(record, key) : this.applyAll([{ record, key }], holder)[0]!
    } finally {
      this.fromStream = false
    }
  }

  /** The highest seq handed out so far (0 when empty). */
  head(): number {
    const row = this.db.prepare('SELECT max(seq) AS seq FROM sync_records').get() as { seq: number | null }
    return row.seq ?? 0
  }

  count(kinds: readonly SyncKind[] = []): number {
    const filter = kinds.length > 0 ? `WHERE kind IN (${kinds.map(() => '?').join(', ')})` : ''
    return (
      this.db.prepare(`SELECT count(*) AS n FROM sync_records ${filter}`).get(...kinds) as { n: number }
    ).n
  }

  private applyInTx(record: SyncRecord, key: string): ApplyResult {
    const seen = this.byKey.get(key) as { kind: string; id: string } | undefined
    const existing = this.byObject.get(record.kind, record.id) as Row | undefined
    const stored = existing ? toRecord(existing) : null
    if (seen) {
      const winner = (this.byObject.get(seen.kind, seen.id) as Row | undefined) ?? existing
      return { outcome: 'duplicate', winner: winner ? toRecord(winner) : record }
    }
    const at = this.now()
    if (stored && existing && sameVersion(stored, record)) {
      // The same version arriving by another path (another key, another channel).
      this.insertKey.run({ key, kind: record.kind, id: record.id, outcome: 'applied', stored_at: at })
      return { outcome: 'duplicate', winner: stored }
    }
    // Not a duplicate: the other replicas must settle the same record against theirs.
    if (this.relay && !this.fromStream) this.relay(key, JSON.stringify(record), this.holder ?? null)
    const merged = stored && existing && !stored.deleted ? this.merger?.(stored, record) : null
    if (merged && existing) {
      this.remove.run(existing.seq)
      this.store(merged.record, at)
      this.insertKey.run({
        key,
        kind: record.kind,
        id: record.id,
        outcome: merged.clashes.length > 0 ? 'conflict' : 'applied',
        stored_at: at,
      })
      return {
        outcome: merged.clashes.length > 0 ? 'conflict' : 'applied',
        winner: merged.clashes.length > 0 ? { ...merged.record, clashes: merged.clashes } : merged.record,
      }
    }
    let outcome: ApplyOutcome = 'applied'
    let winner = record
    if (stored && existing) {
      if (record.version <= stored.version) {
        outcome = 'conflict'
        winner = resolveConflict(stored, record)
      }
      if (winner === record) this.remove.run(existing.seq)
    }
    if (winner === record) this.store(record, at)
    this.insertKey.run({ key, kind: record.kind, id: record.id, outcome, stored_at: at })
    return { outcome, winner }
  }

  private store(record: SyncRecord, at: number): void {
    this.insert.run({
      kind: record.kind,
      id: record.id,
      version: record.version,
      updated_at: record.updated_at,
      origin: record.origin,
      deleted: record.deleted ? 1 : 0,
      body: JSON.stringify(record.body),
      stored_at: at,
    })
    // Each stored version of a merged kind is a possible base of a later three-way merge.
    if (isMergedKind(record.kind)) this.keepBase(record.kind, record.id, record.version, record.body)
    this.won?.(record)
  }

  /** Keeps the scalar fields of one version of an incident or alert (a merge base). */
  keepBase(kind: SyncKind, id: string, version: number, body: Record<string, unknown>): void {
    this.db
      .prepare('INSERT OR REPLACE INTO sync_merge_bases (kind, id, version, fields) VALUES (?, ?, ?, ?)')
      .run(kind, id, version, JSON.stringify(mergeFields(kind, body)))
  }

  /** The scalar fields of one stored version (keepBase), or null when it was never stored here. */
  base(kind: SyncKind, id: string, version: number): Record<string, unknown> | null {
    const row = this.db
      .prepare('SELECT fields FROM sync_merge_bases WHERE kind = ? AND id = ? AND version = ?')
      .get(kind, id, version) as { fields: string } | undefined
    return row ? (JSON.parse(row.fields) as Record<string, unknown>) : null
  }
}

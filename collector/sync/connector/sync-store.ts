import { randomUUID } from 'node:crypto'
import type { Database, Statement } from 'better-sqlite3'
import { ContractError } from '../../contract'
import { idempotencyKey, type SyncKind, type SyncRecord } from '../records'

export type OutboxRow = {
  seq: number
  kind: SyncKind
  object_id: string
  key: string
  record: SyncRecord
  attempts: number
  next_attempt_at: number
  last_error: string | null
  /** Only on a core replica's relayed records (nats/core-queue.ts): the console that pushed it. */
  holder?: string
}

export type SyncConflict = {
  id: number
  kind: SyncKind
  object_id: string
  local: SyncRecord
  remote: SyncRecord
  winner: 'local' | 'remote'
  detected_at: string
  resolved_at: string | null
  resolution: 'local' | 'remote' | null
}

type OutboxDbRow = Omit<OutboxRow, 'record'> & { record: string }
type ConflictDbRow = {
  id: number
  kind: string
  object_id: string
  local: string
  remote: string
  winner: 'local' | 'remote'
  detected_at: number
  resolved_at: number | null
  resolution: 'local' | 'remote' | null
}

/** sync_state keys: the last outbox seq each channel delivered. */
const PUSH_CURSOR = 'push_cursor'
const NATS_CURSOR = 'nats_cursor'
const BUNDLE_CURSOR = 'bundle_cursor'

const toOutbox = (row: OutboxDbRow): OutboxRow => ({ ...row, record: JSON.parse(row.record) as SyncRecord })
const toConflict = (row: ConflictDbRow): SyncConflict => ({
  ...row,
  kind: row.kind as SyncKind,
  local: JSON.parse(row.local) as SyncRecord,
  remote: JSON.parse(row.remote) as SyncRecord,
  detected_at: new Date(row.detected_at).toISOString(),
  resolved_at: row.resolved_at === null ? null : new Date(row.resolved_at).toISOString(),
})

/**
 * The console side of sync, in the console's SQLite: its node id, the version of every synced
 * object, the outbox, the conflict log and the inbox of pulled records. Every write here is meant
 * to run inside the transaction of the change it follows (better-sqlite3 nests them as savepoints).
 */
export class SyncStore {
  private readonly bump: Statement<[string, string]>
  private readonly versionOf: Statement<[string, string]>
  private readonly insertOutbox: Statement<[Record<string, unknown>]>
  private readonly setKey: Statement<[string, number]>
  private readonly coalesce: Statement<[string, string]>
  private readonly keepHeader: Statement<[string, number | null, string, string]>
  /**
   * Changes are queued for delivery (a console). A core versions them but queues nothing: it
   * pushes to no one (consoles pull its record store; its replicas read the stream).
   */
  private queueing = true
  /** NATS publishing is on: an entry leaves the outbox once both channels have it. */
  private nats = false
  /** Bundles carry the outbox (a data-diode console): the bundle cursor counts too. */
  private bundles = false
  /** Whether the core (HTTP) channel counts; off only on an export-only console with no core. */
  private http: () => boolean = () => true
  private id: string | undefined

  constructor(
    private readonly db: Database,
    private readonly now: () => number = Date.now,
  ) {
    this.bump = db.prepare(
      `INSERT INTO sync_versions (kind, id, version) VALUES (?, ?, 1)
       ON CONFLICT (kind, id) DO UPDATE SET version = version + 1 RETURNING version`,
    )
    this.versionOf = db.prepare('SELECT version, synced_version FROM sync_versions WHERE kind = ? AND id = ?')
    this.insertOutbox = db.prepare(
      `INSERT INTO sync_outbox (kind, object_id, record, created_at) VALUES (@kind, @object_id, @record, @created_at)`,
    )
    this.setKey = db.prepare('UPDATE sync_outbox SET key = ? WHERE seq = ?')
    this.coalesce = db.prepare('DELETE FROM sync_outbox WHERE kind = ? AND object_id = ?')
    this.keepHeader = db.prepare(
      'UPDATE sync_versions SET updated_at = ?, base = ? WHERE kind = ? AND id = ?',
    )
  }

  /** This data dir's id, made on first use: the origin of every record it makes. */
  nodeId(): string {
    this.id ??= this.state('node_id') ?? this.setState('node_id', `outpost-${randomUUID()}`)
    return this.id
  }

  state(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM sync_state WHERE key = ?').get(key) as
      { value: string } | undefined
    return row?.value ?? null
  }

  setState(key: string, value: string): string {
    this.db
      .prepare(
        'INSERT INTO sync_state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
      )
      .run(key, value)
    return value
  }

  clearState(key: string): void {
    this.db.prepare('DELETE FROM sync_state WHERE key = ?').run(key)
  }

  version(kind: SyncKind, id: string): { version: number; synced_version: number } | null {
    return (this.versionOf.get(kind, id) as { version: number; synced_version: number } | undefined) ?? null
  }

  /** Keeps the header of an object's current version (a bundle carrying it the first time). */
  setHeader(kind: SyncKind, id: string, updatedAt: string, base: number | null): void {
    this.db
      .prepare('UPDATE sync_versions SET updated_at = ?, base = ? WHERE kind = ? AND id = ?')
      .run(updatedAt, base, kind, id)
  }

  /** A local change of one object: its version rises by one. */
  bumpVersion(kind: SyncKind, id: string): number {
    return (this.bump.get(kind, id) as { version: number }).version
  }

  /**
   * Sets both versions (a pulled record applied here, or a resolution taking the remote). The
   * version was made elsewhere: its header (updated_at, base) is not this node's to repeat.
   */
  setSynced(kind: SyncKind, id: string, version: number): void {
    this.db
      .prepare(
        `INSERT INTO sync_versions (kind, id, version, synced_version) VALUES (?, ?, ?, ?)
         ON CONFLICT (kind, id) DO UPDATE SET version = excluded.version, synced_version = excluded.synced_version,
           updated_at = NULL, base = NULL`,
      )
      .run(kind, id, version, version)
  }

  /**
   * The header of an object's latest local version as its outbox record carried it (version,
   * updated_at, base): a bundle repeats it so both channels send the same record. updated_at is
   * null when that version was made before headers were kept, or elsewhere (pulled).
   */
  header(
    kind: SyncKind,
    id: string,
  ): { version: number; synced_version: number; updated_at: string | null; base: number | null } | null {
    return (
      (this.db
        .prepare(
          'SELECT version, synced_version, updated_at, base FROM sync_versions WHERE kind = ? AND id = ?',
        )
        .get(kind, id) as
        | { version: number; synced_version: number; updated_at: string | null; base: number | null }
        | undefined) ?? null
    )
  }

  /** Marks a version as agreed by the core (never lowers it). */
  markSynced(kind: SyncKind, id: string, version: number): void {
    this.db
      .prepare('UPDATE sync_versions SET synced_version = max(synced_version, ?) WHERE kind = ? AND id = ?')
      .run(version, kind, id)
  }

  /** Queues one new version of an object (bumping its version) and returns the record. */
  enqueue(kind: SyncKind, id: string, body: Record<string, unknown>, deleted = false): SyncRecord {
    // Built on the last version agreed with the core: a core merges from there (two-way sync).
    const base = this.version(kind, id)?.synced_version ?? 0
    const version = this.bumpVersion(kind, id)
    return this.enqueueRecord({
      ...(base > 0 ? { base } : {}),
      kind,
      id,
      version,
      updated_at: new Date(this.now()).toISOString(),
      origin: this.nodeId(),
      deleted,
      body,
    })
  }

  /**
   * Queues a record as it is (a resolution keeping the local version). A newer version of an
   * object replaces the one still queued (audit entries are append-only and all stay): the
   * outbox holds at most one entry per object plus the audit entries not yet delivered.
   */
  enqueueRecord(record: SyncRecord): SyncRecord {
    // The header of the object's latest queued version: a bundle carrying it later repeats it.
    this.keepHeader.run(record.updated_at, record.base ?? null, record.kind, record.id)
    if (!this.queueing) return record
    if (record.kind !== 'audit') this.coalesce.run(record.kind, record.id)
    const seq = Number(
      this.insertOutbox.run({
        kind: record.kind,
        object_id: record.id,
        record: JSON.stringify(record),
        created_at: this.now(),
      }).lastInsertRowid,
    )
    this.setKey.run(idempotencyKey(record.origin, seq), seq)
    return record
  }

  /** The head of the outbox for the core (HTTP), in order: nothing when the head waits for its retry time. */
  due(now: number, limit: number): OutboxRow[] {
    const rows = (
      this.db
        .prepare('SELECT * FROM sync_outbox WHERE seq > ? ORDER BY seq LIMIT ?')
        .all(this.cursor(PUSH_CURSOR), limit) as OutboxDbRow[]
    ).map(toOutbox)
    if (rows[0] && rows[0].next_attempt_at > now) return []
    return rows
  }

  head(): OutboxRow | null {
    const row = this.db
      .prepare('SELECT * FROM sync_outbox WHERE seq > ? ORDER BY seq LIMIT 1')
      .get(this.cursor(PUSH_CURSOR)) as OutboxDbRow | undefined
    return row ? toOutbox(row) : null
  }

  /** Entries the core (HTTP) has not acknowledged yet. */
  depth(): number {
    return this.countAfter(PUSH_CURSOR)
  }

  /** The core (HTTP) acknowledged the entry; it leaves the outbox unless NATS still needs it. */
  delivered(seq: number): void {
    this.advance(PUSH_CURSOR, seq)
    this.prune()
  }

  /** The batch failed: its head waits until `nextAt`; all keep their keys. */
  failed(seqs: readonly number[], error: string, nextAt: number): void {
    const update = this.db.prepare(
      'UPDATE sync_outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ? WHERE seq = ?',
    )
    this.db.transaction(() => {
      for (const seq of seqs) update.run(nextAt, error, seq)
    })()
  }

  addConflict(local: SyncRecord, remote: SyncRecord, winner: 'local' | 'remote'): SyncConflict {
    const id = Number(
      this.db
        .prepare(
          'INSERT INTO sync_conflicts (kind, object_id, local, remote, winner, detected_at) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(local.kind, local.id, JSON.stringify(local), JSON.stringify(remote), winner, this.now())
        .lastInsertRowid,
    )
    return this.conflict(id)
  }

  /** The open conflict on one object, if any (two-way sync keeps one per object). */
  openConflict(kind: SyncKind, id: string): SyncConflict | null {
    const row = this.db
      .prepare(
        'SELECT * FROM sync_conflicts WHERE kind = ? AND object_id = ? AND resolved_at IS NULL ORDER BY id DESC LIMIT 1',
      )
      .get(kind, id) as ConflictDbRow | undefined
    return row ? toConflict(row) : null
  }

  /** A later clash on an object already in conflict: the open conflict shows the latest versions. */
  reviseConflict(id: number, local: SyncRecord, remote: SyncRecord): SyncConflict {
    this.db
      .prepare('UPDATE sync_conflicts SET local = ?, remote = ?, detected_at = ? WHERE id = ?')
      .run(JSON.stringify(local), JSON.stringify(remote), this.now(), id)
    return this.conflict(id)
  }

  conflict(id: number): SyncConflict {
    const row = this.db.prepare('SELECT * FROM sync_conflicts WHERE id = ?').get(id) as
      ConflictDbRow | undefined
    if (!row) throw new ContractError('not_found', `no sync conflict with id ${id}`)
    return toConflict(row)
  }

  conflicts(options: { open?: boolean; limit?: number } = {}): SyncConflict[] {
    const where = options.open === false ? '' : 'WHERE resolved_at IS NULL'
    return (
      this.db
        .prepare(`SELECT * FROM sync_conflicts ${where} ORDER BY id DESC LIMIT ?`)
        .all(options.limit ?? 100) as ConflictDbRow[]
    ).map(toConflict)
  }

  openConflicts(): number {
    return (
      this.db.prepare('SELECT count(*) AS n FROM sync_conflicts WHERE resolved_at IS NULL').get() as {
        n: number
      }
    ).n
  }

  markResolved(id: number, resolution: 'local' | 'remote'): void {
    this.db
      .prepare('UPDATE sync_conflicts SET resolved_at = ?, resolution = ? WHERE id = ?')
      .run(this.now(), resolution, id)
  }

  /** Drops the queued versions of one object (a resolution taking the remote). */
  dropQueued(kind: SyncKind, id: string): number {
    return this.db.prepare('DELETE FROM sync_outbox WHERE kind = ? AND object_id = ?').run(kind, id).changes
  }

  queued(kind: SyncKind, id: string): OutboxRow | null {
    const row = this.db
      .prepare('SELECT * FROM sync_outbox WHERE kind = ? AND object_id = ? ORDER BY seq DESC LIMIT 1')
      .get(kind, id) as OutboxDbRow | undefined
    return row ? toOutbox(row) : null
  }

  /**
   * A version of the object was applied (pulled, or waiting here until an applier took it): it
   * and the older ones still waiting (refused, say) leave, never to be applied over it later.
   */
  dropInboxBelow(kind: SyncKind, id: string, version: number): void {
    this.db.prepare('DELETE FROM sync_inbox WHERE kind = ? AND id = ? AND version < ?').run(kind, id, version)
  }

  putInbox(record: SyncRecord): void {
    this.db
      .prepare(
        `INSERT INTO sync_inbox (kind, id, version, record, pulled_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (kind, id, version) DO NOTHING`,
      )
      .run(record.kind, record.id, record.version, JSON.stringify(record), this.now())
  }

  inbox(kind?: SyncKind): SyncRecord[] {
    const rows = (
      kind
        ? this.db.prepare('SELECT record FROM sync_inbox WHERE kind = ? ORDER BY pulled_at').all(kind)
        : this.db.prepare('SELECT record FROM sync_inbox ORDER BY pulled_at').all()
    ) as Array<{ record: string }>
    return rows.map((r) => JSON.parse(r.record) as SyncRecord)
  }

  // Delivery channels. The outbox is one queue with a cursor per channel: the core over HTTP
  // (push_cursor), when enabled NATS JetStream (nats_cursor), and bundles written with
  // `bundle export --outbox` (bundle_cursor). Each delivers in seq order and moves its own
  // cursor; an entry leaves once every channel in use is past it. The HTTP channel counts unless
  // this is an export-only console with no core configured (a data diode: bundles are its way
  // out), so a console not connected yet keeps its entries for the core it will reach. The
  // bundle channel counts on an export-only console; elsewhere its cursor only marks what
  // bundles carried so far.

  /** Off (a core): changes are versioned but not queued, and what was queued before goes. */
  queueOutbox(enabled: boolean): void {
    this.queueing = enabled
    if (!enabled) this.db.prepare('DELETE FROM sync_outbox').run()
  }

  /** Turns the NATS channel on or off; off forgets what only NATS was still waiting for. */
  useNats(enabled: boolean): void {
    this.nats = enabled
    this.prune()
  }

  /**
   * Makes bundles a channel that counts (an export-only console), with `http` saying whether
   * the core channel still counts (a core configured).
   */
  useBundles(enabled: boolean, http: () => boolean = () => true): void {
    this.bundles = enabled
    this.http = enabled ? http : () => true
    this.prune()
  }

  /** Entries no bundle carried yet, in order (all of them: a bundle takes the whole rest). */
  bundleDue(): OutboxRow[] {
    return (
      this.db
        .prepare('SELECT * FROM sync_outbox WHERE seq > ? ORDER BY seq')
        .all(this.cursor(BUNDLE_CURSOR)) as OutboxDbRow[]
    ).map(toOutbox)
  }

  /** A bundle carrying the entries up to `seq` is written: they leave unless another channel needs them. */
  bundleDelivered(seq: number): void {
    this.advance(BUNDLE_CURSOR, seq)
    this.prune()
  }

  /**
   * After an outbox bundle was recorded: the entries queued after `before` (its own audit entry)
   * count as carried too, when no other entry waits below them.
   */
  bundleSkipOwn(before: number): void {
    const waiting = this.db
      .prepare('SELECT count(*) FROM sync_outbox WHERE seq > ? AND seq <= ?')
      .pluck()
      .get(this.cursor(BUNDLE_CURSOR), before) as number
    if (waiting === 0) this.bundleDelivered(this.lastSeq())
  }

  /** The highest outbox seq handed out so far (0 before the first). */
  lastSeq(): number {
    return (
      (this.db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'sync_outbox'").pluck().get() as
        number | undefined) ?? 0
    )
  }

  /** Entries no bundle carried yet. */
  bundleDepth(): number {
    return this.countAfter(BUNDLE_CURSOR)
  }

  /** Removes the entries every channel in use is past. */
  private prune(): void {
    const cursors = [
      ...(this.http() ? [this.cursor(PUSH_CURSOR)] : []),
      ...(this.nats ? [this.cursor(NATS_CURSOR)] : []),
      ...(this.bundles ? [this.cursor(BUNDLE_CURSOR)] : []),
    ]
    // No channel in use (an export-only console never exporting --outbox keeps everything).
    if (cursors.length === 0) return
    this.db.prepare('DELETE FROM sync_outbox WHERE seq <= ?').run(Math.min(...cursors))
  }

  /** The next entries NATS has not published, in order. */
  natsDue(limit: number): OutboxRow[] {
    return (
      this.db
        .prepare('SELECT * FROM sync_outbox WHERE seq > ? ORDER BY seq LIMIT ?')
        .all(this.cursor(NATS_CURSOR), limit) as OutboxDbRow[]
    ).map(toOutbox)
  }

  /** JetStream acknowledged the entry; it leaves the outbox if the core has it too. */
  natsDelivered(seq: number): void {
    this.advance(NATS_CURSOR, seq)
    this.prune()
  }

  /** Entries NATS has not published yet. */
  natsDepth(): number {
    return this.countAfter(NATS_CURSOR)
  }

  private cursor(key: string): number {
    return Number(this.state(key) ?? 0)
  }

  private advance(key: string, seq: number): void {
    if (seq > this.cursor(key)) this.setState(key, String(seq))
  }

  private countAfter(key: string): number {
    return (
      this.db.prepare('SELECT count(*) AS n FROM sync_outbox WHERE seq > ?').get(this.cursor(key)) as {
        n: number
      }
    ).n
  }

  // Objects changed in bulk (the asset inventory counting events): marked dirty in the change's
  // transaction, one row per object, and queued later by whoever drains them at its own pace.

  markDirty(kind: SyncKind, ids: Iterable<string>): void {
    const mark = this.db.prepare(
      'INSERT INTO sync_dirty (kind, id, since) VALUES (?, ?, ?) ON CONFLICT (kind, id) DO NOTHING',
    )
    const now = this.now()
    for (const id of ids) mark.run(kind, id, now)
  }

  /** Up to `limit` dirty objects, oldest first, removed from the dirty set (call in a transaction). */
  takeDirty(limit: number): Array<{ kind: SyncKind; id: string }> {
    const rows = this.db
      .prepare('SELECT kind, id FROM sync_dirty ORDER BY since, rowid LIMIT ?')
      .all(limit) as Array<{ kind: SyncKind; id: string }>
    const clear = this.db.prepare('DELETE FROM sync_dirty WHERE kind = ? AND id = ?')
    for (const row of rows) clear.run(row.kind, row.id)
    return rows
  }

  dirtyCount(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM sync_dirty').get() as { n: number }).n
  }
}

import type { Database, Statement } from 'better-sqlite3'
import { newEventId } from '../../ingest/event-id'
import type { EventKind, EventSummary, StoredEvent } from '../../contract'

/** An event ready to store: normalized by ingest, not yet given a seq. */
export type NewEvent = {
  id: string
  ts: number
  received_at: number
  listener: string
  source: string | null
  host: string | null
  severity: string | null
  message: string | null
  fields: string // JSON text of the source's original event
  /** JSON.parse(fields), when ingest has it at hand; never stored, only handed to the engine. */
  record?: Record<string, unknown>
  /** Set when the event is itself a detection (e.g. a Wazuh alert): raised in the same transaction. */
  alert?: AlertDraft
}

export type AlertDraft = {
  origin: string
  rule_id: string | null
  title: string
  level: 'informational' | 'low' | 'medium' | 'high' | 'critical'
  ts: number
  tags: string[]
  techniques: string[]
  host: string | null
}

/** A stored row as the detector reads it (events table columns). */
export type CommittedEvent = {
  seq: number
  id: string
  kind: EventKind
  ts: number
  host: string | null
  fields: string
  record?: Record<string, unknown> | undefined
}

/** A committed row whole: what the archive copies. */
export type CommittedRow = CommittedEvent & {
  received_at: number
  listener: string
  source: string | null
  severity: string | null
  message: string | null
}

type Row = Omit<NewEvent, 'fields'> & { seq: number; kind: EventKind }

const toSummary = (row: Row): EventSummary => ({
  seq: row.seq,
  id: row.id,
  kind: row.kind,
  timestamp: new Date(row.ts).toISOString(),
  received_at: new Date(row.received_at).toISOString(),
  listener: row.listener,
  source: row.source,
  host: row.host,
  severity: row.severity,
  message: row.message,
})

const SUMMARY_COLUMNS = 'seq, id, kind, ts, received_at, listener, source, host, severity, message'

export class EventsRepo {
  private readonly insertOne: Statement<NewEvent>
  private readonly insertArtifact: Statement<NewEvent>
  private readonly insertAlert: Statement<
    [
      string,
      number,
      number,
      number,
      number,
      string,
      string | null,
      string,
      string,
      string,
      string,
      string | null,
      string,
      string,
    ]
  >
  private readonly insertKey: Statement<[string, string, number, number]>
  private readonly pageNewest: Statement<[number]>
  private readonly pageBefore: Statement<[number, number]>
  private readonly byId: Statement<[string]>
  private readonly afterSeq: Statement<{ cursor: number; limit: number }, CommittedEvent>
  private readonly bySeqRange: Statement<[number, number, number]>
  private total: number
  private readonly newest: Statement<[], { seq: number }>

  constructor(private readonly db: Database) {
    this.insertOne = db.prepare(
      // A retried event (same id, e.g. the source's event.id) is stored once.
      `INSERT INTO events (id, ts, received_at, listener, source, host, severity, message, fields)
       VALUES (@id, @ts, @received_at, @listener, @source, @host, @severity, @message, @fields)
       ON CONFLICT (id) DO NOTHING`,
    )
    this.insertArtifact = db.prepare(
      `INSERT INTO events (id, kind, ts, received_at, listener, source, host, severity, message, fields)
       VALUES (@id, 'artifact', @ts, @received_at, @listener, @source, @host, @severity, @message, @fields)
       ON CONFLICT (id) DO NOTHING`,
    )
    this.insertAlert = db.prepare(
      `INSERT INTO alerts (id, created_at, updated_at, ts, last_ts, origin, rule_id, title, level, tags,
                           techniques, host, event_id, event_ids)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, json_array(?))`,
    )
    this.insertKey = db.prepare(
      'INSERT INTO idempotency_keys (key, listener, created_at, events) VALUES (?, ?, ?, ?) ON CONFLICT (key) DO NOTHING',
    )
    this.pageNewest = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM events ORDER BY seq DESC LIMIT ?`)
    this.pageBefore = db.prepare(
      `SELECT ${SUMMARY_COLUMNS} FROM events WHERE seq < ? ORDER BY seq DESC LIMIT ?`,
    )
    this.byId = db.prepare(`SELECT ${SUMMARY_COLUMNS}, fields FROM events WHERE id = ?`)
    this.afterSeq = db.prepare(
      'SELECT seq, id, kind, ts, host, fields FROM events WHERE seq > @cursor ORDER BY seq LIMIT @limit',
    )
    this.bySeqRange = db.prepare(
      `SELECT ${SUMMARY_COLUMNS} FROM events WHERE seq BETWEEN ? AND ? ORDER BY seq DESC LIMIT ?`,
    )
    this.total = (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n
    this.newest = db.prepare('SELECT coalesce(max(seq), 0) AS seq FROM events')
  }

  /**
   * Inserts in one transaction (the caller's group commit). Returns the seq range written and how
   * many were new (duplicates of stored ids are skipped, not errors).
   */
  insertBatch(events: readonly NewEvent[]): { first: number; last: number; inserted: number } {
    return this.commit([{ events, key: null }]).range
  }

  /**
   * One transaction for several submissions. A submission whose idempotency key was already
   * committed is skipped whole (`duplicates[i]` true); its key and its events commit together.
   */
  commit(
    submissions: ReadonlyArray<{
      events: readonly NewEvent[]
      key: { key: string; listener: string } | null
      kind?: EventKind
    }>,
  ): {
    range: { first: number; last: number; inserted: number }
    duplicates: boolean[]
    alerts: number
    /** The rows written, in seq order, as a reader of the table would get them. */
    committed: CommittedRow[]
  } {
    const committed: CommittedRow[] = []
    let first = 0
    let last = 0
    let inserted = 0
    let alerts = 0
    const duplicates: boolean[] = []
    const now = Date.now()
    this.db.transaction(() => {
      for (const submission of submissions) {
        if (submission.key) {
          const { key, listener } = submission.key
          const fresh = this.insertKey.run(key, listener, now, submission.events.length).changes === 1
          duplicates.push(!fresh)
          if (!fresh) continue
        } else duplicates.push(false)
        const insert = submission.kind === 'artifact' ? this.insertArtifact : this.insertOne
        for (const event of submission.events) {
          const info = insert.run(event)
          if (info.changes === 0) continue
          if (event.alert) {
            const a = event.alert
            this.insertAlert.run(
              newEventId(now),
              now,
              now,
              a.ts,
              a.ts,
              a.origin,
              a.rule_id,
              a.title,
              a.level,
              JSON.stringify(a.tags),
              JSON.stringify(a.techniques),
              a.host,
              event.id,
              event.id,
            )
            alerts++
          }
          const seq = Number(info.lastInsertRowid)
          committed.push({
            seq,
            id: event.id,
            kind: submission.kind ?? 'event',
            ts: event.ts,
            host: event.host,
            fields: event.fields,
            record: event.record,
            received_at: event.received_at,
            listener: event.listener,
            source: event.source,
            severity: event.severity,
            message: event.message,
          })
          if (first === 0) first = seq
          last = seq
          inserted++
        }
      }
    })()
    this.total += inserted
    return { range: { first, last, inserted }, duplicates, alerts, committed }
  }

  /** Idempotency keys older than `maxAgeMs` are forgotten. */
  pruneIdempotencyKeys(maxAgeMs: number): number {
    return this.db.prepare('DELETE FROM idempotency_keys WHERE created_at < ?').run(Date.now() - maxAgeMs)
      .changes
  }

  /**
   * Per source (host, else peer address): when it was last heard from, among events whose own
   * time is after `since` (the ts index keeps this to the recent rows). For the monitor agent.
   */
  lastSeenBySource(since: number): Array<{ source: string; last_seen: number; events: number }> {
    return this.db
      .prepare(
        `SELECT coalesce(host, source, listener) AS source, max(received_at) AS last_seen, count(*) AS events
         FROM events WHERE ts >= ? GROUP BY 1 ORDER BY 1`,
      )
      .all(since) as Array<{ source: string; last_seen: number; events: number }>
  }

  count(): number {
    return this.total
  }

  /** The newest seq stored (0: none): how far the archive and the engines have to go. */
  newestSeq(): number {
    return this.newest.get()?.seq ?? 0
  }

  /**
   * Retention: deletes up to `limit` events with seq at most `upToSeq` (what the archive and the
   * detection engine have taken) and older than `before` (ms). Returns how many went.
   */
  deleteOld(upToSeq: number, before: number, limit: number): number {
    const deleted = this.db
      .prepare(
        `DELETE FROM events WHERE seq IN (
           SELECT seq FROM events WHERE seq <= @upToSeq AND ts < @before ORDER BY seq LIMIT @limit)`,
      )
      .run({ upToSeq, before, limit }).changes
    this.total -= deleted
    return deleted
  }

  list(limit: number, before?: number): EventSummary[] {
    const rows = (
      before === undefined ? this.pageNewest.all(limit) : this.pageBefore.all(before, limit)
    ) as Row[]
    return rows.map(toSummary)
  }

  /** Newest first, at most `limit`, within a seq range just written. */
  range(first: number, last: number, limit: number): EventSummary[] {
    return (this.bySeqRange.all(first, last, limit) as Row[]).map(toSummary)
  }

  /** Up to `limit` stored rows after `cursor`, in seq order, as the event stream's consumers read them. */
  after(cursor: number, limit: number): CommittedEvent[] {
    return this.afterSeq.all({ cursor, limit })
  }

  get(id: string): StoredEvent | undefined {
    const row = this.byId.get(id) as (Row & { fields: string }) | undefined
    if (!row) return undefined
    return { ...toSummary(row), fields: JSON.parse(row.fields) as Record<string, unknown> }
  }
}

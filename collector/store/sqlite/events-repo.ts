import type { Database, Statement } from 'better-sqlite3'
import type { EventSummary, StoredEvent } from '../../contract'

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
}

type Row = Omit<NewEvent, 'fields'> & { seq: number }

const toSummary = (row: Row): EventSummary => ({
  seq: row.seq,
  id: row.id,
  timestamp: new Date(row.ts).toISOString(),
  received_at: new Date(row.received_at).toISOString(),
  listener: row.listener,
  source: row.source,
  host: row.host,
  severity: row.severity,
  message: row.message,
})

const SUMMARY_COLUMNS = 'seq, id, ts, received_at, listener, source, host, severity, message'

export class EventsRepo {
  private readonly insertOne: Statement<NewEvent>
  private readonly pageNewest: Statement<[number]>
  private readonly pageBefore: Statement<[number, number]>
  private readonly byId: Statement<[string]>
  private readonly bySeqRange: Statement<[number, number, number]>
  private total: number

  constructor(private readonly db: Database) {
    this.insertOne = db.prepare(
      `INSERT INTO events (id, ts, received_at, listener, source, host, severity, message, fields)
       VALUES (@id, @ts, @received_at, @listener, @source, @host, @severity, @message, @fields)`,
    )
    this.pageNewest = db.prepare(`SELECT ${SUMMARY_COLUMNS} FROM events ORDER BY seq DESC LIMIT ?`)
    this.pageBefore = db.prepare(
      `SELECT ${SUMMARY_COLUMNS} FROM events WHERE seq < ? ORDER BY seq DESC LIMIT ?`,
    )
    this.byId = db.prepare(`SELECT ${SUMMARY_COLUMNS}, fields FROM events WHERE id = ?`)
    this.bySeqRange = db.prepare(
      `SELECT ${SUMMARY_COLUMNS} FROM events WHERE seq BETWEEN ? AND ? ORDER BY seq DESC LIMIT ?`,
    )
    this.total = (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n
  }

  /** Inserts in one transaction (the caller's group commit); returns the seq range written. */
  insertBatch(events: readonly NewEvent[]): { first: number; last: number } {
    let first = 0
    let last = 0
    this.db.transaction(() => {
      for (const event of events) {
        const seq = Number(this.insertOne.run(event).lastInsertRowid)
        if (first === 0) first = seq
        last = seq
      }
    })()
    this.total += events.length
    return { first, last }
  }

  count(): number {
    return this.total
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

  get(id: string): StoredEvent | undefined {
    const row = this.byId.get(id) as (Row & { fields: string }) | undefined
    if (!row) return undefined
    return { ...toSummary(row), fields: JSON.parse(row.fields) as Record<string, unknown> }
  }
}

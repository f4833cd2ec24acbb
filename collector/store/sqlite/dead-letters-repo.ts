import type { Database, Statement } from 'better-sqlite3'
import type { DeadLetter } from '../../contract'

const MAX_PAYLOAD = 64 * 1024
/** A flood of garbage must not turn into a flood of fsyncs: at most this many kept per flush. */
const MAX_PENDING = 1000
const FLUSH_MS = 500

type Row = [number, string, string | null, string, Buffer | null, number]

/**
 * Refused input, kept (truncated) with its reason so an operator can see what a device sent.
 * Written in batches; past MAX_PENDING per flush the rest are only counted (`overflow`).
 */
export class DeadLettersRepo {
  private readonly insert: Statement<Row>
  private pending: Row[] = []
  private timer: NodeJS.Timeout | undefined
  overflow = 0

  constructor(private readonly db: Database) {
    this.insert = db.prepare(
      'INSERT INTO dead_letters (received_at, listener, source, reason, payload, payload_bytes) VALUES (?, ?, ?, ?, ?, ?)',
    )
  }

  add(listener: string, source: string | null, reason: string, payload: Buffer | string | null): void {
    if (this.pending.length >= MAX_PENDING) {
      this.overflow++
      return
    }
    const bytes = payload === null ? null : typeof payload === 'string' ? Buffer.from(payload) : payload
    this.pending.push([
      Date.now(),
      listener,
      source,
      reason,
      bytes && Buffer.from(bytes.subarray(0, MAX_PAYLOAD)),
      bytes?.length ?? 0,
    ])
    this.timer ??= setTimeout(() => this.flush(), FLUSH_MS)
  }

  flush(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    const rows = this.pending
    if (rows.length === 0) return
    this.pending = []
    this.db.transaction(() => {
      for (const row of rows) this.insert.run(...row)
    })()
  }

  /** Refused inputs kept since `since` (ms), for the monitor agent. */
  countSince(since: number): number {
    this.flush()
    return (
      this.db.prepare('SELECT count(*) AS n FROM dead_letters WHERE received_at >= ?').get(since) as {
        n: number
      }
    ).n
  }

  list(limit: number): DeadLetter[] {
    this.flush()
    const rows = this.db
      .prepare(
        'SELECT id, received_at, listener, source, reason, payload, payload_bytes FROM dead_letters ORDER BY id DESC LIMIT ?',
      )
      .all(limit) as Array<{
      id: number
      received_at: number
      listener: string
      source: string | null
      reason: string
      payload: Buffer | null
      payload_bytes: number
    }>
    return rows.map((r) => ({
      id: r.id,
      received_at: new Date(r.received_at).toISOString(),
      listener: r.listener,
      source: r.source,
      reason: r.reason,
      payload: r.payload ? r.payload.toString('utf8') : null,
      payload_bytes: r.payload_bytes,
      truncated: (r.payload?.length ?? 0) < r.payload_bytes,
    }))
  }
}

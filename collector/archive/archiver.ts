import { timestampTZValue, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api'
import type { Database, Statement } from 'better-sqlite3'
import { createRecordView } from '../detect/record'
import type { FieldAlias } from '../detect/sigma/field-aliases'
import type { DuckArchive } from '../store/duckdb/archive'
import type { CommittedRow } from '../store/sqlite/events-repo'
import { LiveRows } from '../store/sqlite/live-rows'
import { hotFields } from './hot-fields'

type SqliteRow = CommittedRow

export type ArchiverOptions = {
  /** Events per DuckDB transaction. */
  batchSize?: number
  /** Wait this long after a kick before draining, so small commits gather into one batch. */
  delayMs?: number
  aliases?: readonly FieldAlias[]
  /** Called after each committed batch and each failure: the watermark, rate or error changed. */
  changed?: () => void
}

const micros = (ms: number) => timestampTZValue(BigInt(Math.round(ms)) * 1000n)

const WATERMARK = 'watermark'
const RETRY_MS = 5000
/** Rows appended between yields to the event loop: a few milliseconds' work. */
const APPEND_SLICE = 500

/**
 * Copies committed events from SQLite into the DuckDB archive, in seq order, through the
 * Appender on its own connection. The watermark (the last seq archived) is stored in DuckDB in
 * the same transaction as the rows, so after a crash the archive resumes exactly after what it
 * holds: nothing lost, nothing twice.
 */
export class Archiver {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> = Promise.resolve()
  private stopped = false
  private mark: number
  /** Rows the pipeline just committed (parsed fields at hand), else read back from SQLite. */
  private readonly liveRows: LiveRows<SqliteRow>
  private readonly newest: Statement
  private readonly batchSize: number
  private readonly delayMs: number
  private readonly view: (fields: Record<string, unknown>) => Record<string, unknown>
  /** (time, events) of recent batches, for the rate over the last minute. */
  private readonly recent: Array<[number, number]> = []
  private lastError: string | null = null
  /** A failed batch leaves the appender unusable: replaced before the next one. */
  private broken = false
  private readonly changed: () => void

  private constructor(
    private readonly sqlite: Database,
    private readonly writer: DuckDBConnection,
    private appender: DuckDBAppender,
    watermark: number,
    options: ArchiverOptions,
  ) {
    this.mark = watermark
    this.batchSize = options.batchSize ?? 50_000
    this.delayMs = options.delayMs ?? 200
    this.changed = options.changed ?? (() => undefined)
    // One view for the stream: auditd's SYSCALL/EXECVE pairs are joined as the engine joins them.
    this.view = createRecordView(options.aliases ?? [])
    const next: Statement<{ after: number; limit: number }, SqliteRow> = sqlite.prepare(
      `SELECT seq, id, kind, ts, received_at, listener, source, host, severity, message, fields
       FROM events WHERE seq > @after ORDER BY seq LIMIT @limit`,
    )
    // Held up to two batches: beyond that, the backlog is read back from SQLite.
    this.liveRows = new LiveRows((after, limit) => next.all({ after, limit }), 2 * this.batchSize)
    this.newest = sqlite.prepare('SELECT coalesce(max(seq), 0) AS seq FROM events')
  }

  static async open(
    sqlite: Database,
    archive: DuckArchive,
    options: ArchiverOptions = {},
  ): Promise<Archiver> {
    const writer = await archive.connect()
    try {
      const watermark = await readWatermark(writer)
      const appender = await writer.createAppender('events')
      return new Archiver(sqlite, writer, appender, watermark, options)
    } catch (error) {
      writer.closeSync()
      throw error
    }
  }

  /** The last SQLite seq in the archive. */
  get watermark(): number {
    return this.mark
  }

  get error(): string | null {
    return this.lastError
  }

  /** The newest seq SQLite holds: `sqliteNewest - watermark` is the lag. */
  sqliteNewest(): number {
    return (this.newest.get() as { seq: number }).seq
  }

  /** Archived events per second over the last minute. */
  rate(now = Date.now()): number {
    while (this.recent.length && (this.recent[0]?.[0] ?? 0) < now - 60_000) this.recent.shift()
    const events = this.recent.reduce((sum, [, n]) => sum + n, 0)
    return events / 60
  }

  /** Rows the pipeline just committed: archived from memory when they follow the watermark. */
  offer(rows: readonly SqliteRow[]): void {
    if (this.stopped) return
    this.liveRows.offer(rows)
    this.kick()
  }

  /** New events were committed: archive them soon (batched). */
  kick(): void {
    if (this.stopped || this.timer) return
    this.timer = setTimeout(() => {
      this.timer = undefined
      void this.drain()
    }, this.delayMs)
  }

  /**
   * Archives everything committed so far; one drain at a time. Resolves when caught up, stopped,
   * or a batch failed (`error` says why; retried in a few seconds: the watermark did not move).
   */
  drain(): Promise<void> {
    this.running = this.running.then(async () => {
      try {
        while (!this.stopped) {
          const rows = this.liveRows.next(this.mark, this.batchSize)
          if (rows.length === 0) return
          await this.append(rows)
          this.lastError = null
          this.changed()
          // Ingest and queries run between batches.
          await new Promise((resolve) => setImmediate(resolve))
        }
      } catch (error) {
        this.lastError = (error as Error).message
        this.changed()
        // Retried soon even if no new events come to kick it (a full disk freed, say).
        if (!this.stopped && !this.timer) {
          this.timer = setTimeout(() => {
            this.timer = undefined
            void this.drain()
          }, RETRY_MS)
          this.timer.unref()
        }
      }
    })
    return this.running
  }

  private async append(rows: readonly SqliteRow[]): Promise<void> {
    if (this.broken) {
      try {
        this.appender.closeSync()
      } catch {
        // it already failed
      }
      this.appender = await this.writer.createAppender('events')
      this.broken = false
    }
    const a = this.appender
    await this.writer.run('BEGIN TRANSACTION')
    try {
      let sliced = 0
      for (const row of rows) {
        // Appending is synchronous: the event loop (ingest, calls) gets a turn every slice, the
        // transaction stays open across them (this connection is the archiver's alone).
        if (++sliced === APPEND_SLICE) {
          sliced = 0
          await new Promise((resolve) => setImmediate(resolve))
        }
        let parsed: Record<string, unknown>
        let json = row.fields
        try {
          parsed = row.record ?? (JSON.parse(row.fields) as Record<string, unknown>)
          if (typeof parsed !== 'object' || parsed === null) parsed = { value: parsed }
        } catch {
          // Never expected from ingest; kept as text so one bad row cannot stall the archive.
          parsed = {}
          json = JSON.stringify({ _raw: row.fields })
        }
        const hot = hotFields(this.view(parsed), row.host)
        a.appendBigInt(BigInt(row.seq))
        a.appendVarchar(row.id)
        a.appendTimestampTZ(micros(row.ts))
        a.appendTimestampTZ(micros(row.received_at))
        a.appendVarchar(row.listener)
        text(a, row.source)
        text(a, hot.host)
        text(a, row.severity)
        text(a, row.message)
        a.appendVarchar(json)
        text(a, hot.kind ?? (row.kind === 'artifact' ? 'artifact' : null))
        text(a, hot.event_code)
        text(a, hot.channel)
        text(a, hot.user_name)
        text(a, hot.process)
        text(a, hot.parent_process)
        text(a, hot.command_line)
        text(a, hot.src_ip)
        text(a, hot.dst_ip)
        if (hot.dst_port === null) a.appendNull()
        else a.appendInteger(hot.dst_port)
        a.endRow()
      }
      a.flushSync()
      const last = (rows[rows.length - 1] as SqliteRow).seq
      await this.writer.run(
        `INSERT INTO archive_state VALUES ('${WATERMARK}', $1) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
        [BigInt(last)],
      )
      await this.writer.run('COMMIT')
      this.mark = last
      this.recent.push([Date.now(), rows.length])
    } catch (error) {
      this.broken = true
      await this.writer.run('ROLLBACK').catch(() => undefined)
      throw error
    }
  }

  /**
   * Finishes the batch under way and releases the connection; what is left is archived at the
   * next start (after the watermark), so a long catch-up never holds up shutdown. Idempotent.
   */
  async stop(): Promise<void> {
    if (this.stopped) return
    this.stopped = true
    clearTimeout(this.timer)
    this.timer = undefined
    await this.running
    try {
      if (!this.broken) this.appender.closeSync()
    } catch {
      // nothing uncommitted is in it: every batch ends with a flush
    }
    this.writer.closeSync()
  }
}

const text = (a: DuckDBAppender, value: string | null): void => {
  if (value === null) a.appendNull()
  else a.appendVarchar(value)
}

export const readWatermark = async (connection: DuckDBConnection): Promise<number> => {
  const reader = await connection.runAndReadAll(
    `SELECT coalesce(max(value), 0) AS v FROM archive_state WHERE key = '${WATERMARK}'`,
  )
  return Number(reader.getRowObjectsJS()[0]?.v ?? 0)
}

import { timestampTZValue, type DuckDBAppender, type DuckDBConnection } from '@duckdb/node-api'
import type { DuckArchive } from './archive'

export const METRIC_KINDS = ['gauge', 'counter', 'sum', 'histogram', 'summary'] as const
export type MetricKind = (typeof METRIC_KINDS)[number]

/** One data point, as the listeners hand it over. Times are ms since the epoch. */
export type MetricPoint = {
  ts: number
  source: string
  name: string
  kind: MetricKind
  value: number
  unit: string | null
  attributes: Record<string, unknown>
  receivedAt: number
}

export type MetricSeriesInfo = {
  name: string
  kind: MetricKind
  unit: string | null
  last_value: number
  last_ts: number
  points: number
}
export type MetricSourceInfo = { source: string; series: MetricSeriesInfo[] }
export type MetricSample = { t: number; value: number }

export type MetricsStoreOptions = {
  /** Flush once this many points are waiting. */
  batchSize?: number
  /** ...or this long after the first one arrived. */
  flushIntervalMs?: number
  /** Points held in memory at most; see `write`. */
  maxBuffered?: number
}

/** The buffer is full: nothing of this batch was taken, the sender should retry. */
export class MetricsBufferFull extends Error {
  override readonly name = 'MetricsBufferFull'
}

// Year 5138 or so: far inside DuckDB's TIMESTAMPTZ range, far beyond any honest clock.
export const MAX_TS_MS = 1e14

const DEFAULTS = { batchSize: 1000, flushIntervalMs: 1000, maxBuffered: 100_000 }

type Waiter = { resolve: () => void; reject: (error: Error) => void }

/**
 * Metric points into DuckDB through its Appender (columnar, far cheaper than INSERTs per point),
 * in batches: on size, about every second, and on close. Reads aggregate in DuckDB so the UI
 * only ever receives a few hundred points per series.
 */
export class MetricsStore {
  private buffer: MetricPoint[] = []
  /** Callers waiting for the points they handed over to reach DuckDB. */
  private waiters: Waiter[] = []
  private timer: NodeJS.Timeout | undefined
  private flushing: Promise<void> = Promise.resolve()
  private closed = false
  private droppedPoints = 0
  /** A failed flush (disk full, I/O error) leaves the appender unusable: replaced before the next one. */
  private appenderBroken = false
  private readonly options: Required<MetricsStoreOptions>

  private constructor(
    private readonly query: DuckDBConnection,
    private readonly writer: DuckDBConnection,
    private appender: DuckDBAppender,
    options: MetricsStoreOptions,
  ) {
    this.options = { ...DEFAULTS, ...options }
  }

  static async open(archive: DuckArchive, options: MetricsStoreOptions = {}): Promise<MetricsStore> {
    // Its own connection: appends never wait behind, or interleave with, a slow analytics query.
    const writer = await archive.connect()
    try {
      const appender = await writer.createAppender('metrics')
      return new MetricsStore(archive.connection, writer, appender, options)
    } catch (error) {
      writer.closeSync()
      throw error
    }
  }

  /** Points dropped because the buffer was full, since start. */
  get dropped(): number {
    return this.droppedPoints
  }

  get buffered(): number {
    return this.buffer.length
  }

  /**
   * Buffers the points and resolves once they are flushed to DuckDB: the sender is acknowledged
   * only then. The buffer is bounded so a stalled DuckDB (a long checkpoint, a full disk) cannot
   * grow memory without limit; past the cap the whole batch is refused (and counted as dropped)
   * rather than split, so a retrying sender resends it whole and nothing is stored twice.
   */
  write(points: readonly MetricPoint[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the metrics store is closed'))
    if (points.length === 0) return Promise.resolve()
    // Checked here, before anything is appended: an Appender that fails mid-batch has already
    // taken the rows before it, and would flush them on close although the sender was refused.
    const bad = points.find((p) => !(Math.abs(p.ts) < MAX_TS_MS && Number.isFinite(p.value)))
    if (bad) return Promise.reject(new RangeError(`${bad.name}: timestamp or value out of range`))
    if (this.buffer.length + points.length > this.options.maxBuffered) {
      this.droppedPoints += points.length
      return Promise.reject(
        new MetricsBufferFull(`metrics buffer full (${this.options.maxBuffered} points waiting for DuckDB)`),
      )
    }
    for (const point of points) this.buffer.push(point)
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ resolve, reject }))
    if (this.buffer.length >= this.options.batchSize) void this.flush()
    else this.timer ??= setTimeout(() => void this.flush(), this.options.flushIntervalMs)
    return done
  }

  /** Appends everything buffered so far; one flush at a time. Failures reach the waiters, not here. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(async () => {
      if (this.appenderBroken) {
        try {
          this.appender.closeSync()
        } catch {
          // it already failed; what it held is not acknowledged to anyone
        }
        try {
          this.appender = await this.writer.createAppender('metrics')
          this.appenderBroken = false
        } catch (error) {
          this.failWaiting(error as Error)
          return
        }
      }
      this.flushNow()
    })
    return this.flushing
  }

  private failWaiting(error: Error): void {
    clearTimeout(this.timer)
    this.timer = undefined
    this.droppedPoints += this.buffer.length
    for (const w of this.waiters) w.reject(error)
    this.buffer = []
    this.waiters = []
  }

  private flushNow(): void {
    clearTimeout(this.timer)
    this.timer = undefined
    const points = this.buffer
    const waiters = this.waiters
    if (points.length === 0 && waiters.length === 0) return
    this.buffer = []
    this.waiters = []
    try {
      for (const p of points) {
        const a = this.appender
        a.appendTimestampTZ(timestampTZValue(BigInt(Math.round(p.ts)) * 1000n))
        a.appendVarchar(p.source)
        a.appendVarchar(p.name)
        a.appendVarchar(p.kind)
        a.appendDouble(p.value)
        if (p.unit === null) a.appendNull()
        else a.appendVarchar(p.unit)
        a.appendVarchar(JSON.stringify(p.attributes))
        a.appendTimestampTZ(timestampTZValue(BigInt(Math.round(p.receivedAt)) * 1000n))
        a.endRow()
      }
      // Commits the rows: after this they survive a crash (DuckDB's WAL).
      this.appender.flushSync()
    } catch (error) {
      this.appenderBroken = true
      this.droppedPoints += points.length
      for (const w of waiters) w.reject(error as Error)
      return
    }
    for (const w of waiters) w.resolve()
  }

  /** Every source with its series, newest value of each. */
  async sources(): Promise<MetricSourceInfo[]> {
    const reader = await this.query.runAndReadAll(`
      SELECT source, name, arg_max(kind, ts) AS kind, arg_max(unit, ts) AS unit,
             arg_max(value, ts) AS last_value, epoch_ms(max(ts)) AS last_ts, count(*) AS points
      FROM metrics GROUP BY source, name ORDER BY source, name`)
    const out: MetricSourceInfo[] = []
    for (const row of reader.getRowObjectsJS()) {
      const source = row.source as string
      let entry = out[out.length - 1]
      if (entry?.source !== source) {
        entry = { source, series: [] }
        out.push(entry)
      }
      entry.series.push({
        name: row.name as string,
        kind: row.kind as MetricKind,
        unit: (row.unit as string | null) ?? null,
        last_value: Number(row.last_value),
        last_ts: Number(row.last_ts),
        points: Number(row.points),
      })
    }
    return out
  }

  /**
   * One series between `from` and `to` (ms) in at most `buckets` points, bucketed by DuckDB's
   * `time_bucket`. Gauges are averaged: a reading per bucket that smooths noise without inventing
   * values. Counters, sums, histogram and summary counts/sums are cumulative, so the bucket's last
   * value is the truth at that moment (an average would blur a reset, a sum would be meaningless).
   * OTLP delta sums (attribute `otel.temporality` = delta) are increments, so those are added up.
   */
  async series(
    source: string,
    name: string,
    from: number,
    to: number,
    buckets: number,
  ): Promise<MetricSample[]> {
    const span = Math.max(1, to - from)
    // Whole milliseconds with width * buckets > span, so a point at `to` still falls in the last bucket.
    const widthMs = Math.floor(span / Math.max(1, buckets)) + 1
    const reader = await this.query.runAndReadAll(
      `WITH newest AS (
         SELECT arg_max(kind, ts) AS kind,
                arg_max(json_extract_string(attributes, '$."otel.temporality"'), ts) AS temporality
         FROM metrics WHERE source = $1 AND name = $2
       )
       SELECT epoch_ms(time_bucket(to_milliseconds($5::BIGINT), ts, make_timestamptz($3::BIGINT * 1000))) AS t,
              CASE
                WHEN (SELECT kind FROM newest) = 'gauge' THEN avg(value)
                WHEN (SELECT temporality FROM newest) = 'delta' THEN sum(value)
                ELSE arg_max(value, ts)
              END AS value
       FROM metrics
       WHERE source = $1 AND name = $2
         AND ts >= make_timestamptz($3::BIGINT * 1000) AND ts <= make_timestamptz($4::BIGINT * 1000)
       GROUP BY 1 ORDER BY 1`,
      [source, name, Math.floor(from), Math.ceil(to), widthMs],
    )
    return reader.getRowObjectsJS().map((row) => ({ t: Number(row.t), value: Number(row.value) }))
  }

  /** Flushes what is buffered, then releases the appender. Idempotent. */
  async close(): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.flush()
    if (!this.appenderBroken) this.appender.closeSync()
    this.writer.closeSync()
  }
}

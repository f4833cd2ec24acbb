import { randomUUID } from 'node:crypto'
import { readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { DuckDBConnection, DuckDBValue } from '@duckdb/node-api'
import { ContractError, type CallRes, type FieldSummary, type HuntEvent, type ParsedReq } from '../contract'
import type { ExportProgress } from '../archive/worker-protocol'
import type { DuckArchive } from '../store/duckdb/archive'
import { compileQuery, hotColumn, Params } from './compile'
import { checkConsoleSql } from './console-guard'
import { parseQuery, QuerySyntaxError } from './query'
import { parseTimeBound } from './time'

/** Statement types the SQL console runs (DuckDB's StatementType): SELECT (also DESCRIBE, SHOW, SUMMARIZE) and EXPLAIN. */
const READ_ONLY_STATEMENTS = new Set([1, 4])

const HIT_COLUMNS = `seq, id, epoch_ms(ts) AS ts, epoch_ms(received_at) AS received_at, listener, source, host,
  severity, message, kind, event_code, channel, user_name, process, parent_process, command_line, src_ip, dst_ip, dst_port`

/** Hot text columns the field sidebar summarizes. */
const SUMMARY_COLUMNS = [
  'host',
  'listener',
  'source',
  'severity',
  'kind',
  'event_code',
  'channel',
  'user_name',
  'process',
  'parent_process',
  'command_line',
  'src_ip',
  'dst_ip',
  'dst_port',
]
/** The contract's name for a column where they differ. */
const CONTRACT_NAME: Record<string, string> = { user_name: 'user', ts: 'timestamp' }

/** hunt:search counts matches up to this many (total_capped past it). */
const TOTAL_CAP = 10_000
const FIELD_SAMPLE = 50_000
const JSON_KEY_SAMPLE = 2000
const JSON_KEYS_MAX = 30
const MAX_INLINE_EXPORT = 64 * 1024 * 1024
const PROGRESS_MS = 250

const NICE_INTERVALS = [
  1000, 5000, 10_000, 30_000, 60_000, 300_000, 600_000, 1_800_000, 3_600_000, 10_800_000, 21_600_000,
  43_200_000, 86_400_000, 604_800_000,
]

type Filter = { where: string; params: Params; from: number | null; to: number | null }

/** Just the time range of a filter, with its own parameters from $1. */
const timeOnly = (f: Filter): string =>
  (f.from !== null ? ' AND ts >= make_timestamptz($1::BIGINT)' : '') +
  (f.to !== null ? ` AND ts < make_timestamptz($${f.from !== null ? 2 : 1}::BIGINT)` : '')
const timeParams = (f: Filter): DuckDBValue[] =>
  [f.from, f.to].filter((v): v is number => v !== null).map((v) => BigInt(Math.round(v)) * 1000n)

const str = (v: unknown): string | null =>
  v === null || v === undefined ? null : typeof v === 'string' ? v : JSON.stringify(jsonValue(v))

/** A DuckDB value as JSON: BIGINT as a number when exact, else text; times as ISO-8601. */
export const jsonValue = (value: unknown): unknown => {
  if (typeof value === 'bigint')
    return value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)
      ? Number(value)
      : value.toString()
  if (value instanceof Date) return Number.isNaN(value.getTime()) ? String(value) : value.toISOString()
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64')
  if (Array.isArray(value)) return value.map(jsonValue)
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value)
  if (value !== null && typeof value === 'object')
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, jsonValue(v)]))
  return value
}

const toHit = (row: Record<string, unknown>): HuntEvent => ({
  seq: Number(row.seq),
  id: String(row.id),
  timestamp: new Date(Number(row.ts)).toISOString(),
  received_at: new Date(Number(row.received_at)).toISOString(),
  listener: String(row.listener),
  source: str(row.source),
  host: str(row.host),
  severity: str(row.severity),
  message: str(row.message),
  kind: str(row.kind),
  event_code: str(row.event_code),
  channel: str(row.channel),
  user: str(row.user_name),
  process: str(row.process),
  parent_process: str(row.parent_process),
  command_line: str(row.command_line),
  src_ip: str(row.src_ip),
  dst_ip: str(row.dst_ip),
  dst_port: row.dst_port === null || row.dst_port === undefined ? null : Number(row.dst_port),
})

const sqlString = (text: string): string => `'${text.replace(/'/g, "''")}'`

/** The renderer's calls over the archive: searches, histograms, field summaries, SQL, exports. */
export class HuntService {
  private readonly running = new Map<string, { connection: DuckDBConnection; cancel: () => void }>()

  private constructor(
    private readonly archive: DuckArchive,
    private readonly query: DuckDBConnection,
    private readonly progress: (p: ExportProgress) => void,
  ) {}

  static async open(
    archive: DuckArchive,
    options: { progress?: (p: ExportProgress) => void } = {},
  ): Promise<HuntService> {
    // Its own connection: hunts never queue behind the metrics queries or the archiver.
    return new HuntService(archive, await archive.connect(), options.progress ?? (() => undefined))
  }

  close(): void {
    for (const { connection } of this.running.values()) connection.interrupt()
    this.query.closeSync()
  }

  /** Compiles `query` and the time range; bad input becomes ContractError('invalid_request'). */
  filter(call: string, query: string, from?: string | null, to?: string | null, now = Date.now()): Filter {
    const params = new Params()
    let where: string
    try {
      where = compileQuery(parseQuery(query), params)
    } catch (error) {
      if (error instanceof QuerySyntaxError)
        throw new ContractError('invalid_request', `${call}: query: ${error.message}`)
      throw error
    }
    const bound = (name: string, text: string | null | undefined): number | null => {
      if (text === undefined || text === null) return null
      const ms = parseTimeBound(text, now)
      if (ms === null)
        throw new ContractError(
          'invalid_request',
          `${call}: ${name}: expected ISO-8601 or relative time like -24h, not ${JSON.stringify(text)}`,
        )
      return ms
    }
    const fromMs = bound('from', from)
    const toMs = bound('to', to)
    if (fromMs !== null && toMs !== null && fromMs >= toMs)
      throw new ContractError('invalid_request', `${call}: from must be before to`)
    const parts = [where]
    if (fromMs !== null)
      parts.push(`ts >= make_timestamptz(${params.add(BigInt(Math.round(fromMs)) * 1000n)}::BIGINT)`)
    if (toMs !== null)
      parts.push(`ts < make_timestamptz(${params.add(BigInt(Math.round(toMs)) * 1000n)}::BIGINT)`)
    return { where: parts.join(' AND '), params, from: fromMs, to: toMs }
  }

  private async rows(sql: string, values: DuckDBValue[]): Promise<Record<string, unknown>[]> {
    const reader = await this.query.runAndReadAll(sql, values)
    return reader.getRowObjectsJS()
  }

  /**
   * Newest first. The first page is looked for in widening time windows from the newest end
   * (1/64 of the range, then 1/8, then all), as Kibana does: events are archived roughly in time
   * order, so DuckDB skips the row groups outside a window by their min/max and a common match
   * is found without reading the whole archive. The total is counted up to TOTAL_CAP, like
   * Elasticsearch's track_total_hits; the histogram gives exact counts per bucket.
   */
  async search(req: ParsedReq<'hunt:search'>): Promise<CallRes<'hunt:search'>> {
    const started = performance.now()
    const f = this.filter('hunt:search', req.query, req.from, req.to)
    if (req.before_seq !== undefined) f.where += ` AND seq < ${f.params.add(req.before_seq)}`
    const page = async (extra: string, values: DuckDBValue[]): Promise<Record<string, unknown>[]> => {
      const p = new Params()
      for (const v of [...f.params.values, ...values]) p.add(v)
      return this.rows(
        `SELECT ${HIT_COLUMNS} FROM events WHERE ${f.where}${extra}
         ORDER BY events.ts DESC, seq DESC LIMIT ${p.add(req.limit)} OFFSET ${p.add(req.offset)}`,
        p.values,
      )
    }
    let rows: Record<string, unknown>[] | undefined
    if (req.offset === 0) {
      const bounds = (
        await this.rows(
          `SELECT epoch_ms(min(ts)) AS lo, epoch_ms(max(ts)) AS hi FROM events WHERE TRUE${timeOnly(f)}`,
          timeParams(f),
        )
      )[0]
      const lo = bounds?.lo === null || bounds?.lo === undefined ? null : Number(bounds.lo)
      const hi = Number(bounds?.hi ?? 0)
      if (lo !== null && hi > lo) {
        const n = f.params.values.length
        for (const share of [64, 8]) {
          const since = hi - Math.ceil((hi - lo) / share)
          const found = await page(` AND ts >= make_timestamptz($${n + 1}::BIGINT)`, [BigInt(since) * 1000n])
          if (found.length >= req.limit) {
            rows = found
            break
          }
        }
      }
    }
    rows ??= await page('', [])
    let total = req.offset + rows.length
    let capped = false
    if (rows.length >= req.limit) {
      const p = new Params()
      for (const v of f.params.values) p.add(v)
      const counted = Number(
        (
          await this.rows(
            `SELECT count(*) AS n FROM (SELECT 1 FROM events WHERE ${f.where} LIMIT ${p.add(TOTAL_CAP + 1)})`,
            p.values,
          )
        )[0]?.n ?? 0,
      )
      capped = counted > TOTAL_CAP
      total = capped ? TOTAL_CAP : counted
    }
    return { rows: rows.map(toHit), total, total_capped: capped, took_ms: performance.now() - started }
  }

  /** The range to bucket: as asked, else the matching events' own span. */
  private async span(f: Filter): Promise<{ from: number; to: number } | null> {
    if (f.from !== null && f.to !== null) return { from: f.from, to: f.to }
    const row = (
      await this.rows(
        `SELECT epoch_ms(min(ts)) AS lo, epoch_ms(max(ts)) AS hi FROM events WHERE ${f.where}`,
        f.params.values,
      )
    )[0]
    if (row?.lo === null || row?.lo === undefined) {
      if (f.from === null && f.to === null) return null
      const to = f.to ?? Date.now()
      return { from: f.from ?? to - 3_600_000, to }
    }
    return { from: f.from ?? Number(row.lo), to: f.to ?? Number(row.hi) + 1 }
  }

  private static interval(from: number, to: number, buckets: number): number {
    const raw = Math.max(1, Math.ceil((to - from) / buckets))
    return NICE_INTERVALS.find((n) => n >= raw) ?? Math.ceil(raw / 86_400_000) * 86_400_000
  }

  async histogram(req: ParsedReq<'hunt:histogram'>): Promise<CallRes<'hunt:histogram'>> {
    const started = performance.now()
    const f = this.filter('hunt:histogram', req.query, req.from, req.to)
    const span = await this.span(f)
    if (!span)
      return { interval_ms: 60_000, from: 0, to: 0, points: [], took_ms: performance.now() - started }
    const interval = HuntService.interval(span.from, span.to, req.buckets)
    const start = Math.floor(span.from / interval) * interval
    const rows = await this.rows(
      `SELECT (epoch_ms(ts) - ${f.params.add(start)}::BIGINT) // ${f.params.add(interval)}::BIGINT AS b, count(*) AS n
       FROM events WHERE ${f.where} GROUP BY b`,
      f.params.values,
    )
    const points = fillBuckets(start, span.to, interval, rows)
    return { interval_ms: interval, from: start, to: span.to, points, took_ms: performance.now() - started }
  }

  async fields(req: ParsedReq<'hunt:fields'>): Promise<CallRes<'hunt:fields'>> {
    const started = performance.now()
    const f = this.filter('hunt:fields', req.query, req.from, req.to)
    const matched = Number(
      (await this.rows(`SELECT count(*) AS n FROM events WHERE ${f.where}`, f.params.values))[0]?.n ?? 0,
    )
    // The sample is the newest FIELD_SAMPLE matches, found by their oldest timestamp first (a
    // top-N over one column), so the wide columns are only read for the sample's rows.
    let sampleWhere = f.where
    if (matched > FIELD_SAMPLE) {
      const cut = (
        await this.rows(
          `SELECT epoch_ms(ts) AS t FROM events WHERE ${f.where} ORDER BY ts DESC LIMIT 1 OFFSET ${FIELD_SAMPLE - 1}`,
          f.params.values,
        )
      )[0]
      if (cut)
        sampleWhere += ` AND ts >= make_timestamptz(${f.params.add(BigInt(Number(cut.t)) * 1000n)}::BIGINT)`
    }
    const sampleSql = `SELECT * FROM events WHERE ${sampleWhere}`
    const entries: Array<{ name: string; expr: string }> = []
    const exprParams = new Params()
    // The sample's params come first; field expressions number theirs after them.
    for (const v of f.params.values) exprParams.add(v)
    if (req.fields) {
      for (const name of req.fields) {
        const col = hotColumn(name)
        if (col) entries.push({ name, expr: col.column })
        else if (/^[\w@-]+(\.[\w@-]+)*$/.test(name)) entries.push({ name, expr: jsonExpr(name, exprParams) })
        else
          throw new ContractError(
            'invalid_request',
            `hunt:fields: fields: ${JSON.stringify(name)} is not a field name (letters, digits, _ @ - and dots)`,
          )
      }
    } else {
      for (const column of SUMMARY_COLUMNS)
        entries.push({ name: CONTRACT_NAME[column] ?? column, expr: column })
      const keys = await this.rows(
        `SELECT k, count(*) AS n FROM (SELECT unnest(json_keys(fields)) AS k FROM (${sampleSql.replace('SELECT *', 'SELECT fields')} LIMIT ${JSON_KEY_SAMPLE}))
         GROUP BY k ORDER BY n DESC, k LIMIT ${JSON_KEYS_MAX}`,
        f.params.values,
      )
      const known = new Set(entries.map((e) => e.name.toLowerCase()))
      for (const row of keys) {
        const key = String(row.k)
        if (known.has(key.toLowerCase()) || !/^[\w@.-]+$/.test(key)) continue
        entries.push({ name: key, expr: jsonExpr(key, exprParams) })
      }
    }
    if (entries.length === 0) return { fields: [], matched, took_ms: performance.now() - started }
    const select = entries.map((e, i) => `CAST(${e.expr} AS VARCHAR) AS f${i}`).join(', ')
    const top = exprParams.add(req.top)
    const rows = await this.rows(
      `WITH s AS (${sampleSql.replace('SELECT *', `SELECT ${select}`)}),
       v AS (SELECT name, value, count(*) AS c FROM (UNPIVOT s ON COLUMNS(*) INTO NAME name VALUE value) GROUP BY ALL)
       SELECT name, value, c, sum(c) OVER (PARTITION BY name) AS present, count(*) OVER (PARTITION BY name) AS distinct_values
       FROM v QUALIFY row_number() OVER (PARTITION BY name ORDER BY c DESC, value) <= ${top}`,
      exprParams.values,
    )
    const sampled = matched > FIELD_SAMPLE
    const byName = new Map<string, FieldSummary>()
    entries.forEach((e) => byName.set(e.name, { name: e.name, present: 0, distinct: 0, top: [], sampled }))
    for (const row of rows) {
      const entry = entries[Number(String(row.name).slice(1))]
      const summary = entry && byName.get(entry.name)
      if (!summary) continue
      summary.present = Number(row.present)
      summary.distinct = Number(row.distinct_values)
      summary.top.push({ value: String(row.value), count: Number(row.c) })
    }
    const fields = [...byName.values()].map((s) => ({ ...s, top: s.top.sort((a, b) => b.count - a.count) }))
    return { fields, matched, took_ms: performance.now() - started }
  }

  /** One read-only statement on its own connection, interrupted at the timeout or by cancel. */
  async sql(req: ParsedReq<'hunt:sql'>): Promise<CallRes<'hunt:sql'>> {
    const started = performance.now()
    const id = req.query_id ?? randomUUID()
    if (this.running.has(id))
      throw new ContractError('conflict', `hunt:sql: a query with id ${id} is running`)
    const connection = await this.archive.connect()
    let timedOut = false
    let cancelled = false
    this.running.set(id, {
      connection,
      cancel: () => {
        cancelled = true
        connection.interrupt()
      },
    })
    const timer = setTimeout(() => {
      timedOut = true
      connection.interrupt()
    }, req.timeout_ms)
    try {
      const extracted = await connection.extractStatements(req.sql).catch((error: Error) => {
        throw new ContractError('invalid_request', `hunt:sql: ${firstLine(error.message)}`)
      })
      if (extracted.count !== 1)
        throw new ContractError(
          'invalid_request',
          `hunt:sql: expected exactly one statement, got ${extracted.count}; run them one at a time`,
        )
      // Before prepare: binding read_csv('…') already reads the file (its errors quote it).
      await checkConsoleSql(connection, req.sql)
      const prepared = await extracted.prepare(0).catch((error: Error) => {
        throw new ContractError('invalid_request', `hunt:sql: ${firstLine(error.message)}`)
      })
      if (!READ_ONLY_STATEMENTS.has(prepared.statementType))
        throw new ContractError(
          'invalid_request',
          'hunt:sql: the SQL console is read-only: use SELECT, WITH … SELECT, DESCRIBE, SHOW, SUMMARIZE or EXPLAIN',
        )
      // One row past the limit says whether there were more.
      const reader = await prepared.streamAndReadUntil(req.limit + 1)
      const columns = reader
        .columnNames()
        .map((name, i) => ({ name, type: reader.columnTypes()[i]?.toString() ?? '' }))
      const all = reader.getRowsJS()
      const truncated = all.length > req.limit || !reader.done
      const rows = all.slice(0, req.limit).map((row) => row.map(jsonValue))
      return { columns, rows, truncated, took_ms: performance.now() - started }
    } catch (error) {
      if (error instanceof ContractError) throw error
      const message = firstLine((error as Error).message)
      if (timedOut)
        throw new ContractError(
          'invalid_request',
          `hunt:sql: interrupted at the ${req.timeout_ms} ms timeout; narrow the query or raise timeout_ms (at most 120000)`,
        )
      if (cancelled) throw new ContractError('invalid_request', `hunt:sql: query ${id} was cancelled`)
      throw new ContractError('invalid_request', `hunt:sql: ${message}`)
    } finally {
      clearTimeout(timer)
      this.running.delete(id)
      connection.closeSync()
    }
  }

  cancel(queryId: string): boolean {
    const query = this.running.get(queryId)
    query?.cancel()
    return query !== undefined
  }

  /**
   * Writes the matches with DuckDB's COPY (CSV, NDJSON, Parquet), newest first, on a connection of
   * its own: DuckDB's progress is reported every PROGRESS_MS, and `hunt:cancel` with the export's
   * id interrupts it (the partial file is removed).
   */
  async export(req: ParsedReq<'hunt:export'>): Promise<CallRes<'hunt:export'>> {
    const f = this.filter('hunt:export', req.query, req.from, req.to)
    const exportId = req.export_id ?? randomUUID()
    if (this.running.has(exportId))
      throw new ContractError('conflict', `hunt:export: an export with id ${exportId} is running`)
    const ext = req.format === 'ndjson' ? 'ndjson' : req.format
    const name = `hunt-${new Date().toISOString().slice(0, 19).replace(/[:T]/g, '-')}.${ext}`
    const target = req.path ?? join(tmpdir(), `outpost-${randomUUID()}.${ext}`)
    const limit = req.limit === undefined ? '' : ` LIMIT ${f.params.add(req.limit)}`
    const format =
      req.format === 'csv'
        ? '(FORMAT csv, HEADER true)'
        : req.format === 'ndjson'
          ? '(FORMAT json)'
          : '(FORMAT parquet, COMPRESSION zstd)'
    const columns = `seq, id, ts, received_at, listener, source, host, severity, message, kind, event_code, channel,
      user_name, process, parent_process, command_line, src_ip, dst_ip, dst_port, fields`
    // COPY takes no parameters: the matches go through a view-less temp table on this connection.
    const table = `export_${randomUUID().replace(/-/g, '')}`
    const connection = await this.archive.connect()
    let cancelled = false
    this.running.set(exportId, {
      connection,
      cancel: () => {
        cancelled = true
        connection.interrupt()
      },
    })
    let phase: ExportProgress['phase'] = 'selecting'
    let rows = 0
    const report = (): void => {
      const p = connection.progress
      this.progress({ export_id: exportId, phase, percentage: Math.round(p.percentage * 10) / 10, rows })
    }
    const ticker = setInterval(report, PROGRESS_MS)
    try {
      await connection.run('SET enable_progress_bar = true')
      await connection.run(
        `CREATE TEMP TABLE ${table} AS SELECT ${columns} FROM events WHERE ${f.where} ORDER BY events.ts DESC, seq DESC${limit}`,
        f.params.values,
      )
      const counted = await connection.runAndReadAll(`SELECT count(*) AS n FROM ${table}`)
      rows = Number(counted.getRowObjectsJS()[0]?.n ?? 0)
      phase = 'writing'
      report()
      await connection.run(`COPY ${table} TO ${sqlString(target)} ${format}`)
      clearInterval(ticker)
      phase = 'done'
      this.progress({ export_id: exportId, phase, percentage: 100, rows })
      const size = (await stat(target)).size
      let content: string | null = null
      if (!req.path) {
        if (size > MAX_INLINE_EXPORT)
          throw new ContractError(
            'invalid_request',
            `hunt:export: ${size} bytes is too large to send back; give a path`,
          )
        content = (await readFile(target)).toString('base64')
      }
      // A cancel that came as DuckDB finished (interrupting nothing) still wins: the file goes.
      if (cancelled) throw new Error('cancelled after writing')
      return {
        name,
        media_type:
          req.format === 'csv'
            ? 'text/csv'
            : req.format === 'ndjson'
              ? 'application/x-ndjson'
              : 'application/vnd.apache.parquet',
        rows,
        bytes: size,
        path: req.path ?? null,
        content_base64: content,
      }
    } catch (error) {
      clearInterval(ticker)
      this.progress({ export_id: exportId, phase: 'failed', percentage: -1, rows })
      if (req.path) await rm(target, { force: true })
      if (error instanceof ContractError) throw error
      if (cancelled)
        throw new ContractError('invalid_request', `hunt:export: export ${exportId} was cancelled`)
      throw new ContractError('invalid_request', `hunt:export: ${firstLine((error as Error).message)}`)
    } finally {
      clearInterval(ticker)
      this.running.delete(exportId)
      connection.closeSync()
      if (!req.path) await rm(target, { force: true })
    }
  }

  /** Matches of a saved hunt's query in its range: what the scheduler stores as last_count. */
  async count(query: string, from: string | null, to: string | null): Promise<number> {
    const f = this.filter('hunts:run', query, from, to)
    return Number(
      (await this.rows(`SELECT count(*) AS n FROM events WHERE ${f.where}`, f.params.values))[0]?.n ?? 0,
    )
  }

  async stats(): Promise<{ events: number; oldest: number | null; newest: number | null }> {
    const row = (
      await this.rows(
        'SELECT count(*) AS n, epoch_ms(min(ts)) AS lo, epoch_ms(max(ts)) AS hi FROM events',
        [],
      )
    )[0]
    return {
      events: Number(row?.n ?? 0),
      oldest: row?.lo === null || row?.lo === undefined ? null : Number(row.lo),
      newest: row?.hi === null || row?.hi === undefined ? null : Number(row.hi),
    }
  }

  /** Event aggregations for the dashboard, in DuckDB. */
  async dashboard(
    from: string | undefined,
    to: string | undefined,
    buckets: number,
    top: number,
  ): Promise<
    Pick<
      CallRes<'dashboard:summary'>,
      | 'interval_ms'
      | 'from'
      | 'to'
      | 'events'
      | 'by_severity'
      | 'by_listener'
      | 'top_sources'
      | 'top_hosts'
      | 'top_users'
      | 'top_processes'
    >
  > {
    const now = Date.now()
    const f = this.filter('dashboard:summary', '', from ?? '-24h', to ?? null, now)
    const toMs = f.to ?? now
    const fromMs = f.from ?? toMs - 86_400_000
    const interval = HuntService.interval(fromMs, toMs, buckets)
    const start = Math.floor(fromMs / interval) * interval
    const base = f.params.values
    const series = async (
      column: string,
    ): Promise<Array<{ key: string; points: Array<{ t: number; count: number }> }>> => {
      const p = new Params()
      for (const v of base) p.add(v)
      const rows = await this.rows(
        `SELECT coalesce(${column}, 'unknown') AS k, (epoch_ms(ts) - ${p.add(start)}::BIGINT) // ${p.add(interval)}::BIGINT AS b, count(*) AS n
         FROM events WHERE ${f.where} GROUP BY ALL`,
        p.values,
      )
      const groups = new Map<string, Array<Record<string, unknown>>>()
      for (const row of rows) {
        const key = String(row.k)
        groups.set(key, [...(groups.get(key) ?? []), row])
      }
      return [...groups.entries()].map(([key, group]) => ({
        key,
        points: fillBuckets(start, toMs, interval, group),
      }))
    }
    const topOf = async (column: string): Promise<Array<{ key: string; count: number }>> => {
      const p = new Params()
      for (const v of base) p.add(v)
      const rows = await this.rows(
        `SELECT ${column} AS k, count(*) AS n FROM events WHERE ${f.where} AND ${column} IS NOT NULL
         GROUP BY 1 ORDER BY n DESC, k LIMIT ${p.add(top)}`,
        p.values,
      )
      return rows.map((row) => ({ key: String(row.k), count: Number(row.n) }))
    }
    const bySeverity = await series('severity')
    const byListener = await series('listener')
    const events = bySeverity.reduce((sum, s) => sum + s.points.reduce((a, p) => a + p.count, 0), 0)
    return {
      interval_ms: interval,
      from: start,
      to: toMs,
      events,
      by_severity: bySeverity.map((s) => ({ severity: s.key, points: s.points })),
      by_listener: byListener.map((s) => ({ listener: s.key, points: s.points })),
      top_sources: await topOf('source'),
      top_hosts: await topOf('host'),
      top_users: await topOf('user_name'),
      top_processes: await topOf('process'),
    }
  }
}

const firstLine = (message: string): string => message.split('\n')[0] ?? message

const jsonExpr = (name: string, params: Params): string => {
  const segments = name.split('.')
  const flat = `json_extract_string(fields, ${params.add(`$."${name}"`)})`
  if (segments.length === 1) return flat
  return `coalesce(${flat}, json_extract_string(fields, ${params.add('$' + segments.map((s) => `."${s}"`).join(''))}))`
}

/** Every bucket from `start` to `to`, zeros included. */
const fillBuckets = (
  start: number,
  to: number,
  interval: number,
  rows: ReadonlyArray<Record<string, unknown>>,
): Array<{ t: number; count: number }> => {
  const n = Math.max(1, Math.ceil((to - start) / interval))
  const counts = new Array<number>(n).fill(0)
  for (const row of rows) {
    const b = Number(row.b)
    if (b >= 0 && b < n) counts[b] = (counts[b] ?? 0) + Number(row.n)
  }
  return counts.map((count, i) => ({ t: start + i * interval, count }))
}

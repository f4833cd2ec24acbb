import { z } from 'zod'

const isoTimestamp = z.string().describe('ISO-8601 timestamp with Z or an offset')

/** The filter-bar language; see collector/hunt/query.ts for the grammar. Empty: every event. */
const Query = z
  .string()
  .max(10_000)
  .describe(
    'Kibana-like: `host:ws01 AND NOT user:svc_*`, `"exact phrase"`, `dst_port:[1 TO 1024]`, `EventID:>=4624`, `_exists_:CommandLine`; empty matches all',
  )

/** A time bound: ISO-8601, or relative to now like `-24h`, `-15m`, `-7d`, `now`. */
const TimeBound = z
  .string()
  .min(1)
  .max(64)
  .describe('ISO-8601, or relative to now: `now`, `-15m`, `-24h`, `-7d` (s m h d w)')

const Range = {
  from: TimeBound.optional().describe('inclusive; default: no lower bound'),
  to: TimeBound.optional().describe('exclusive; default: no upper bound'),
}

/** One archived event with the hot columns extracted at archive time. */
export const HuntEvent = z.object({
  seq: z.number().int().describe('the SQLite seq it was archived from'),
  id: z.string(),
  timestamp: isoTimestamp,
  received_at: isoTimestamp,
  listener: z.string(),
  source: z.string().nullable(),
  host: z.string().nullable(),
  severity: z.string().nullable(),
  message: z.string().nullable(),
  kind: z
    .string()
    .nullable()
    .describe('what happened: process, network, logon, file, registry, dns, auth, web… null when unknown'),
  event_code: z.string().nullable().describe('EventID and the like, as text'),
  channel: z.string().nullable(),
  user: z.string().nullable(),
  process: z.string().nullable().describe('the image path (Image, exe)'),
  parent_process: z.string().nullable(),
  command_line: z.string().nullable(),
  src_ip: z.string().nullable(),
  dst_ip: z.string().nullable(),
  dst_port: z.number().int().nullable(),
})
export type HuntEvent = z.infer<typeof HuntEvent>

/** The hot columns a query can name directly (besides any JSON key of the original event). */
export const HUNT_HOT_FIELDS = [
  'seq',
  'id',
  'timestamp',
  'received_at',
  'listener',
  'source',
  'host',
  'severity',
  'message',
  'kind',
  'event_code',
  'channel',
  'user',
  'process',
  'parent_process',
  'command_line',
  'src_ip',
  'dst_ip',
  'dst_port',
] as const

export const FieldSummary = z.object({
  name: z.string().describe('a hot column or a JSON path of the original event (dots)'),
  present: z.number().int().describe('events (of the sample for JSON keys) with a value'),
  distinct: z.number().int().nullable().describe('approximate distinct values; null when not computed'),
  top: z.array(z.object({ value: z.string(), count: z.number().int() })),
  sampled: z.boolean().describe('counted over a sample of the matches, not all of them'),
})
export type FieldSummary = z.infer<typeof FieldSummary>

export const SavedHunt = z.object({
  id: z.string(),
  name: z.string(),
  query: z.string(),
  from: z.string().nullable().describe('as saved: relative (`-24h`) or ISO-8601'),
  to: z.string().nullable(),
  schedule_minutes: z.number().int().nullable().describe('run every this many minutes; null: on demand'),
  last_run_at: isoTimestamp.nullable(),
  last_count: z
    .number()
    .int()
    .nullable()
    .describe('matches at the last scheduled run; -1: that run failed (the log says why)'),
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
})
export type SavedHunt = z.infer<typeof SavedHunt>

export const HuntExportFormat = z.enum(['csv', 'ndjson', 'parquet'])
export type HuntExportFormat = z.infer<typeof HuntExportFormat>

const Buckets = z.number().int().min(1).max(500).default(60).describe('at most this many points')

const SeriesPoint = z.object({
  t: z.number().describe('bucket start, ms since the epoch'),
  count: z.number().int(),
})
const Keyed = z.object({ key: z.string(), count: z.number().int() })

/** The hunting and analytics calls (DuckDB archive); merged into `calls` in schemas.ts. */
export const huntCalls = {
  'hunt:search': {
    req: z.strictObject({
      query: Query.default(''),
      ...Range,
      limit: z.number().int().min(1).max(10_000).default(100),
      before_seq: z
        .number()
        .int()
        .positive()
        .optional()
        .describe('paging: only events with seq below this (the last row of the previous page)'),
      offset: z.number().int().min(0).max(1_000_000).default(0).describe('paging by position instead'),
    }),
    res: z.object({
      rows: z.array(HuntEvent).describe('newest first (timestamp, then seq)'),
      total: z.number().int().describe('events matching; see total_capped'),
      total_capped: z.boolean().describe('true: at least `total` match, counting stopped there'),
      took_ms: z.number(),
    }),
  },
  'hunt:histogram': {
    req: z.strictObject({ query: Query.default(''), ...Range, buckets: Buckets }),
    res: z.object({
      interval_ms: z.number().int(),
      from: z.number().describe('ms since the epoch: the first bucket'),
      to: z.number(),
      points: z.array(SeriesPoint).describe('every bucket, zeros included, oldest first'),
      took_ms: z.number(),
    }),
  },
  'hunt:fields': {
    req: z.strictObject({
      query: Query.default(''),
      ...Range,
      fields: z
        .array(z.string().min(1).max(200))
        .max(100)
        .optional()
        .describe('only these; default the hot columns plus JSON keys found in a sample'),
      top: z.number().int().min(1).max(50).default(5),
    }),
    res: z.object({ fields: z.array(FieldSummary), matched: z.number().int(), took_ms: z.number() }),
  },
  'hunt:sql': {
    req: z.strictObject({
      sql: z.string().min(1).max(100_000).describe('one read-only statement: SELECT, WITH, DESCRIBE, SHOW…'),
      limit: z.number().int().min(1).max(100_000).default(1000),
      timeout_ms: z.number().int().min(100).max(120_000).default(30_000),
      query_id: z
        .string()
        .min(1)
        .max(100)
        .optional()
        .describe('chosen by the client so it can hunt:cancel it'),
    }),
    res: z.object({
      columns: z.array(z.object({ name: z.string(), type: z.string().describe("DuckDB's type name") })),
      rows: z.array(z.array(z.unknown())).describe('JSON values: BIGINT as number when safe else string'),
      truncated: z.boolean().describe('more rows than the limit'),
      took_ms: z.number(),
    }),
  },
  'hunt:cancel': {
    req: z.strictObject({ query_id: z.string().min(1).max(100) }),
    res: z.object({ cancelled: z.boolean().describe('false: no such query was running') }),
  },
  'hunt:export': {
    req: z.strictObject({
      query: Query.default(''),
      ...Range,
      format: HuntExportFormat,
      limit: z.number().int().min(1).max(10_000_000).optional().describe('newest first; default all'),
      export_id: z
        .string()
        .min(1)
        .max(100)
        .optional()
        .describe('names the export in hunt:export-progress pushes; hunt:cancel with it stops the export'),
      path: z
        .string()
        .min(1)
        .optional()
        .describe("write the file here (the desktop's save dialog); without it the bytes come back"),
    }),
    res: z.object({
      name: z.string().describe('a file name for it: hunt-<date>.<extension>'),
      media_type: z.string(),
      rows: z.number().int(),
      bytes: z.number().int(),
      path: z.string().nullable(),
      content_base64: z
        .string()
        .nullable()
        .describe('the file, when no path was given (at most 64 MiB; past that give a path)'),
    }),
  },
  'hunts:list': {
    req: z.strictObject({}),
    res: z.object({ hunts: z.array(SavedHunt) }),
  },
  'hunts:save': {
    req: z.strictObject({
      id: z.string().min(1).optional().describe('update this one; without it a new hunt'),
      name: z.string().trim().min(1).max(200),
      query: Query,
      from: TimeBound.nullable().default(null),
      to: TimeBound.nullable().default(null),
      schedule_minutes: z.number().int().min(1).max(10_080).nullable().default(null),
    }),
    res: z.object({ hunt: SavedHunt }),
  },
  'hunts:delete': {
    req: z.strictObject({ id: z.string().min(1) }),
    res: z.object({ id: z.string() }),
  },
  'hunts:run': {
    req: z.strictObject({ id: z.string().min(1) }),
    res: z.object({
      hunt: SavedHunt.describe('with this run as its last run and count'),
    }),
  },
  'hunts:to-sigma': {
    req: z.strictObject({
      query: Query,
      title: z.string().max(200).optional(),
    }),
    res: z.object({
      yaml: z.string().describe('a Sigma rule draft; review it before saving as a rule'),
      warnings: z.array(z.string()).describe('what could not be expressed or was approximated'),
    }),
  },
  'archive:status': {
    req: z.strictObject({}),
    res: z.object({
      events: z.number().int().describe('events in the archive'),
      watermark_seq: z.number().int().describe('the newest SQLite seq archived (0: none)'),
      sqlite_newest_seq: z.number().int(),
      lag: z.number().int().describe('events stored in SQLite and not yet archived'),
      duckdb_bytes: z.number().int().describe('the archive file and its WAL on disk'),
      duckdb_used_bytes: z
        .number()
        .int()
        .describe(
          "what DuckDB's used blocks hold (archive.max_bytes applies to it); the rest of the file is free space reused",
        ),
      sqlite_bytes: z.number().int(),
      oldest: isoTimestamp.nullable(),
      newest: isoTimestamp.nullable(),
      events_per_s: z.number().describe('archived per second, over the last minute'),
      error: z
        .string()
        .nullable()
        .describe('why the last archive batch failed (retried with the next events); null when fine'),
      retention: z.object({
        archive_max_age_days: z.number().int().describe('0: keep forever'),
        archive_max_bytes: z.number().int().describe('0: no limit'),
        hot_days: z.number().int().describe('SQLite keeps archived events this long; 0: forever'),
      }),
    }),
  },
  'dashboard:summary': {
    req: z.strictObject({ ...Range, buckets: Buckets, top: z.number().int().min(1).max(50).default(10) }),
    res: z.object({
      interval_ms: z.number().int(),
      from: z.number().describe('ms since the epoch'),
      to: z.number(),
      events: z.number().int().describe('in the range'),
      by_severity: z
        .array(z.object({ severity: z.string(), points: z.array(SeriesPoint) }))
        .describe('events over time per severity (null severity as `unknown`)'),
      by_listener: z.array(z.object({ listener: z.string(), points: z.array(SeriesPoint) })),
      top_sources: z.array(Keyed),
      top_hosts: z.array(Keyed),
      top_users: z.array(Keyed),
      top_processes: z.array(Keyed),
      top_rules: z
        .array(Keyed.extend({ title: z.string() }))
        .describe('alerts raised in the range, per rule'),
      alerts_by_level: z.array(Keyed).describe('open alerts (status new or acknowledged)'),
      incidents_by_status: z.array(Keyed),
      tactics: z.array(Keyed).describe('alerts in the range per ATT&CK tactic'),
      took_ms: z.number(),
    }),
  },
} as const

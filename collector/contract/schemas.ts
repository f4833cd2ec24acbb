import { z } from 'zod'
import type { CallName, EventName } from './channels'
import { attackCalls } from './attack'
import { assetCalls } from './assets'
import { taxiiCalls } from './taxii'
import { huntCalls } from './hunt'
import { agentCalls, agentEvents } from './agents'
import { Alert, AuditEntry, auditCalls, detectionCalls, RuleTest } from './detection'
import { workspaceCalls } from './workspace'
import { actionCalls, actionEvents } from './actions'
import { bundleCalls } from './bundles'
import { searchCalls } from './search'
import { syncCalls, syncEvents } from './sync'
import { taskCalls, taskEvents } from './tasks'
import { settingsCalls, settingsEvents } from './settings'
import { fail, ok, type Result } from './result'

const isoTimestamp = z.string().describe('ISO-8601 timestamp with Z or an offset')

export const EventKind = z.enum(['event', 'artifact'])
export type EventKind = z.infer<typeof EventKind>

/** One stored event as lists show it. */
export const EventSummary = z.object({
  seq: z.number().int().describe('monotonic insert order; the cursor for paging'),
  id: z.string(),
  kind: EventKind.describe('artifact: posted to /v1/artifacts (hashes, files, IOCs a tool collected)'),
  timestamp: isoTimestamp.describe('when it happened, as the source said (else when it arrived)'),
  received_at: isoTimestamp,
  listener: z.string().describe('the collector listener that received it, e.g. `http`'),
  source: z.string().nullable().describe('the peer address it came from'),
  host: z.string().nullable(),
  severity: z.string().nullable(),
  message: z.string().nullable(),
})
export type EventSummary = z.infer<typeof EventSummary>

/** One stored event, whole: the summary plus the source's original fields, untouched. */
export const StoredEvent = EventSummary.extend({
  fields: z.record(z.string(), z.unknown()),
})
export type StoredEvent = z.infer<typeof StoredEvent>

const Endpoint = z.object({ host: z.string(), port: z.number().int() })
export type Endpoint = z.infer<typeof Endpoint>

/** What one listener has seen from one peer. */
export const SourceCounters = z.object({
  listener: z.string(),
  source: z.string().describe('peer address'),
  bytes: z.number(),
  events: z.number().describe('events stored'),
  errors: z.number().describe('messages or bodies refused, each with a reason'),
  drops: z.number().describe('events received but not stored (storage failed, queue full)'),
  last_seen: z.number().describe('ms since the epoch'),
  last_error: z.string().nullable(),
  events_per_s: z.number().describe('stored per second, averaged over the last 9 s'),
})
export type SourceCounters = z.infer<typeof SourceCounters>

export const IngestToken = z.object({
  id: z.string(),
  name: z.string(),
  token: z.string().describe('what forwarders send: `Authorization: Splunk <token>` or `Bearer <token>`'),
  created_at: isoTimestamp,
  revoked_at: isoTimestamp.nullable(),
  last_used_at: isoTimestamp.nullable().describe('to the minute'),
})
export type IngestToken = z.infer<typeof IngestToken>

export const DeadLetter = z.object({
  id: z.number().int(),
  received_at: isoTimestamp,
  listener: z.string(),
  source: z.string().nullable(),
  reason: z.string(),
  payload: z.string().nullable().describe('what was received, as UTF-8, at most 64 KiB'),
  payload_bytes: z.number().int(),
  truncated: z.boolean(),
})
export type DeadLetter = z.infer<typeof DeadLetter>

export const SourceHeartbeat = z.object({
  source: z.string(),
  host: z.string().nullable(),
  peer: z.string().nullable().describe('the address the last beat came from'),
  interval_s: z.number().int(),
  last_seen: isoTimestamp,
  silent: z.boolean().describe('no beat for more than twice its interval'),
  details: z.record(z.string(), z.unknown()),
})
export type SourceHeartbeat = z.infer<typeof SourceHeartbeat>

export * from './detection'
export * from './workspace'
export * from './attack'
export * from './assets'
export * from './hunt'
export * from './actions'
export * from './agents'
export * from './bundles'
export * from './search'
export * from './tasks'
export * from './routes'
export * from './sync'
export * from './taxii'
export * from './settings'

export const ImportState = z.enum(['running', 'done', 'failed', 'cancelled'])
export type ImportState = z.infer<typeof ImportState>

export const ImportProblem = z.object({
  file: z.string(),
  at: z.string().describe('where in the file: `line 12`, `record 7`…'),
  reason: z.string(),
})
export type ImportProblem = z.infer<typeof ImportProblem>

export const ImportFileSummary = z.object({
  file: z.string(),
  format: z.string().describe('`ndjson`, `evtx`…; archives list their members, e.g. `zip(ndjson,evtx)`'),
  records: z.number().int(),
  imported: z.number().int(),
  rejected: z.number().int(),
  seconds: z.number(),
  error: z.string().nullable().describe('set when the file could not be read (what was read is kept)'),
})
export type ImportFileSummary = z.infer<typeof ImportFileSummary>

export const ImportSummary = z.object({
  files: z.array(ImportFileSummary),
  records: z.number().int(),
  imported: z.number().int(),
  rejected: z.number().int(),
  seconds: z.number(),
  problems: z.array(ImportProblem).describe('the first bad records, at most 100'),
  problems_total: z.number().int(),
  error: z.string().nullable().describe('why the job failed or stopped, if it did'),
})
export type ImportSummary = z.infer<typeof ImportSummary>

/** One import job as it stands: pushed as `import:progress`, listed by `import:list`. */
export const ImportJob = z.object({
  job_id: z.string(),
  file: z.string().describe('the file being read now (the last one once finished)'),
  bytes_read: z.number().int(),
  bytes_total: z.number().int().describe('all files of the job together'),
  records: z.number().int(),
  imported: z.number().int(),
  rejected: z.number().int(),
  state: ImportState,
  summary: ImportSummary.optional().describe('once the job is no longer running'),
})
export type ImportJob = z.infer<typeof ImportJob>

export const MetricKind = z.enum(['gauge', 'counter', 'sum', 'histogram', 'summary'])

/** One series of a source, with its newest point. */
export const MetricSeriesInfo = z.object({
  name: z.string(),
  kind: MetricKind.describe('of the newest point'),
  unit: z.string().nullable(),
  last_value: z.number(),
  last_ts: z.number().describe('ms since the epoch'),
  points: z.number().int(),
})
export type MetricSeriesInfo = z.infer<typeof MetricSeriesInfo>

export const MetricSource = z.object({
  source: z.string().describe('what the sender called itself (service.name, host.name), else its address'),
  series: z.array(MetricSeriesInfo),
})
export type MetricSource = z.infer<typeof MetricSource>

export const MetricSample = z.object({
  t: z.number().describe('bucket start, ms since the epoch'),
  value: z.number(),
})
export type MetricSample = z.infer<typeof MetricSample>

const FileFilter = z.object({ name: z.string(), extensions: z.array(z.string()) })

const empty = z.strictObject({})

/** Every call: request and response schemas. The map must cover CALL_NAMES exactly. */
export const calls = {
  'system:health': {
    req: empty,
    res: z.object({ status: z.literal('ok'), version: z.string(), uptime_s: z.number() }),
  },
  'system:info': {
    req: empty,
    res: z.object({
      version: z.string(),
      role: z
        .enum(['console', 'core'])
        .describe('core: `outpost serve --role core` also answers the sync API'),
      data_dir: z.string(),
      listeners: z.record(z.string(), Endpoint),
      sqlite: z.object({ path: z.string(), schema_version: z.number().int(), events: z.number().int() }),
      duckdb: z.object({ path: z.string(), schema_version: z.number().int(), library_version: z.string() }),
      ui: z.object({
        banner: z
          .object({ text: z.string(), color: z.string().describe('#rrggbb') })
          .nullable()
          .describe('the classification/TLP banner the site configured (ui.banner), shown above every view'),
      }),
      settings: z
        .object({
          config_file: z.string(),
          retention: z.object({
            hot_days: z.number().describe('0: events stay in SQLite until archived by size'),
            archive_max_age_days: z.number().describe('0: forever'),
            archive_max_bytes: z.number().describe('0: no limit'),
          }),
          tls: z
            .record(
              z.string(),
              z.object({
                enabled: z.boolean(),
                cert_file: z.string(),
                key_file: z.string(),
                ca_file: z.string().nullable(),
              }),
            )
            .describe('listeners with TLS settings, their certificate files as configured'),
        })
        .describe('a summary of the config as it runs (settings:get and settings:update read and edit it)'),
    }),
  },
  'collector:stats': {
    req: empty,
    res: z.object({
      listeners: z.record(z.string(), Endpoint),
      sources: z.array(SourceCounters),
      kernel_drops: z
        .record(z.string(), z.number())
        .describe('UDP listeners: datagrams the kernel dropped before they were read (Linux)'),
    }),
  },
  'collector:dead-letters': {
    req: z.strictObject({ limit: z.number().int().min(1).max(1000).default(100) }),
    res: z.object({ dead_letters: z.array(DeadLetter) }),
  },
  'collector:heartbeats': { req: empty, res: z.object({ sources: z.array(SourceHeartbeat) }) },
  ...detectionCalls,
  ...auditCalls,
  ...workspaceCalls,
  ...attackCalls,
  ...assetCalls,
  ...huntCalls,
  ...actionCalls,
  ...agentCalls,
  ...bundleCalls,
  ...searchCalls,
  ...syncCalls,
  ...taskCalls,
  ...taxiiCalls,
  ...settingsCalls,
  'tokens:list': { req: empty, res: z.object({ tokens: z.array(IngestToken) }) },
  'tokens:create': {
    req: z.strictObject({ name: z.string().min(1) }),
    res: z.object({ token: IngestToken }),
  },
  'tokens:revoke': {
    req: z.strictObject({ id: z.string().min(1).describe('id or name') }),
    res: z.object({ token: IngestToken }),
  },
  'events:list': {
    req: z.strictObject({
      limit: z.number().int().min(1).max(1000).default(100),
      before: z.number().int().positive().optional().describe('return events with seq below this'),
    }),
    res: z.object({ events: z.array(EventSummary), total: z.number().int() }),
  },
  'events:get': {
    req: z.strictObject({ id: z.string().min(1) }),
    res: z.object({ event: StoredEvent }),
  },
  'import:start': {
    req: z.union([
      z.strictObject({
        paths: z.array(z.string().min(1)).min(1).max(1000).describe("files on the collector's machine"),
      }),
      z.strictObject({
        upload_id: z.string().min(1).describe('from `PUT /api/upload` (browser mode); deleted once imported'),
      }),
    ]),
    res: z.object({ job_id: z.string() }),
  },
  'import:cancel': { req: z.strictObject({ job_id: z.string().min(1) }), res: z.object({ job: ImportJob }) },
  'import:list': {
    req: empty,
    res: z.object({ jobs: z.array(ImportJob).describe('recent jobs, newest first') }),
  },
  'metrics:sources': { req: empty, res: z.object({ sources: z.array(MetricSource) }) },
  'metrics:series': {
    req: z.strictObject({
      source: z.string().min(1),
      name: z.string().min(1),
      from: z
        .number()
        .int()
        .nonnegative()
        .optional()
        .describe('ms since the epoch; default an hour before `to`'),
      to: z.number().int().nonnegative().optional().describe('ms since the epoch; default now'),
      buckets: z.number().int().min(1).max(500).default(120).describe('at most this many points come back'),
    }),
    res: z.object({ points: z.array(MetricSample) }),
  },
  'dialog:open': {
    req: z.strictObject({
      title: z.string().optional(),
      filters: z.array(FileFilter).optional(),
      multiple: z.boolean().optional(),
      directory: z.boolean().optional().describe('pick folders instead of files'),
    }),
    res: z.object({ paths: z.array(z.string()).describe('empty when the user cancelled') }),
  },
  'dialog:save': {
    req: z.strictObject({
      title: z.string().optional(),
      default_name: z.string().optional(),
      filters: z.array(FileFilter).optional(),
    }),
    res: z.object({ path: z.string().nullable().describe('null when the user cancelled') }),
  },
} as const satisfies { [K in CallName]: { req: z.ZodType; res: z.ZodType } }

/** Every pushed event's payload. */
export const events = {
  'events:appended': z.object({
    total: z.number().int().describe('events stored in all'),
    events: z.array(EventSummary).describe('the newest of this batch, newest first, at most 100'),
  }),
  'alerts:raised': z.object({
    alerts: z.array(Alert).describe('the newest of this batch, newest first, at most 100'),
  }),
  'system:status': z.object({
    state: z.enum(['starting', 'ready', 'stopping']),
    listeners: z.record(z.string(), Endpoint),
  }),
  'import:progress': ImportJob,
  'alerts:updated': z.object({ alerts: z.array(Alert).describe('alerts an analyst changed') }),
  'rules:changed': z.object({
    rules: z.number().int().describe('rules loaded now'),
    enabled: z.number().int(),
  }),
  'rules:test-progress': RuleTest,
  'assets:changed': z.object({
    assets: z.number().int().describe('assets known now'),
    links: z.number().int(),
  }),
  'audit:appended': z.object({
    entry: AuditEntry.describe('a change just committed: views showing its object reload it'),
  }),
  'incidents:changed': z.object({ id: z.string().describe('the incident changed: reload it if shown') }),
  'hunt:export-progress': z.object({
    export_id: z.string(),
    phase: z.enum(['selecting', 'writing', 'done', 'failed']),
    percentage: z.number().describe('0–100; -1 when DuckDB cannot tell'),
    rows: z.number().int().describe('rows being written (known once selected)'),
  }),
  ...actionEvents,
  ...agentEvents,
  'shell:command': z
    .discriminatedUnion('command', [
      z.object({ command: z.literal('navigate'), hash: z.string().describe('#/<view>?<params>') }),
      z.object({ command: z.literal('toggle-theme') }),
    ])
    .describe('desktop only: the native menu, tray or an outpost:// link asks the window to act'),
  ...syncEvents,
  ...taskEvents,
  ...settingsEvents,
} as const satisfies { [E in EventName]: z.ZodType }

export type CallReq<K extends CallName> = z.input<(typeof calls)[K]['req']>
export type ParsedReq<K extends CallName> = z.output<(typeof calls)[K]['req']>
export type CallRes<K extends CallName> = z.output<(typeof calls)[K]['res']>
export type EventPayload<E extends EventName> = z.output<(typeof events)[E]>

/** Says which field is wrong and why, in one line a person can act on. */
export const describeIssues = (error: z.ZodError): string =>
  error.issues
    .map((issue) => `${issue.path.length ? issue.path.join('.') : '(request)'}: ${issue.message}`)
    .join('; ')

/** Validates a request against the contract. Anything from outside a process goes through here. */
export const parseRequest = <K extends CallName>(name: K, raw: unknown): Result<ParsedReq<K>> => {
  const parsed = calls[name].req.safeParse(raw ?? {})
  if (parsed.success) return ok(parsed.data as ParsedReq<K>)
  return fail('invalid_request', `${name}: ${describeIssues(parsed.error)}`)
}

import { z } from 'zod'

const isoTimestamp = z.string().describe('ISO-8601 timestamp with Z or an offset')

export const AlertLevel = z.enum(['informational', 'low', 'medium', 'high', 'critical'])
export type AlertLevel = z.infer<typeof AlertLevel>

/** new -> acknowledged -> escalated (in an incident) | false_positive | closed; reopen goes back to new. */
export const AlertStatus = z.enum(['new', 'acknowledged', 'escalated', 'false_positive', 'closed'])
export type AlertStatus = z.infer<typeof AlertStatus>

export const Alert = z.object({
  seq: z.number().int(),
  id: z.string(),
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
  timestamp: isoTimestamp.describe('when the detection happened (the first matching event)'),
  last_timestamp: isoTimestamp.describe('the newest matching event folded into it'),
  origin: z.string().describe('what raised it: sigma (the engine), wazuh (a source that detects)'),
  rule_id: z.string().nullable().describe('the Sigma rule id (or the source rule id)'),
  rule_key: z.string().nullable().describe('the rule in rules:get'),
  title: z.string(),
  level: AlertLevel,
  tags: z.array(z.string()).describe('rule tags, attack.* included'),
  techniques: z.array(z.string()).describe('ATT&CK technique ids, from attack.tNNNN tags'),
  tactics: z.array(z.string()).describe('ATT&CK tactics, from attack.<tactic> tags'),
  author: z.string().nullable().describe("the rule's author: shown wherever the match is (DRL 1.1)"),
  license: z.string().nullable().describe("the rule's license, e.g. DRL-1.1"),
  host: z.string().nullable(),
  user: z.string().nullable(),
  event_id: z.string().describe('the first stored event that raised it (events:get)'),
  event_ids: z
    .array(z.string())
    .describe('the matching events, at most 100 (correlations: all contributing)'),
  count: z.number().int().describe('matches folded into this alert by the suppression window'),
  group: z
    .record(z.string(), z.string().nullable())
    .nullable()
    .describe('correlation rules: the group-by values'),
  status: AlertStatus,
  incident_id: z.string().nullable(),
  note: z.string().nullable().describe("the analyst's last note (why closed, escalated…)"),
})
export type Alert = z.infer<typeof Alert>

export const IncidentStatus = z.enum(['new', 'triage', 'contained', 'eradicated', 'closed'])
export type IncidentStatus = z.infer<typeof IncidentStatus>

export const Incident = z.object({
  seq: z.number().int(),
  id: z.string(),
  title: z.string(),
  description: z.string().describe('what the case is about, in Markdown (empty when none)'),
  severity: AlertLevel.describe('the highest level of its alerts'),
  status: IncidentStatus,
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
  first_timestamp: isoTimestamp,
  last_timestamp: isoTimestamp,
  group: z.record(z.string(), z.string().nullable()).describe('what its alerts share (host, user…)'),
  alert_count: z.number().int(),
  origin: z.enum(['grouping', 'analyst']).describe('grouping: the dispatcher made it; analyst: escalated'),
  techniques: z.array(z.string()),
  assignee: z.string().nullable(),
  tlp: z.enum(['clear', 'green', 'amber', 'amber+strict', 'red']).describe('TLP 2.0: who may see it'),
  pap: z.enum(['clear', 'green', 'amber', 'red']).describe('PAP: what may be done with its indicators'),
  operation_id: z.string().nullable().describe('the operation it belongs to, if any'),
})
export type Incident = z.infer<typeof Incident>

export const RuleProblem = z.object({
  file: z.string(),
  line: z.number().int(),
  kind: z.enum(['invalid', 'unsupported', 'warning']).describe('warning: loads, but deserves a look'),
  reason: z.string(),
})
export type RuleProblem = z.infer<typeof RuleProblem>

export const RuleKind = z.enum(['detection', 'correlation', 'filter'])

export const RuleSummary = z.object({
  key: z.string().describe('the Sigma id, else file#n'),
  id: z.string().nullable(),
  kind: RuleKind,
  title: z.string(),
  level: AlertLevel.nullable(),
  status: z.string().nullable().describe('Sigma status: stable, test, experimental…'),
  tags: z.array(z.string()),
  author: z.string().nullable(),
  license: z.string().nullable(),
  logsource: z.string().describe('product/category/service'),
  file: z.string().describe('its file in the rule store, folder/name.yml'),
  folder: z.string(),
  origin: z.enum(['imported', 'user', 'example']),
  enabled: z.boolean(),
  hits: z.number().int(),
  last_hit: isoTimestamp.nullable(),
})
export type RuleSummary = z.infer<typeof RuleSummary>

export const RuleFolder = z.object({
  folder: z.string(),
  rules: z.number().int(),
  enabled: z.number().int(),
})

export const RuleTestState = z.enum(['running', 'done', 'failed', 'cancelled'])

/** A rule run over stored events before it is enabled; pushed as `rules:test-progress`. */
export const RuleTest = z.object({
  test_id: z.string(),
  state: RuleTestState,
  scanned: z.number().int(),
  total: z.number().int().describe('events to scan'),
  matches: z.number().int(),
  results: z
    .array(
      z.object({
        event_id: z.string(),
        timestamp: isoTimestamp,
        host: z.string().nullable(),
        title: z.string(),
      }),
    )
    .describe('the first matches, at most 200'),
  error: z.string().nullable(),
  seconds: z.number(),
})
export type RuleTest = z.infer<typeof RuleTest>

export const ImportRulesResult = z.object({
  files: z.number().int(),
  loaded: z.number().int(),
  invalid: z.number().int(),
  unsupported: z.number().int(),
  problems: z.array(RuleProblem).describe('every rule that did not load, at most 1000'),
  folder: z.string().describe('where the rules sit in the rule store'),
})

const limit = (max: number, fallback: number) => z.number().int().min(1).max(max).default(fallback)

/** The detection calls; merged into `calls` in schemas.ts. */
export const detectionCalls = {
  'alerts:list': {
    req: z.strictObject({
      limit: limit(1000, 100),
      before: z.number().int().positive().optional().describe('alerts with seq below this'),
      status: z.array(AlertStatus).optional(),
      min_level: AlertLevel.optional(),
      query: z.string().max(200).optional().describe('in title, rule id, host, user, tags'),
      incident_id: z.string().optional(),
    }),
    res: z.object({ alerts: z.array(Alert), total: z.number().int().describe('matching the filters') }),
  },
  'alerts:update': {
    req: z.strictObject({
      ids: z.array(z.string().min(1)).min(1).max(1000),
      action: z.enum(['acknowledge', 'close', 'false_positive', 'reopen']),
      note: z.string().max(4000).optional(),
    }),
    res: z.object({ alerts: z.array(Alert) }),
  },
  'alerts:escalate': {
    req: z.strictObject({
      ids: z.array(z.string().min(1)).min(1).max(1000),
      incident_id: z.string().optional().describe('add to this incident; without it a new one is made'),
      title: z.string().min(1).max(300).optional(),
      description: z
        .string()
        .max(100_000)
        .optional()
        .describe('Markdown, for a new incident (ignored when adding to one)'),
      note: z.string().max(4000).optional(),
    }),
    res: z.object({ incident: Incident, alerts: z.array(Alert) }),
  },
  'incidents:list': {
    req: z.strictObject({
      limit: limit(1000, 100),
      query: z.string().max(200).optional().describe('in title, id and assignee'),
      status: IncidentStatus.optional(),
      assignee: z.string().max(200).optional().describe('exactly this assignee'),
      severity: AlertLevel.optional(),
      operation_id: z.string().min(1).optional(),
    }),
    res: z.object({ incidents: z.array(Incident) }),
  },
  'rules:list': {
    req: z.strictObject({
      query: z.string().max(200).optional().describe('in title, id, tags, author, file'),
      folder: z.string().optional().describe('this folder and below'),
      tag: z.string().optional(),
      enabled: z.boolean().optional(),
      limit: limit(5000, 500),
      offset: z.number().int().min(0).default(0),
    }),
    res: z.object({
      rules: z.array(RuleSummary),
      total: z.number().int().describe('matching the filters'),
      folders: z.array(RuleFolder),
      problems: z.array(RuleProblem).describe('stored rules that do not load (edited by hand…)'),
    }),
  },
  'rules:get': {
    req: z.strictObject({ key: z.string().min(1) }),
    res: z.object({ rule: RuleSummary, text: z.string().describe("its file's YAML, as stored") }),
  },
  'rules:validate': {
    req: z.strictObject({ text: z.string().max(1024 * 1024) }),
    res: z.object({
      rules: z.array(z.object({ title: z.string(), id: z.string().nullable(), kind: RuleKind })),
      problems: z.array(RuleProblem),
    }),
  },
  'rules:save': {
    req: z.strictObject({
      file: z
        .string()
        .min(1)
        .max(300)
        .optional()
        .describe('replace this stored file; without it a new file under user/ is made'),
      text: z
        .string()
        .min(1)
        .max(1024 * 1024),
      enabled: z.boolean().default(true),
    }),
    res: z.object({ file: z.string(), rules: z.array(RuleSummary) }),
  },
  'rules:delete': {
    req: z.strictObject({ file: z.string().min(1) }),
    res: z.object({ deleted: z.number().int().describe('rules removed') }),
  },
  'rules:import': {
    req: z.union([
      z.strictObject({
        paths: z.array(z.string().min(1)).min(1).max(100).describe('folders, .yml files or .zip archives'),
        enabled: z.boolean().default(true),
      }),
      z.strictObject({
        upload_id: z.string().min(1),
        name: z.string().min(1),
        enabled: z.boolean().default(true),
      }),
    ]),
    res: ImportRulesResult,
  },
  'rules:set-enabled': {
    req: z.strictObject({
      keys: z.array(z.string().min(1)).max(10000).optional(),
      folder: z.string().optional(),
      tag: z.string().optional(),
      enabled: z.boolean(),
    }),
    res: z.object({ changed: z.number().int() }),
  },
  'rules:test': {
    req: z.union([
      z.strictObject({ key: z.string().min(1), limit: limit(10_000_000, 1_000_000) }),
      z.strictObject({
        text: z
          .string()
          .min(1)
          .max(1024 * 1024),
        limit: limit(10_000_000, 1_000_000),
      }),
    ]),
    res: z.object({ test_id: z.string() }),
  },
  'rules:test-cancel': {
    req: z.strictObject({ test_id: z.string().min(1) }),
    res: z.object({ test: RuleTest }),
  },
} as const

/** One audit log entry (append-only, hash-chained). */
export const AuditEntry = z.object({
  seq: z.number().int(),
  at: isoTimestamp,
  actor: z.string(),
  action: z.string().describe('create, update, delete, status, export, enable, disable, import…'),
  object_type: z.string().describe('rule, alert, incident, operation, mission, report…'),
  object_id: z.string().nullable(),
  details: z.record(z.string(), z.unknown()),
  hash: z.string().describe('SHA-256 over the previous hash and this entry'),
})
export type AuditEntry = z.infer<typeof AuditEntry>

export const auditCalls = {
  'audit:list': {
    req: z.strictObject({
      limit: limit(1000, 100),
      before: z.number().int().positive().optional().describe('entries with seq below this'),
    }),
    res: z.object({ entries: z.array(AuditEntry) }),
  },
  'audit:verify': {
    req: z.strictObject({}),
    res: z.object({
      intact: z.boolean(),
      entries: z.number().int().describe('entries checked'),
      broken: z
        .object({ seq: z.number().int(), reason: z.string() })
        .nullable()
        .describe('the first entry that does not follow the chain'),
    }),
  },
} as const

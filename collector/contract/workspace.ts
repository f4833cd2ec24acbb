import { z } from 'zod'
import { Alert, Incident, IncidentStatus } from './detection'

const isoTimestamp = z.string().describe('ISO-8601 timestamp with Z or an offset')

export const Tlp = z.enum(['clear', 'green', 'amber', 'amber+strict', 'red']).describe('TLP 2.0')
export type Tlp = z.infer<typeof Tlp>

export const ObservableType = z.enum([
  'ipv4',
  'ipv6',
  'domain',
  'url',
  'md5',
  'sha1',
  'sha256',
  'email',
  'user',
  'host',
  'file',
])
export type ObservableType = z.infer<typeof ObservableType>

export const Observable = z.object({
  id: z.string(),
  type: ObservableType,
  value: z.string(),
  first_seen: isoTimestamp.nullable(),
  last_seen: isoTimestamp.nullable(),
  note: z.string().nullable(),
})
export type Observable = z.infer<typeof Observable>

/** An observable as an incident holds it: with when it was added (a removal covers adds up to then). */
export const CaseObservable = Observable.extend({
  added_at: isoTimestamp.nullable().describe('when it was (last) added to this incident'),
})
export type CaseObservable = z.infer<typeof CaseObservable>

/** A comment on an incident; a retracted one keeps its place with no text. */
export const CaseComment = z.object({
  id: z.string(),
  at: isoTimestamp,
  actor: z.string(),
  body: z.string().describe('empty once retracted'),
  retracted: z
    .object({ at: isoTimestamp, actor: z.string() })
    .nullable()
    .describe('who retracted it and when (permanent); null while it stands'),
})
export type CaseComment = z.infer<typeof CaseComment>

/**
 * A removal on an incident: an observable removed (key `type:value`, covering its adds up to
 * `upto`; a later add is a new one) or a comment retracted (key its id, `upto` null: permanent).
 */
export const CaseRemoval = z.object({
  part: z.enum(['observables', 'comments']),
  key: z.string(),
  upto: isoTimestamp.nullable(),
  at: isoTimestamp,
  actor: z.string(),
})
export type CaseRemoval = z.infer<typeof CaseRemoval>

export const ObservableInput = z.strictObject({
  type: ObservableType,
  value: z.string().min(1).max(2048),
  note: z.string().max(2000).optional(),
})

/** A file attached to an incident as evidence: stored once per content, named by its SHA-256. */
export const Evidence = z.object({
  id: z.string(),
  incident_id: z.string(),
  name: z.string().describe('the file name given when attached'),
  media_type: z.string(),
  size: z.number().int().describe('bytes'),
  sha256: z.string().describe('hex digest of the bytes as stored'),
  note: z.string().nullable(),
  actor: z.string(),
  added_at: isoTimestamp,
})
export type Evidence = z.infer<typeof Evidence>

export const ReportStatus = z.enum(['draft', 'review', 'published'])
export type ReportStatus = z.infer<typeof ReportStatus>

/** An asset id as the inventory names it (see assets.ts); it may be one not seen yet. */
const AssetRef = z
  .string()
  .max(2100)
  .regex(/^(host|ip|user|process|service):.+$/, 'an asset id: <host|ip|user|process|service>:<value>')
const ReportLinks = {
  operation_id: z.string().min(1).nullable(),
  incidents: z.array(z.string().min(1)).max(500),
  assets: z.array(AssetRef).max(500),
}

const Technique = z.string().regex(/^T\d{4}(\.\d{3})?$/, 'an ATT&CK technique id such as T1059 or T1059.001')

export const Report = z.object({
  seq: z.number().int(),
  id: z.string(),
  title: z.string(),
  body: z.string().describe('markdown'),
  status: ReportStatus,
  tlp: Tlp,
  author: z.string(),
  techniques: z.array(z.string()),
  labels: z.array(z.string()),
  observables: z.array(Observable),
  operation_id: z.string().nullable().describe('the operation it belongs to'),
  incidents: z.array(z.string()).describe('incident ids it draws on'),
  assets: z.array(z.string()).describe('asset ids (<kind>:<value>) it concerns'),
  version: z.number().int().describe('1, then one more per saved change'),
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
})
export type Report = z.infer<typeof Report>

export const ReportSummary = Report.omit({ body: true, observables: true }).extend({
  observables: z.number().int(),
})
export type ReportSummary = z.infer<typeof ReportSummary>

export const ExportFormat = z.enum(['stix', 'html', 'md', 'pdf', 'csv', 'misp', 'navigator', 'package'])
export type ExportFormat = z.infer<typeof ExportFormat>

export const OperationStatus = z.enum(['planned', 'active', 'suspended', 'closed'])
export const Operation = z.object({
  seq: z.number().int(),
  id: z.string(),
  name: z.string(),
  objective: z.string(),
  status: OperationStatus,
  starts_at: isoTimestamp.nullable(),
  ends_at: isoTimestamp.nullable(),
  lead: z.string().nullable(),
  classification: z.string().nullable().describe("the site's classification marking, free text"),
  tlp: Tlp,
  missions: z.number().int(),
  open_missions: z.number().int(),
  overdue_missions: z.number().int(),
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
})
export type Operation = z.infer<typeof Operation>

export const MissionStatus = z.enum(['todo', 'in_progress', 'blocked', 'done'])
export const Priority = z.enum(['low', 'medium', 'high', 'critical'])
const ChecklistItem = z.object({ text: z.string().trim().min(1).max(500), done: z.boolean() })
export const Mission = z.object({
  seq: z.number().int(),
  id: z.string(),
  operation_id: z.string(),
  title: z.string(),
  objective: z.string(),
  assignee: z.string().nullable(),
  priority: Priority,
  due_at: isoTimestamp.nullable(),
  status: MissionStatus,
  checklist: z.array(ChecklistItem),
  incidents: z.array(z.string()),
  assets: z.array(z.string()),
  overdue: z.boolean().describe('due in the past and not done'),
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
})
export type Mission = z.infer<typeof Mission>

const OperationFields = {
  name: z.string().trim().min(1, 'a name is required').max(200),
  objective: z.string().max(10_000),
  status: OperationStatus,
  starts_at: isoTimestamp.nullable(),
  ends_at: isoTimestamp.nullable(),
  lead: z.string().max(200).nullable(),
  classification: z.string().max(200).nullable(),
  tlp: Tlp,
}
const MissionFields = {
  title: z.string().trim().min(1, 'a title is required').max(300),
  objective: z.string().max(10_000),
  assignee: z.string().max(200).nullable(),
  priority: Priority,
  due_at: isoTimestamp.nullable(),
  status: MissionStatus,
  checklist: z.array(ChecklistItem).max(200),
  incidents: z.array(z.string().min(1)).max(200),
  assets: z.array(z.string().min(1).max(300)).max(200),
}

const limit = (max: number, fallback: number) => z.number().int().min(1).max(max).default(fallback)

export const workspaceCalls = {
  'reports:list': {
    req: z.strictObject({
      limit: limit(1000, 100),
      query: z.string().max(200).optional().describe('in title, body, labels'),
      status: ReportStatus.optional(),
      operation_id: z.string().min(1).optional(),
    }),
    res: z.object({ reports: z.array(ReportSummary), total: z.number().int() }),
  },
  'reports:get': {
    req: z.strictObject({ id: z.string().min(1) }),
    res: z.object({ report: Report }),
  },
  'reports:versions': {
    req: z.strictObject({
      id: z.string().min(1),
      version: z.number().int().min(1).optional().describe('that version whole, with its body'),
    }),
    res: z.object({
      versions: z
        .array(
          z.object({
            version: z.number().int(),
            title: z.string(),
            status: ReportStatus,
            tlp: Tlp,
            saved_at: isoTimestamp,
            actor: z.string(),
            body: z.string().nullable().describe('only for the version asked for'),
          }),
        )
        .describe('every saved version, newest first; or the one asked for'),
    }),
  },
  'reports:create': {
    req: z.strictObject({
      title: z.string().trim().min(1, 'a title is required').max(300),
      body: z
        .string()
        .max(1024 * 1024)
        .default(''),
      tlp: Tlp.default('amber'),
      techniques: z.array(Technique).max(500).default([]),
      labels: z.array(z.string().min(1).max(100)).max(50).default([]),
      observables: z.array(ObservableInput).max(5000).default([]),
      operation_id: ReportLinks.operation_id.default(null),
      incidents: ReportLinks.incidents.default([]),
      assets: ReportLinks.assets.default([]),
    }),
    res: z.object({ report: Report }),
  },
  'reports:update': {
    req: z.strictObject({
      id: z.string().min(1),
      version: z.number().int().describe('the version edited: a newer one stored refuses the change'),
      title: z.string().trim().min(1, 'a title is required').max(300).optional(),
      body: z
        .string()
        .max(1024 * 1024)
        .optional(),
      tlp: Tlp.optional(),
      techniques: z.array(Technique).max(500).optional(),
      labels: z.array(z.string().min(1).max(100)).max(50).optional(),
      observables: z.array(ObservableInput).max(5000).optional().describe('the whole list, replacing it'),
      status: ReportStatus.optional().describe('draft -> review -> published; review -> draft'),
      operation_id: ReportLinks.operation_id.optional(),
      incidents: ReportLinks.incidents.optional().describe('the whole list, replacing it'),
      assets: ReportLinks.assets.optional().describe('the whole list, replacing it'),
    }),
    res: z.object({ report: Report }),
  },
  'reports:export': {
    req: z.strictObject({
      id: z.string().min(1),
      format: ExportFormat,
      path: z
        .string()
        .min(1)
        .optional()
        .describe("write the file here (the desktop's save dialog); without it the bytes come back"),
    }),
    res: z.object({
      name: z.string().describe('a file name for it: <title>.<extension>'),
      media_type: z.string(),
      bytes: z.number().int(),
      sha256: z.string(),
      path: z.string().nullable().describe('where it was written, when a path was given'),
      content_base64: z.string().nullable().describe('the file, when no path was given (browser download)'),
    }),
  },
  'incidents:get': {
    req: z.strictObject({ id: z.string().min(1) }),
    res: z.object({
      incident: Incident,
      alerts: z.array(Alert),
      comments: z.array(CaseComment),
      observables: z.array(CaseObservable),
      evidence: z.array(Evidence),
      removed: z
        .array(CaseRemoval)
        .describe(
          'observables removed and comments retracted: tombstones that keep them removed through sync',
        ),
      timeline: z
        .array(
          z.object({
            at: isoTimestamp,
            kind: z.enum(['event', 'alert', 'comment', 'action', 'evidence']),
            text: z.string(),
            ref: z.string().nullable().describe('the alert, comment or evidence id'),
          }),
        )
        .describe("its alerts, comments, evidence and the analysts' actions, oldest first"),
    }),
  },
  'incidents:update': {
    req: z.strictObject({
      id: z.string().min(1),
      status: IncidentStatus.optional().describe(
        'forward (new -> triage -> contained -> eradicated -> closed), or closed -> triage',
      ),
      assignee: z.string().min(1).max(200).nullable().optional(),
      title: z.string().trim().min(1).max(300).optional(),
      description: z.string().max(100_000).optional().describe('Markdown; empty clears it'),
      tlp: Tlp.optional(),
      pap: z.enum(['clear', 'green', 'amber', 'red']).optional(),
      operation_id: z.string().min(1).nullable().optional().describe('null: in no operation'),
    }),
    res: z.object({ incident: Incident }),
  },
  'incidents:comment': {
    req: z.strictObject({
      id: z.string().min(1),
      body: z.string().trim().min(1, 'a comment needs text').max(100_000),
    }),
    res: z.object({ comment: CaseComment }),
  },
  'incidents:observe': {
    req: z.strictObject({ id: z.string().min(1), observables: z.array(ObservableInput).min(1).max(1000) }),
    res: z.object({ added: z.number().int().describe('new to this incident') }),
  },
  'incidents:unobserve': {
    req: z.strictObject({ id: z.string().min(1), type: ObservableType, value: z.string().min(1).max(2048) }),
    res: z.object({ removal: CaseRemoval }),
  },
  'incidents:retract': {
    req: z.strictObject({ id: z.string().min(1), comment_id: z.string().min(1) }),
    res: z.object({ comment: CaseComment.describe('the tombstone: body empty, retracted set') }),
  },
  'incidents:attach': {
    req: z.union([
      z.strictObject({
        id: z.string().min(1),
        upload_id: z.string().min(1).describe('from `PUT /api/upload` (browser mode); moved into evidence'),
        name: z.string().trim().min(1).max(255),
        note: z.string().max(2000).optional(),
      }),
      z.strictObject({
        id: z.string().min(1),
        path: z.string().min(1).describe("a file on the collector's machine; copied, never moved"),
        name: z.string().trim().min(1).max(255).optional().describe("default: the path's file name"),
        note: z.string().max(2000).optional(),
      }),
      z.strictObject({
        id: z.string().min(1),
        content_base64: z
          .string()
          .max(8 * 1024 * 1024)
          .describe('small files inline (about 6 MB at most); larger ones by upload or path'),
        name: z.string().trim().min(1).max(255),
        note: z.string().max(2000).optional(),
      }),
    ]),
    res: z
      .object({ evidence: Evidence })
      .describe('the same bytes attached to the same incident again answer the first attachment'),
  },
  'evidence:get': {
    req: z.strictObject({ id: z.string().min(1) }),
    res: z.object({
      evidence: Evidence,
      content_base64: z.string().describe('the bytes; files over 32 MB are refused: export the package'),
    }),
  },
  'operations:list': {
    req: z.strictObject({
      limit: limit(1000, 200),
      status: OperationStatus.optional(),
      query: z.string().max(200).optional(),
    }),
    res: z.object({ operations: z.array(Operation) }),
  },
  'operations:create': {
    req: z.strictObject({
      name: OperationFields.name,
      objective: OperationFields.objective.default(''),
      status: OperationFields.status.default('planned'),
      starts_at: OperationFields.starts_at.default(null),
      ends_at: OperationFields.ends_at.default(null),
      lead: OperationFields.lead.default(null),
      classification: OperationFields.classification.default(null),
      tlp: OperationFields.tlp.default('amber'),
    }),
    res: z.object({ operation: Operation }),
  },
  'operations:update': {
    req: z.strictObject({ id: z.string().min(1), ...z.object(OperationFields).partial().shape }),
    res: z.object({ operation: Operation }),
  },
  'missions:list': {
    req: z.strictObject({
      operation_id: z.string().optional(),
      overdue: z.boolean().optional(),
      status: MissionStatus.optional(),
      assignee: z.string().max(200).optional().describe('exactly this assignee, any case'),
      query: z.string().max(200).optional().describe('in title and objective'),
      limit: limit(5000, 500),
    }),
    res: z.object({ missions: z.array(Mission) }),
  },
  'missions:create': {
    req: z.strictObject({
      operation_id: z.string().min(1),
      title: MissionFields.title,
      objective: MissionFields.objective.default(''),
      assignee: MissionFields.assignee.default(null),
      priority: MissionFields.priority.default('medium'),
      due_at: MissionFields.due_at.default(null),
      status: MissionFields.status.default('todo'),
      checklist: MissionFields.checklist.default([]),
      incidents: MissionFields.incidents.default([]),
      assets: MissionFields.assets.default([]),
    }),
    res: z.object({ mission: Mission }),
  },
  'missions:update': {
    req: z.strictObject({ id: z.string().min(1), ...z.object(MissionFields).partial().shape }),
    res: z.object({ mission: Mission }),
  },
  'incidents:export': {
    req: z.strictObject({ id: z.string().min(1), format: ExportFormat, path: z.string().min(1).optional() }),
    res: z.object({
      name: z.string(),
      media_type: z.string(),
      bytes: z.number().int(),
      sha256: z.string(),
      path: z.string().nullable(),
      content_base64: z.string().nullable(),
    }),
  },
} as const

/**
 * Response actions (proposed, previewed, approved, run and verified), the local operators who
 * approve them, webhook subscriptions and the notification centre. The parameter checks live here,
 * free of Node, so the console shows the same refusal beside the field before anything is sent.
 */
import { z } from 'zod'

const isoTimestamp = z.string().describe('ISO-8601 timestamp with Z or an offset')

export const ACTION_TYPES = [
  'block_ip',
  'isolate_host',
  'disable_user',
  'collect_evidence',
  'webhook',
  'command',
] as const
export const ActionType = z.enum(ACTION_TYPES)
export type ActionType = z.infer<typeof ActionType>

/**
 * proposed -> dry_run (previewed) -> approved -> running -> verifying -> completed; a failed
 * attempt waits in `retrying` and runs again, the last one ends `failed` (and a dead letter);
 * `rejected` ends a proposal.
 */
export const ACTION_STATUSES = [
  'proposed',
  'dry_run',
  'approved',
  'rejected',
  'running',
  'verifying',
  'retrying',
  'completed',
  'failed',
] as const
export const ActionStatus = z.enum(ACTION_STATUSES)
export type ActionStatus = z.infer<typeof ActionStatus>

/** The only moves the state machine allows. */
export const ACTION_MOVES: Readonly<Record<ActionStatus, readonly ActionStatus[]>> = {
  proposed: ['dry_run', 'rejected'],
  dry_run: ['approved', 'rejected'],
  approved: ['running'],
  running: ['verifying', 'retrying', 'failed'],
  verifying: ['completed', 'retrying', 'failed'],
  retrying: ['running'],
  rejected: [],
  completed: [],
  failed: [],
}

export const ProposedSource = z.enum(['user', 'rule', 'agent'])

// ---- parameter checks (pure; the core and the console run the same ones) ----

const IPV4_PART = /^(0|[1-9]\d{0,2})$/

/** Dotted quad, canonical (no leading zeros, each part 0-255); else undefined. */
const canonicalIpv4 = (text: string): string | undefined => {
  const parts = text.split('.')
  if (parts.length !== 4) return undefined
  if (!parts.every((p) => IPV4_PART.test(p) && Number(p) <= 255)) return undefined
  return parts.join('.')
}

/** RFC 5952 text of an IPv6 address (lowercase, zeros compressed), or undefined if it is not one. */
const canonicalIpv6 = (text: string): string | undefined => {
  if (!/^[0-9A-Fa-f:.]+$/.test(text) || text.length > 45) return undefined
  let head = text
  if (text.includes('.')) {
    // An IPv4 tail (::ffff:192.0.2.1) is two groups written another way.
    const lastColon = text.lastIndexOf(':')
    const v4 = canonicalIpv4(text.slice(lastColon + 1))
    if (!v4) return undefined
    const [a, b, c, d] = v4.split('.').map(Number) as [number, number, number, number]
    head = `${text.slice(0, lastColon + 1)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`
  }
  const halves = head.split('::')
  if (halves.length > 2) return undefined
  const parse = (part: string): number[] | undefined => {
    if (part === '') return []
    const groups = part.split(':')
    if (!groups.every((g) => /^[0-9A-Fa-f]{1,4}$/.test(g))) return undefined
    return groups.map((g) => parseInt(g, 16))
  }
  const left = parse(halves[0] ?? '')
  const right = halves.length === 2 ? parse(halves[1] ?? '') : []
  if (!left || !right) return undefined
  const total = left.length + right.length
  let groups: number[]
  if (halves.length === 2) {
    if (total > 7) return undefined
    groups = [...left, ...new Array<number>(8 - total).fill(0), ...right]
  } else {
    if (total !== 8) return undefined
    groups = left
  }
  // The longest run of two or more zero groups becomes ::, the first of equals.
  let bestStart = -1
  let bestLength = 1
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++
      continue
    }
    let j = i
    while (j < 8 && groups[j] === 0) j++
    if (j - i > bestLength) {
      bestStart = i
      bestLength = j - i
    }
    i = j
  }
  const hex = groups.map((g) => g.toString(16))
  if (bestStart < 0) return hex.join(':')
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`
}

/** The canonical text of an IPv4 or IPv6 address, or undefined when it is neither. */
export const canonicalIp = (text: string): string | undefined => canonicalIpv4(text) ?? canonicalIpv6(text)

export const ipVersion = (canonical: string): 4 | 6 => (canonical.includes(':') ? 6 : 4)

/** Host names as DNS and NetBIOS allow them: nothing a script could read as code. */
export const SAFE_HOST = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}))*$/
/** Account names: letters, digits, `.`, `_`, `-` (AD sAMAccountName and POSIX user names agree). */
export const SAFE_USER = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,63}$/

const Ip = z
  .string()
  .trim()
  .min(1, 'an IP address is required')
  .max(64)
  .refine((text) => canonicalIp(text) !== undefined, {
    error: (issue) =>
      `${JSON.stringify(issue.input)} is not an IPv4 or IPv6 address; write it like 203.0.113.7 or 2001:db8::7 (no ranges, no leading zeros)`,
  })
  .transform((text) => canonicalIp(text)!)

const Host = z
  .string()
  .trim()
  .min(1, 'a host name is required')
  .max(253)
  .regex(
    SAFE_HOST,
    'a host name is letters, digits and hyphens, in dot-separated labels (e.g. ws-01 or ws-01.corp.local); quotes, spaces, ; $ ` and the like are refused',
  )

const User = z
  .string()
  .trim()
  .min(1, 'a user name is required')
  .max(64)
  .regex(
    SAFE_USER,
    'a user name is letters, digits, . _ - (at most 64, no domain prefix); quotes, spaces, ; $ ` \\ and the like are refused',
  )

const Platform = z.enum(['windows', 'linux']).describe('what the scripts are written for')

export const actionParams = {
  block_ip: z.strictObject({
    ip: Ip,
    direction: z.enum(['inbound', 'outbound', 'both']).default('both'),
  }),
  isolate_host: z.strictObject({
    host: Host,
    platform: Platform,
    keep_ip: Ip.describe("the SOC's address kept reachable while the host is cut off"),
  }),
  disable_user: z.strictObject({ user: User, platform: Platform }),
  collect_evidence: z.strictObject({ host: Host, platform: Platform }),
  webhook: z.strictObject({
    url: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }).max(2048),
    body: z.record(z.string(), z.unknown()).default({}),
  }),
  command: z.strictObject({
    command: z
      .string()
      .min(1)
      .max(1024)
      .regex(/^\//, 'the absolute path of an allowlisted program (actions.commands in config.yaml)'),
    args: z
      .array(
        z
          .string()
          .max(1024)
          .regex(/^[^\0\n\r]*$/, 'no NUL or line breaks'),
      )
      .max(64)
      .default([]),
  }),
} as const satisfies Record<ActionType, z.ZodType>

export type ActionParams = { [T in ActionType]: z.output<(typeof actionParams)[T]> }

/** The parameters checked for this type: either the canonical values or each field's problem. */
export const checkActionParams = (
  type: ActionType,
  params: unknown,
): { ok: true; params: Record<string, unknown> } | { ok: false; problems: Record<string, string> } => {
  const parsed = actionParams[type].safeParse(params)
  if (parsed.success) return { ok: true, params: parsed.data }
  const problems: Record<string, string> = {}
  for (const issue of parsed.error.issues) {
    const field = issue.path.length ? issue.path.map(String).join('.') : '(params)'
    problems[field] ??= issue.message
  }
  return { ok: false, problems }
}

// ---- what the calls carry ----

export const ActionArtifact = z.object({
  name: z.string().describe('a file name: blocklist.nft, isolate.ps1…'),
  media_type: z.string(),
  content: z.string(),
  sha256: z.string(),
})
export type ActionArtifact = z.infer<typeof ActionArtifact>

export const ActionPreview = z.object({
  summary: z.string().describe('one line: what would change'),
  artifacts: z.array(ActionArtifact).describe('exactly what running it produces'),
  diff: z
    .string()
    .nullable()
    .describe('unified-style diff of the state Outpost knows (its firewall ruleset); null when none'),
  warnings: z.array(z.string()),
})
export type ActionPreview = z.infer<typeof ActionPreview>

export const ActionStep = z.object({
  seq: z.number().int(),
  at: isoTimestamp,
  from: ActionStatus.nullable(),
  to: ActionStatus,
  actor: z.string(),
  note: z.string().nullable(),
  evidence_id: z.string().nullable().describe("the step's record, kept as incident evidence"),
  sha256: z.string().nullable(),
})
export type ActionStep = z.infer<typeof ActionStep>

export const Action = z.object({
  id: z.string(),
  idempotency_key: z.string(),
  type: ActionType,
  params: z.record(z.string(), z.unknown()),
  incident_id: z.string().nullable(),
  proposed_by: z.string(),
  proposed_source: ProposedSource,
  status: ActionStatus,
  preview: ActionPreview.nullable(),
  approved_by: z.string().nullable(),
  attempts: z.number().int(),
  next_attempt_at: isoTimestamp.nullable(),
  last_error: z.string().nullable(),
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
})
export type Action = z.infer<typeof Action>

export const ActionDeadLetter = z.object({
  id: z.number().int(),
  action_id: z.string(),
  type: ActionType,
  incident_id: z.string().nullable(),
  attempts: z.number().int(),
  reason: z.string(),
  at: isoTimestamp,
})
export type ActionDeadLetter = z.infer<typeof ActionDeadLetter>

export const Operator = z.object({ name: z.string(), created_at: isoTimestamp })
export type Operator = z.infer<typeof Operator>

export const WEBHOOK_EVENTS = ['alert.raised', 'alert.updated', 'incident.changed', 'action.changed'] as const
export const WebhookEvent = z.enum(WEBHOOK_EVENTS)
export type WebhookEvent = z.infer<typeof WebhookEvent>

export const WebhookSubscription = z.object({
  id: z.string(),
  name: z.string(),
  url: z.string(),
  events: z.array(WebhookEvent),
  enabled: z.boolean(),
  secret: z.string().describe('the HMAC-SHA256 key: verify X-Outpost-Signature with it'),
  created_at: isoTimestamp,
  updated_at: isoTimestamp,
})
export type WebhookSubscription = z.infer<typeof WebhookSubscription>

export const WebhookDelivery = z.object({
  id: z.number().int(),
  subscription_id: z.string(),
  event: WebhookEvent,
  status: z.enum(['pending', 'delivered', 'dead']),
  attempts: z.number().int(),
  next_attempt_at: isoTimestamp.nullable(),
  last_error: z.string().nullable(),
  response_status: z.number().int().nullable(),
  created_at: isoTimestamp,
  delivered_at: isoTimestamp.nullable(),
})
export type WebhookDelivery = z.infer<typeof WebhookDelivery>

export const NotificationKind = z.enum(['critical_alert', 'silent_source', 'approval_needed'])
export const Notification = z.object({
  id: z.number().int(),
  at: isoTimestamp,
  kind: NotificationKind,
  title: z.string(),
  body: z.string(),
  ref_type: z.enum(['alert', 'action', 'incident']),
  ref_id: z.string(),
  incident_id: z.string().nullable(),
  read: z.boolean(),
})
export type Notification = z.infer<typeof Notification>

const Passphrase = z.string().min(1).max(1024)
const ActionId = z.strictObject({ id: z.string().min(1) })
const OperatorName = z
  .string()
  .trim()
  .min(1, 'a name is required')
  .max(64)
  .regex(SAFE_USER, 'letters, digits, . _ - (at most 64)')

export const ActionTypeInfo = z.object({
  type: ActionType,
  title: z.string(),
  description: z.string(),
  fields: z.array(
    z.object({
      name: z.string(),
      label: z.string(),
      kind: z.enum(['text', 'choice', 'json', 'list']),
      choices: z.array(z.string()).optional(),
      default: z.string().optional(),
    }),
  ),
  enabled: z.boolean().describe('webhook and command: only once their allowlist is configured'),
  disabled_reason: z.string().nullable(),
})
export type ActionTypeInfo = z.infer<typeof ActionTypeInfo>

export const actionCalls = {
  'actions:types': {
    req: z.strictObject({}),
    res: z.object({ types: z.array(ActionTypeInfo), two_person_rule: z.boolean() }),
  },
  'actions:list': {
    req: z.strictObject({
      incident_id: z.string().min(1).optional(),
      status: ActionStatus.optional(),
      limit: z.number().int().min(1).max(1000).default(200),
    }),
    res: z.object({ actions: z.array(Action) }),
  },
  'actions:get': {
    req: ActionId,
    res: z.object({ action: Action, steps: z.array(ActionStep) }),
  },
  'actions:propose': {
    req: z.strictObject({
      type: ActionType,
      params: z.record(z.string(), z.unknown()).describe('checked per type: see actions:types'),
      incident_id: z.string().min(1).nullable().default(null),
      idempotency_key: z
        .string()
        .min(1)
        .max(200)
        .optional()
        .describe('a second proposal with the same key answers the first action'),
      proposed_by: OperatorName.optional().describe('a local operator; default: the OS user'),
      proposed_source: ProposedSource.default('user'),
      passphrase: Passphrase.optional().describe("the operator's, when the two-person rule is on"),
    }),
    res: z.object({ action: Action, created: z.boolean() }),
  },
  'actions:dry-run': { req: ActionId, res: z.object({ action: Action }) },
  'actions:approve': {
    req: z.strictObject({
      id: z.string().min(1),
      approver: OperatorName.optional().describe('required with the two-person rule'),
      passphrase: Passphrase.optional(),
    }),
    res: z.object({ action: Action }),
  },
  'actions:reject': {
    req: z.strictObject({ id: z.string().min(1), reason: z.string().trim().min(1).max(2000) }),
    res: z.object({ action: Action }),
  },
  'actions:execute': {
    req: ActionId,
    res: z.object({ action: Action }).describe('after the executor step ran it (or scheduled a retry)'),
  },
  'actions:dead-letters': {
    req: z.strictObject({ limit: z.number().int().min(1).max(1000).default(100) }),
    res: z.object({ dead_letters: z.array(ActionDeadLetter) }),
  },
  'operators:list': { req: z.strictObject({}), res: z.object({ operators: z.array(Operator) }) },
  'operators:create': {
    req: z.strictObject({
      name: OperatorName,
      passphrase: z.string().min(8, 'at least 8 characters').max(1024),
    }),
    res: z.object({ operator: Operator }),
  },
  'webhooks:list': {
    req: z.strictObject({}),
    res: z.object({
      subscriptions: z.array(WebhookSubscription),
      allow: z.array(z.string()).describe('webhooks.allow in config.yaml: URL prefixes; empty: all refused'),
      deliveries: z.array(WebhookDelivery).describe('the newest 100, dead letters among them'),
    }),
  },
  'webhooks:save': {
    req: z.strictObject({
      id: z.string().min(1).optional().describe('absent: a new subscription'),
      name: z.string().trim().min(1, 'a name is required').max(200),
      url: z.url({ protocol: /^https?$/, error: 'an http:// or https:// URL' }).max(2048),
      events: z.array(WebhookEvent).min(1, 'pick at least one event'),
      enabled: z.boolean().default(true),
    }),
    res: z.object({ subscription: WebhookSubscription }),
  },
  'webhooks:delete': { req: ActionId, res: z.object({ deleted: z.boolean() }) },
  'webhooks:test': {
    req: ActionId,
    res: z.object({ delivery: WebhookDelivery.describe('the test delivery, tried once now') }),
  },
  'notifications:list': {
    req: z.strictObject({
      unread: z.boolean().optional(),
      limit: z.number().int().min(1).max(500).default(100),
    }),
    res: z.object({ notifications: z.array(Notification), unread: z.number().int() }),
  },
  'notifications:read': {
    req: z.strictObject({
      ids: z.array(z.number().int()).max(1000).optional().describe('absent: all of them'),
    }),
    res: z.object({ unread: z.number().int() }),
  },
} as const

export const actionEvents = {
  'actions:changed': z.object({
    action: Action.describe('as it stands after a transition'),
  }),
  'notifications:new': z.object({ notification: Notification }),
} as const

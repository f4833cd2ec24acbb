import { z } from 'zod'

const iso = z.string().describe('ISO-8601 timestamp')

/** One version of one object as it syncs (collector/sync/records.ts SyncRecord). */
export const SyncRecordSchema = z.object({
  kind: z.string(),
  id: z.string(),
  version: z.number().int(),
  updated_at: z.string(),
  origin: z.string(),
  deleted: z.boolean(),
  body: z.record(z.string(), z.unknown()),
  base: z.number().int().optional().describe('the version this one was made from (two-way sync)'),
  clashes: z
    .array(z.string())
    .optional()
    .describe("a core's merge: the fields both sides changed (status, assignee…), for review"),
})

export const SyncStatus = z.object({
  role: z.enum(['console', 'core']).describe('core: `outpost serve --role core` answers the sync API'),
  node_id: z.string().describe("this data dir's id: the origin of the records it makes"),
  configured: z.boolean().describe('false: no connector, and no outbound connection is ever opened'),
  url: z.string().nullable(),
  console_id: z.string().nullable().describe('the name the core knows this console by (from hello)'),
  role_on_core: z.string().nullable().describe('viewer, analyst or admin'),
  queue_depth: z.number().int().describe('changes waiting in the outbox'),
  conflicts: z.number().int().describe('conflicts not yet resolved'),
  last_success: iso.nullable(),
  last_error: z.string().nullable(),
  next_retry: iso.nullable().describe('when the outbox head is tried again after a failure'),
  cursor: z.number().int().describe('the pull cursor: the last seq pulled from the core'),
  nats: z
    .object({
      enabled: z.boolean().describe('nats.enabled in config.yaml: this console publishes its outbox'),
      connected: z.boolean().describe('a NATS server answers now'),
      servers: z.array(z.string()),
      site: z.string().describe('subjects outpost.<site>.<kind>'),
      queue_depth: z.number().int().describe('outbox entries not yet acknowledged by JetStream'),
      last_success: iso.nullable(),
      last_error: z.string().nullable(),
      next_retry: iso.nullable(),
    })
    .describe("publishing to NATS JetStream (a team core's replicas), beside the connector"),
  bundles: z
    .object({
      mode: z.enum(['two-way', 'export-only', 'import-only']).describe('bundles.mode in config.yaml'),
      channel: z
        .boolean()
        .describe('export-only (a data diode): bundles written with --outbox carry the outbox'),
      queue_depth: z
        .number()
        .int()
        .describe('outbox entries no exported bundle carried yet (0 when bundles are not a channel)'),
      last_export: iso.nullable().describe('when the last bundle was exported from here'),
    })
    .describe('the bundle channel: signed bundles on removable media'),
})
export type SyncStatus = z.infer<typeof SyncStatus>

export const SyncConflict = z.object({
  id: z.number().int(),
  kind: z.string(),
  object_id: z.string(),
  local: SyncRecordSchema,
  remote: SyncRecordSchema,
  winner: z.enum(['local', 'remote']).describe('what the deterministic rule kept'),
  detected_at: iso,
  resolved_at: iso.nullable(),
  resolution: z.enum(['local', 'remote']).nullable(),
})
export type SyncConflict = z.infer<typeof SyncConflict>

/** The connector's calls; merged into `calls` in schemas.ts. */
export const syncCalls = {
  'sync:status': { req: z.strictObject({}), res: SyncStatus },
  'sync:connect': {
    req: z
      .strictObject({
        url: z
          .string()
          .trim()
          .min(1, 'the core URL is required, e.g. https://core.example.org:7480')
          .pipe(z.url({ protocol: /^https?$/, error: 'use an http:// or https:// URL of the core' })),
        token: z
          .string()
          .trim()
          .min(8, "the console's token is required (outpost sync consoles add on the core)")
          .optional()
          .describe('or a client certificate and key instead (cert_pem, key_pem)'),
        ca_pem: z
          .string()
          .trim()
          .refine(
            (s) => s === '' || s.includes('-----BEGIN CERTIFICATE-----'),
            'the CA must be a PEM certificate',
          )
          .optional()
          .describe('PEM of the CA to trust for an https core (pinned: only this CA)'),
        cert_pem: z
          .string()
          .trim()
          .refine((s) => s.includes('-----BEGIN CERTIFICATE-----'), 'the client certificate must be PEM')
          .optional()
          .describe(
            "PEM client certificate from the core's client CA (api.client_ca_file); its CN names the console",
          ),
        key_pem: z
          .string()
          .trim()
          .refine(
            (s) => /-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(s),
            'the client key must be a PEM private key',
          )
          .optional()
          .describe("the client certificate's private key, PEM, unencrypted"),
      })
      .superRefine((req, ctx) => {
        if ((req.cert_pem === undefined) !== (req.key_pem === undefined))
          ctx.addIssue({
            code: 'custom',
            path: [req.cert_pem === undefined ? 'cert_pem' : 'key_pem'],
            message: 'a client certificate and its key go together: give both',
          })
        else if (req.token === undefined && req.cert_pem === undefined)
          ctx.addIssue({
            code: 'custom',
            path: ['token'],
            message:
              "the console's token is required (outpost sync consoles add on the core), or a client certificate and key",
          })
      }),
    res: SyncStatus,
  },
  'sync:disconnect': { req: z.strictObject({}), res: SyncStatus },
  'sync:push-now': {
    req: z.strictObject({}),
    res: z.object({ pushed: z.number().int(), conflicts: z.number().int(), status: SyncStatus }),
  },
  'sync:pull-now': {
    req: z.strictObject({}),
    res: z.object({ pulled: z.number().int(), conflicts: z.number().int(), status: SyncStatus }),
  },
  'sync:conflicts': {
    req: z.strictObject({
      open: z.boolean().default(true).describe('false: resolved ones too'),
      limit: z.number().int().min(1).max(1000).default(100),
    }),
    res: z.object({ conflicts: z.array(SyncConflict) }),
  },
  'sync:resolve': {
    req: z.strictObject({
      id: z.number().int().min(1),
      choose: z
        .enum(['local', 'remote'])
        .describe('local: keep this console’s version (queued again); remote: take the core’s'),
    }),
    res: z.object({ conflict: SyncConflict }),
  },
} as const

export const syncEvents = {
  'sync:changed': SyncStatus,
} as const

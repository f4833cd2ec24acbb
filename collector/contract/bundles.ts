import { z } from 'zod'
import { AlertLevel } from './detection'

const isoTimestamp = z.string().describe('ISO-8601')

export const KeyScope = z.enum(['records', 'content', 'both'])
export type KeyScope = z.infer<typeof KeyScope>

export const TrustedKey = z.object({
  name: z.string(),
  key_id: z.string().describe('first 16 hex digits of SHA-256 of the raw public key'),
  public_key: z.string().describe('ed25519:<base64 of the raw 32 bytes>'),
  scope: KeyScope.describe('which bundles it may sign: records, content or both'),
  added_at: isoTimestamp,
  fingerprint: z.string().describe('32 hex digits in groups of four, to compare aloud'),
})
export type TrustedKey = z.infer<typeof TrustedKey>

export const SYNC_PUSH_KINDS = ['alert', 'incident', 'report', 'asset', 'audit', 'evidence'] as const
export const BundleContentType = z.enum(['rule-pack', 'attack', 'watchlist'])
export type BundleContentType = z.infer<typeof BundleContentType>

export const BundleInfo = z.object({
  bundle_id: z.string(),
  kind: z.enum(['records', 'content']),
  content_type: BundleContentType.nullable(),
  name: z.string().nullable(),
  version: z.string(),
  created_at: isoTimestamp,
  origin: z.string(),
  signer: z.object({ name: z.string(), key_id: z.string() }).describe('the trusted key that signed it'),
  counts: z.record(z.string(), z.number().int()),
})
export type BundleInfo = z.infer<typeof BundleInfo>

export const PreviewStatus = z.enum(['new', 'changed', 'unchanged', 'conflict'])
export type PreviewStatus = z.infer<typeof PreviewStatus>

export const PreviewItem = z.object({
  kind: z.string(),
  id: z.string(),
  status: PreviewStatus,
  incoming_version: z.string(),
  stored_version: z.string().nullable(),
  stored_origin: z.string().nullable(),
  winner: z.enum(['incoming', 'stored']).describe('what is kept after import (resolveConflict)'),
  fields: z.array(z.string()).describe('top-level fields that differ from what is stored'),
})
export type PreviewItem = z.infer<typeof PreviewItem>

const Counts = z.object({
  new: z.number().int(),
  changed: z.number().int(),
  unchanged: z.number().int(),
  conflict: z.number().int(),
})

export const BundlePreview = z.object({
  bundle: BundleInfo,
  already_imported: z.boolean().describe('this very bundle (by id) was imported before'),
  counts: Counts,
  items: z.array(PreviewItem).describe('at most 1000, those that would change first'),
})
export type BundlePreview = z.infer<typeof BundlePreview>

export const BundleImportResult = BundlePreview.extend({
  applied: z.number().int().describe('records stored or content versions installed'),
})
export type BundleImportResult = z.infer<typeof BundleImportResult>

export const ContentVersion = z.object({
  type: BundleContentType,
  name: z.string(),
  version: z.string(),
  bundle_id: z.string(),
  signer: z.string().describe('key id'),
  installed_at: isoTimestamp,
  active: z.boolean(),
})
export type ContentVersion = z.infer<typeof ContentVersion>

export const WatchlistIndicator = z.object({
  list: z.string(),
  type: z.enum(['ip', 'cidr', 'domain', 'url', 'md5', 'sha1', 'sha256', 'email', 'filename']),
  value: z.string(),
  source: z.string().nullable(),
  valid_from: isoTimestamp.nullable().describe('matches events from this time on; null: from the start'),
  valid_until: isoTimestamp.nullable().describe('matches events before this time; null: no expiry'),
  version: z.string(),
  level: AlertLevel.nullable().describe('the alert level a match raises; null: detection.ioc.default_level'),
  hits: z.number().int().describe('events that matched it (committed by detection)'),
  last_hit_at: isoTimestamp.nullable().describe('the time of the last event that matched it'),
})
export type WatchlistIndicator = z.infer<typeof WatchlistIndicator>

const path = z.string().min(1)

export const BundleExportResult = z.object({
  file: z.string(),
  bundle_id: z.string(),
  version: z
    .string()
    .describe("records: the bundle's number here (for a later --since); content: its version"),
  bytes: z.number().int(),
  sha256: z.string().describe('of the whole file, to compare after copying'),
  counts: z.record(z.string(), z.number().int()),
})
export type BundleExportResult = z.infer<typeof BundleExportResult>

/** Keys and signed bundles; merged into `calls` in schemas.ts. */
export const bundleCalls = {
  'keys:show': {
    req: z.strictObject({}),
    res: z.object({
      key_id: z.string(),
      public_key: z.string().describe('ed25519:<base64>: give it to whoever imports this side’s bundles'),
      fingerprint: z.string(),
    }),
  },
  'keys:list': { req: z.strictObject({}), res: z.object({ keys: z.array(TrustedKey) }) },
  'keys:trust': {
    req: z.strictObject({
      name: z.string().min(1).max(64),
      public_key: z.string().min(1).describe('ed25519:<base64> (outpost keys show) or an SPKI PEM'),
      scope: KeyScope.default('both'),
    }),
    res: z.object({ key: TrustedKey }),
  },
  'keys:revoke': { req: z.strictObject({ name: z.string().min(1) }), res: z.object({ key: TrustedKey }) },
  'bundles:export': {
    req: z.strictObject({
      out: path.describe("the bundle file to write, on the core's machine"),
      since: z
        .string()
        .optional()
        .describe('ISO-8601: objects changed since then; or N: what changed after this side’s bundle N'),
      kinds: z.array(z.enum(SYNC_PUSH_KINDS)).min(1).optional().describe('default: all'),
      outbox: z
        .boolean()
        .optional()
        .describe(
          'the sync outbox entries no bundle carried yet (the bundle delivery channel), instead of a selection',
        ),
    }),
    res: BundleExportResult,
  },
  'bundles:content-export': {
    req: z.strictObject({
      type: BundleContentType,
      in: path.describe('rule-pack: a folder, .zip or .yml; attack: a STIX bundle; watchlist: CSV or JSON'),
      version: z.string().min(1).max(64),
      name: z.string().min(1).max(100).optional().describe('default: from the file or folder name'),
      out: path,
    }),
    res: BundleExportResult,
  },
  'bundles:preview': { req: z.strictObject({ path }), res: BundlePreview },
  'bundles:import': { req: z.strictObject({ path }), res: BundleImportResult },
  'bundles:content-list': { req: z.strictObject({}), res: z.object({ versions: z.array(ContentVersion) }) },
  'bundles:content-rollback': {
    req: z.strictObject({
      type: BundleContentType,
      name: z.string().min(1).optional().describe('needed when several packs of the type are installed'),
      to: z.string().min(1).optional().describe('default: the version installed before the active one'),
    }),
    res: z.object({ from: ContentVersion, to: ContentVersion }),
  },
  'watchlist:list': {
    req: z.strictObject({
      list: z.string().optional(),
      limit: z.number().int().min(1).max(10000).default(1000),
      sort: z
        .enum(['list', 'hits', 'last_hit'])
        .default('list')
        .describe(
          'list: by list, type, value; hits: most matched first; last_hit: most recently matched first',
        ),
    }),
    res: z.object({ indicators: z.array(WatchlistIndicator), total: z.number().int() }),
  },
  'watchlist:add': {
    req: z.strictObject({
      type: z.string().min(1).describe('ip, cidr, domain, url, md5, sha1, sha256, email, filename'),
      value: z.string().min(1).max(2048),
      source: z.string().max(200).optional().describe('who reported it'),
      valid_from: z.string().optional().describe('ISO-8601: matches events from then on; default: always'),
      valid_until: z.string().optional().describe('ISO-8601; default: no expiry'),
      level: AlertLevel.optional().describe('the level a match raises; default detection.ioc.default_level'),
    }),
    res: z.object({
      indicator: WatchlistIndicator,
      watchlist_size: z.number().int(),
      updated: z
        .boolean()
        .describe('the analyst list held it already: its level, validity and source were replaced'),
    }),
  },
  'watchlist:remove': {
    req: z.strictObject({ type: z.string().min(1), value: z.string().min(1).max(2048) }),
    res: z.object({ removed: z.boolean(), watchlist_size: z.number().int() }),
  },
} as const

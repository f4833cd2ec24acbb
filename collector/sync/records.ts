/**
 * The unit of synchronisation between a console and a core, online (the sync API, NATS) or on
 * removable media (signed bundles): one version of one object.
 */
export const PUSH_KINDS = ['alert', 'incident', 'report', 'asset', 'audit', 'evidence'] as const
export const PULL_KINDS = ['operation', 'mission', 'rule-pack', 'watchlist', 'content'] as const
export type SyncKind = (typeof PUSH_KINDS)[number] | (typeof PULL_KINDS)[number]

export type SyncRecord = {
  kind: SyncKind
  /** The object's own id (an alert id, an incident id…). */
  id: string
  /** Rises by one with every change made where the object lives; conflicts compare it first. */
  version: number
  /** ISO-8601: when this version was made (the tie-breaker after version). */
  updated_at: string
  /** Who made this version: a console's id or a core's id (the last tie-breaker). */
  origin: string
  /** The record says the object was removed (kept as a tombstone so the removal syncs too). */
  deleted: boolean
  /** The object as the contract describes it (e.g. an Incident with its timeline). */
  body: Record<string, unknown>
  /**
   * The version this one was made from: the last version of the object its maker had agreed with
   * the core. A core merges an incident or alert whose base is not its current version (a
   * concurrent edit; see merge.ts). Absent on records that predate two-way sync.
   */
  base?: number
  /**
   * Only in a push's answer: the scalar fields the core's merge found changed on both sides (the
   * console logs them as a conflict for review).
   */
  clashes?: string[]
}

/** Retries of one push carry the same key: the receiver stores each key once. */
export const idempotencyKey = (origin: string, outboxSeq: number): string => `${origin}:${outboxSeq}`

/**
 * The deterministic conflict rule, the same on every side: the higher version wins; equal
 * versions, the later updated_at; equal again, the greater origin. Returns the winner.
 */
export const resolveConflict = (a: SyncRecord, b: SyncRecord): SyncRecord => {
  if (a.version !== b.version) return a.version > b.version ? a : b
  if (a.updated_at !== b.updated_at) return a.updated_at > b.updated_at ? a : b
  return a.origin >= b.origin ? a : b
}

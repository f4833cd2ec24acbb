import { EMPTY_ASSET_FIELDS, isMergedKind, mergeAsset, mergeVersions, withUnion } from '../merge'
import type { SyncRecord } from '../records'
import type { Merger, RecordStore } from './record-store'

/**
 * How a core settles a pushed (or replicated) incident or alert against the version it stores:
 *
 * - built on the stored version (its base is the stored version, or it is the same maker's next
 *   one, or it predates two-way sync and is above it): a fast-forward, stored as it came, unless
 *   it lacks comments, observables, evidence or timeline entries the stored version has, or
 *   removals (a removed observable, a retracted comment) it does not apply yet: then the union,
 *   with every removal applied, is stored as a new version made by the core (withUnion);
 * - otherwise the two were made concurrently: merged (mergeVersions) against the scalar fields of
 *   the common version, into a new version made by the core, above both.
 *
 * An asset is always merged (mergeAsset), even when built on the stored version, so no console's
 * inventory or analyst fields are dropped by a higher version from another: a version with no base
 * (a console that never synced the asset, its version raised by its inventory alone) is merged
 * against the empty analyst fields every asset starts with.
 *
 * An older version from the stored version's maker, other kinds, and deleted objects keep the
 * usual rule (resolveConflict).
 *
 * A merge depends only on the two versions (and the bases kept from earlier ones): its origin is
 * `mergeOrigin` (the team's id, shared by every replica of a team core) and its time the later of
 * the two versions' times, so replicas that merge the same two versions store the same record.
 */
export const coreMerger =
  (records: () => RecordStore, mergeOrigin: () => string): Merger =>
  (stored, incoming) => {
    if (!isMergedKind(incoming.kind) || stored.deleted || incoming.deleted) return null
    const at = stored.updated_at > incoming.updated_at ? stored.updated_at : incoming.updated_at
    const made = (version: number, body: Record<string, unknown>): SyncRecord => ({
      kind: incoming.kind,
      id: incoming.id,
      version,
      updated_at: at,
      origin: mergeOrigin(),
      deleted: false,
      body,
    })
    // An older version from the maker of the stored one (a retry overtaken by its later version,
    // say online after a bundle): the stored already holds its changes, so the usual rule keeps it.
    if (incoming.origin === stored.origin && incoming.version < stored.version) return null
    if (incoming.kind === 'asset') {
      const ahead =
        incoming.base === stored.version || (incoming.base !== undefined && incoming.origin === stored.origin)
      if (ahead) records().keepBase(incoming.kind, incoming.id, incoming.version, incoming.body)
      const base =
        incoming.base === undefined
          ? EMPTY_ASSET_FIELDS
          : records().base(incoming.kind, incoming.id, incoming.base)
      const { body, clashes } = mergeAsset(base, stored, incoming, ahead)
      return { record: made(Math.max(stored.version, incoming.version) + 1, body), clashes }
    }
    const forward =
      incoming.version > stored.version &&
      (incoming.base === undefined || incoming.base === stored.version || incoming.origin === stored.origin)
    if (forward) {
      const body = withUnion(incoming.kind, incoming.body, stored.body)
      if (!body) return null
      // Its maker agreed with the incoming version: it is the base of that maker's next edit.
      records().keepBase(incoming.kind, incoming.id, incoming.version, incoming.body)
      return { record: made(incoming.version + 1, body), clashes: [] }
    }
    const base =
      incoming.base === undefined ? null : records().base(incoming.kind, incoming.id, incoming.base)
    const { body, clashes } = mergeVersions(base, stored, incoming)
    return { record: made(Math.max(stored.version, incoming.version) + 1, body), clashes }
  }

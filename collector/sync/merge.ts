/**
 * Two-way sync of incidents and alerts: when a console's version and a core's version of the same
 * object were made concurrently (neither was built on the other), the core merges them, the same
 * way every time:
 *
 * - append-only parts (an incident's comments, timeline entries, observables and evidence
 *   metadata) are the union of both sides, each item by its id (observables by type and value,
 *   timeline actions by time, text and reference), in a stable order: nothing either analyst
 *   wrote is lost;
 * - removals (an incident's `removed`: observables removed, comments retracted) are a union too,
 *   and win over the union of the parts: an observable a removal covers (same type and value,
 *   added up to the removal's `upto`) is left out, a retracted comment is kept as its tombstone
 *   (no text). An observable added after its removal is a new add and stays (an observed-remove
 *   set: a removal covers only the adds its maker had seen);
 * - scalar fields (an incident's status, severity, assignee, title and description; an alert's
 *   status, note and incident) are three-way merged against the common version: a field only one
 *   side changed takes that side's value; a field both changed to different values follows
 *   resolveConflict (the winner's value) and is reported as a clash, which the console logs as a
 *   sync conflict for its analyst to review;
 * - every other field follows resolveConflict.
 *
 * The result is a new version on the core (version above both, origin the core) that every console
 * pulls, so both sides converge.
 */
import { resolveConflict, type SyncKind, type SyncRecord } from './records'

type Body = Record<string, unknown>

/** The kinds a core merges (and consoles pull back), with their scalar fields. */
export const MERGED_SCALARS: Partial<Record<SyncKind, readonly string[]>> = {
  incident: ['status', 'severity', 'assignee', 'title', 'description'],
  alert: ['status', 'note', 'incident_id'],
  // An asset's analyst fields; its tags are a set merged three-way (mergeTags), its inventory
  // monotonically per origin (mergeInventory).
  asset: ['owner', 'criticality', 'role', 'note'],
}

export const MERGED_KINDS: readonly SyncKind[] = ['incident', 'alert', 'asset']

export const isMergedKind = (kind: SyncKind): boolean => MERGED_SCALARS[kind] !== undefined

/** The append-only lists of an incident's case body, and how each item is identified. */
const UNION_PARTS: Record<string, (item: Body) => string | null> = {
  comments: (c) => (typeof c.id === 'string' ? c.id : null),
  evidence: (e) =>
    typeof e.id === 'string' ? e.id : typeof e.sha256 === 'string' ? `sha256:${e.sha256}` : null,
  observables: (o) =>
    typeof o.type === 'string' && typeof o.value === 'string' ? `${o.type}:${o.value}` : null,
  // Only analysts' actions: the other entries each side rebuilds from its comments, evidence,
  // alerts and events.
  timeline: (t) =>
    t.kind === 'action' && typeof t.at === 'string' && typeof t.text === 'string'
      ? `${t.at}|${t.kind}|${t.text}|${typeof t.ref === 'string' ? t.ref : ''}`
      : null,
}
/** The parts a removal may name (see CaseRemoval in the contract). */
const REMOVABLE = new Set(['observables', 'comments'])
/** A removal's identity; null for one that is not well formed (left out, as applying it does). */
const removalKey = (r: Body): string | null =>
  typeof r.part === 'string' &&
  REMOVABLE.has(r.part) &&
  typeof r.key === 'string' &&
  typeof r.at === 'string' &&
  (r.part === 'comments' || typeof r.upto === 'string')
    ? `${r.part}|${r.key}|${typeof r.upto === 'string' ? r.upto : ''}`
    : null
const removalsOf = (body: Body): Body[] =>
  Array.isArray(body.removed)
    ? body.removed.map(object).filter((r): r is Body => r !== null && removalKey(r) !== null)
    : []
const timeOf = (value: unknown): number => (typeof value === 'string' ? Date.parse(value) : Number.NaN)

/**
 * The removal that covers an item of `part`, if any: the earliest (then by actor), so every side
 * names the same one. An observable's removal covers its adds up to `upto`; an add with no time
 * (a body from an older Outpost) counts as covered.
 */
export const removalOf = (removals: readonly Body[], part: string, item: Body): Body | null => {
  const k = UNION_PARTS[part]?.(item) ?? null
  if (k === null || !REMOVABLE.has(part)) return null
  let found: Body | null = null
  for (const r of removals) {
    if (r.part !== part || r.key !== k) continue
    if (part === 'observables') {
      const added = timeOf(item.added_at)
      if (!Number.isNaN(added) && added > timeOf(r.upto)) continue
    }
    if (!found || earlierRemoval(found, r)) found = r
  }
  return found
}

/** Of two removals of one item (both sides retracted one comment), the earlier, then by actor. */
const earlierRemoval = (kept: Body, candidate: Body): boolean => {
  const [at, actor] = [String(candidate.at), String(candidate.actor)]
  return at < String(kept.at) || (at === String(kept.at) && actor < String(kept.actor))
}

/** A part's items with the removals applied: removed observables left out, retracted comments tombstones. */
const withoutRemoved = (part: string, items: readonly unknown[], removals: readonly Body[]): Body[] => {
  const out: Body[] = []
  for (const raw of items) {
    const item = object(raw)
    if (!item) continue
    if (part === 'timeline') {
      out.push(removals.length > 0 ? withoutRetractedText(item, removals) : item)
      continue
    }
    const removal = removals.length > 0 ? removalOf(removals, part, item) : null
    if (!removal) out.push(item)
    else if (part === 'comments') {
      const retracted = object(item.retracted)
      // The same tombstone already: kept as it is (withUnion sees nothing changed).
      if (item.body === '' && retracted?.at === removal.at && retracted?.actor === removal.actor)
        out.push(item)
      else
        out.push({
          id: item.id,
          at: item.at,
          actor: item.actor,
          body: '',
          retracted: { at: removal.at, actor: removal.actor },
        })
    }
  }
  return out
}

/**
 * A timeline entry of a retracted comment (its text is the comment's) says only that it was
 * retracted; one that says so already is kept as it is.
 */
const withoutRetractedText = (entry: Body, removals: readonly Body[]): Body => {
  if (entry.kind !== 'comment' || typeof entry.ref !== 'string') return entry
  if (typeof entry.text === 'string' && entry.text.includes(RETRACTED)) return entry
  const removal = removalOf(removals, 'comments', { id: entry.ref })
  return removal
    ? { ...entry, text: `${RETRACTED} by ${String(removal.actor)} at ${String(removal.at)})` }
    : entry
}
/** How a retracted comment's timeline entry reads (cases-repo writes it the same way). */
export const RETRACTED = '(comment retracted'

/** Of two copies of one observable, the later add (a re-add after a removal is a new add). */
const laterAdd = (kept: Body, candidate: Body): boolean => {
  const k = timeOf(kept.added_at)
  const c = timeOf(candidate.added_at)
  return !Number.isNaN(c) && (Number.isNaN(k) || c > k)
}

/**
 * An incident's union parts and removals merged: the removals' union first, then each part's
 * union of both sides with those removals applied. Only the parts either side holds.
 */
const unionParts = (preferred: Body, other: Body): Body => {
  const out: Body = {}
  const removals = unionBy(removalKey, removalsOf(preferred), removalsOf(other), earlierRemoval)
  if (Array.isArray(preferred.removed) || Array.isArray(other.removed)) out.removed = removals
  for (const [part, key] of Object.entries(UNION_PARTS)) {
    const w = preferred[part]
    const l = other[part]
    if (!Array.isArray(w) && !Array.isArray(l)) continue
    out[part] = unionBy(
      key,
      withoutRemoved(part, Array.isArray(w) ? w : [], removals),
      withoutRemoved(part, Array.isArray(l) ? l : [], removals),
      part === 'observables' ? laterAdd : undefined,
    )
  }
  return out
}

/** When an item happened, for the union's order (then its key). */
const WHEN = ['at', 'added_at', 'first_seen'] as const

const object = (value: unknown): Body | null =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Body) : null

/**
 * Where an object's scalar fields sit in its body: an incident case keeps them under `incident`,
 * an asset (assets:get's answer) under `asset`.
 */
export const scalarsOf = (kind: SyncKind, body: Body): Body =>
  kind === 'incident'
    ? (object(body.incident) ?? body)
    : kind === 'asset'
      ? (object(body.asset) ?? body)
      : body

/** The scalar fields of one version (what a core keeps per version as a future merge base). */
export const mergeFields = (kind: SyncKind, body: Body): Body => {
  const fields: Body = {}
  const source = scalarsOf(kind, body)
  for (const field of MERGED_SCALARS[kind] ?? []) fields[field] = source[field] ?? null
  if (kind === 'asset') fields.tags = tagsOf(source)
  return fields
}

const tagsOf = (source: Body): string[] =>
  Array.isArray(source.tags) ? source.tags.filter((t): t is string => typeof t === 'string') : []

const same = (a: unknown, b: unknown): boolean => JSON.stringify(a ?? null) === JSON.stringify(b ?? null)

const when = (item: Body): string => {
  for (const field of WHEN) if (typeof item[field] === 'string') return item[field]
  return ''
}

/**
 * The union of two lists by key, in a stable order (time, then key); an item both sides hold is
 * taken from `preferred` (unless `better` says the other copy is). Items with no key are kept from
 * `preferred` only.
 */
export const unionBy = (
  key: (item: Body) => string | null,
  preferred: readonly unknown[],
  other: readonly unknown[],
  better?: (kept: Body, candidate: Body) => boolean,
): Body[] => {
  const byKey = new Map<string, Body>()
  const loose: Body[] = []
  for (const [list, isPreferred] of [
    [preferred, true],
    [other, false],
  ] as const)
    for (const raw of list) {
      const item = object(raw)
      if (!item) continue
      const k = key(item)
      if (k === null) {
        if (isPreferred) loose.push(item)
      } else {
        const kept = byKey.get(k)
        if (!kept || (better && better(kept, item))) byKey.set(k, item)
      }
    }
  const keyed = [...byKey.entries()].sort(([ka, a], [kb, b]) => {
    const wa = when(a)
    const wb = when(b)
    return wa !== wb ? (wa < wb ? -1 : 1) : ka < kb ? -1 : ka > kb ? 1 : 0
  })
  return [...keyed.map(([, item]) => item), ...loose]
}

export type MergeResult = {
  /** The merged body (the winner's, with the union parts and the three-way-merged scalars). */
  body: Body
  /** Scalar fields both sides changed to different values since the base. */
  clashes: string[]
}

/**
 * Merges two concurrent versions of one incident or alert. `base` is the scalar fields of their
 * common version (mergeFields), or null when it is not known: then every scalar the two sides
 * disagree on is a clash. Deterministic and symmetric in `a` and `b`.
 */
export const mergeVersions = (base: Body | null, a: SyncRecord, b: SyncRecord): MergeResult => {
  const winner = resolveConflict(a, b)
  const loser = winner === a ? b : a
  const kind = winner.kind
  const body: Body = structuredClone(winner.body)
  if (kind === 'incident') Object.assign(body, structuredClone(unionParts(winner.body, loser.body)))
  const clashes: string[] = []
  const target = scalarsOf(kind, body)
  const fromWinner = scalarsOf(kind, winner.body)
  const fromLoser = scalarsOf(kind, loser.body)
  for (const field of MERGED_SCALARS[kind] ?? []) {
    const w = fromWinner[field]
    const l = fromLoser[field]
    if (same(w, l)) continue
    const was = base ? base[field] : undefined
    if (base && same(w, was)) {
      // Only the loser changed it.
      if (l === undefined) delete target[field]
      else target[field] = structuredClone(l)
    } else if (!base || !same(l, was)) clashes.push(field)
  }
  return { body, clashes }
}

/**
 * The body with the union parts and removals of `other` it lacks added, and its own items those
 * removals cover removed (a fast-forward must neither drop what the other side wrote meanwhile
 * nor bring back what it removed), or null when nothing changes.
 */
export const withUnion = (kind: SyncKind, body: Body, other: Body): Body | null => {
  if (kind !== 'incident') return null
  const merged = unionParts(body, other)
  let out: Body | null = null
  for (const [part, items] of Object.entries(merged)) {
    const mine = Array.isArray(body[part]) ? (body[part] as unknown[]) : []
    const list = items as Body[]
    const key = part === 'removed' ? removalKey : UNION_PARTS[part]!
    const own = new Set(mine)
    const kept = new Set(list.map(key))
    // unionBy keeps `body`'s own objects where nothing changed (compared by reference); changed
    // when it took one from `other` or left one of `body`'s out (a removal covers it).
    const unchanged =
      list.every((item) => own.has(item)) &&
      mine.every((item) => {
        const o = object(item)
        const k = o ? key(o) : null
        return k === null || kept.has(k)
      })
    if (unchanged) continue
    out ??= { ...body }
    out[part] = list
  }
  return out
}

/**
 * An asset's analyst fields before anyone set them: every asset starts so (the inventory creates
 * it with none), so it is the common version of a console's first push of an asset it never
 * synced, however high its inventory has raised its version.
 */
export const EMPTY_ASSET_FIELDS: Body = { owner: null, criticality: null, role: null, note: null, tags: [] }

/**
 * Tags are a set merged three-way: a tag either side added since the base is kept, one either
 * side removed is dropped (so a removal syncs, which a plain union could not do), and neither
 * side's change is a clash. Without a base, the union.
 */
export const mergeTags = (
  base: readonly string[] | null,
  a: readonly string[],
  b: readonly string[],
): string[] => {
  const inA = new Set(a)
  const inB = new Set(b)
  const was = new Set(base ?? [])
  const kept = [...new Set([...a, ...b])].filter(
    (t) => (inA.has(t) && inB.has(t)) || base === null || !was.has(t),
  )
  return kept.sort()
}

/** What one origin's events said about an asset. */
export type InventoryPart = {
  events: number
  alerts: number
  first_seen: string | null
  last_seen: string | null
}

const count = (value: unknown): number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0
const isoOrNull = (value: unknown): string | null =>
  typeof value === 'string' && !Number.isNaN(Date.parse(value)) ? value : null
const minIso = (a: string | null, b: string | null): string | null =>
  a === null ? b : b === null ? a : Date.parse(a) <= Date.parse(b) ? a : b
const maxIso = (a: string | null, b: string | null): string | null =>
  a === null ? b : b === null ? a : Date.parse(a) >= Date.parse(b) ? a : b

/**
 * The inventory a version carries, per origin: a merged version keeps the map in `inventory`;
 * one made where the asset is counted (a console's, a core's own edit) carries only its maker's
 * counters, in `asset`.
 */
export const inventoryOf = (record: SyncRecord): Record<string, InventoryPart> => {
  const map = object(record.body.inventory)
  const parts: Record<string, InventoryPart> = {}
  if (map) {
    for (const [origin, raw] of Object.entries(map)) {
      const part = object(raw)
      if (part)
        parts[origin] = {
          events: count(part.events),
          alerts: count(part.alerts),
          first_seen: isoOrNull(part.first_seen),
          last_seen: isoOrNull(part.last_seen),
        }
    }
    return parts
  }
  const a = scalarsOf('asset', record.body)
  parts[record.origin] = {
    events: count(a.events),
    alerts: count(a.alerts),
    first_seen: isoOrNull(a.first_seen),
    last_seen: isoOrNull(a.last_seen),
  }
  return parts
}

/**
 * Merges inventories monotonically: per origin the larger counts, the earliest first_seen and the
 * latest last_seen. Each installation counts only the events it ingested itself (synced alert
 * events stay out of the inventory), so origins never count the same event and the asset's total
 * is the sum over origins; first_seen the minimum, last_seen the maximum. The merge is
 * commutative, associative and idempotent: replicas applying versions in any order agree.
 */
export const mergeInventory = (
  a: Record<string, InventoryPart>,
  b: Record<string, InventoryPart>,
): { parts: Record<string, InventoryPart>; total: InventoryPart } => {
  const parts: Record<string, InventoryPart> = {}
  for (const origin of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) {
    const x = a[origin]
    const y = b[origin]
    parts[origin] =
      x && y
        ? {
            events: Math.max(x.events, y.events),
            alerts: Math.max(x.alerts, y.alerts),
            first_seen: minIso(x.first_seen, y.first_seen),
            last_seen: maxIso(x.last_seen, y.last_seen),
          }
        : (x ?? y)!
  }
  const total: InventoryPart = { events: 0, alerts: 0, first_seen: null, last_seen: null }
  for (const part of Object.values(parts)) {
    total.events += part.events
    total.alerts += part.alerts
    total.first_seen = minIso(total.first_seen, part.first_seen)
    total.last_seen = maxIso(total.last_seen, part.last_seen)
  }
  return { parts, total }
}

/**
 * Merges two versions of one asset: the analyst fields as for other merged kinds (`forward`: the
 * incoming version was built on the stored one, its fields stand; otherwise three-way against
 * `base`), the tags as a set (mergeTags), the inventory per origin (mergeInventory). The body is
 * the incoming one's with those fields set, `inventory` holding the per-origin parts.
 */
export const mergeAsset = (
  base: Body | null,
  stored: SyncRecord,
  incoming: SyncRecord,
  forward: boolean,
): MergeResult => {
  let body: Body
  let clashes: string[] = []
  const storedFields = scalarsOf('asset', stored.body)
  const incomingFields = scalarsOf('asset', incoming.body)
  let tags: string[]
  if (forward) {
    body = structuredClone(incoming.body)
    tags = tagsOf(incomingFields)
  } else {
    const merged = mergeVersions(base, stored, incoming)
    body = merged.body
    clashes = merged.clashes
    tags = mergeTags(base ? tagsOf(base) : null, tagsOf(storedFields), tagsOf(incomingFields))
  }
  const { parts, total } = mergeInventory(inventoryOf(stored), inventoryOf(incoming))
  const target = object(body.asset) ?? body
  Object.assign(target, { tags }, total)
  body.inventory = parts
  return { body, clashes }
}

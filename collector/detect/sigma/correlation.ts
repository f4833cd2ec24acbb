/**
 * Sigma correlation rules over a stream of rule matches: sliding windows per (correlation,
 * group), keyed by event time.
 *
 * Choices, where the specification leaves them to the backend:
 * - Window edges: events fall in one window when the newest is less than `timespan` after the
 *   oldest. A window is half-open, [first, first + timespan): with 5m, events at 10:00:00 and
 *   10:05:00 are not in one window, 10:00:00 and 10:04:59.999 are (as with fixed 5m buckets,
 *   where two events in one bucket are always less than 5m apart).
 * - Evaluation: each arriving match tests the window that ends at it, (t - timespan, t]. For
 *   growing conditions (gte, gt) that finds every window that holds; lt/lte/eq/neq are tested on
 *   the same windows, so `lt: 5` fires on the first match of a group.
 * - Reset: once a correlation fires for a group, that group's window is emptied, so one burst
 *   gives one alert (as threshold alerts of common SIEM backends do); the next alert needs the
 *   condition to hold again on matches after it.
 * - Out-of-order events: a match up to one timespan older than its group's newest match is put
 *   in time order and the windows that contain it are tested; older matches are dropped. Matches
 *   of one time keep their arrival order (temporal_ordered counts them as in order).
 * - Group-by values are read as strings; an absent field is null, and nulls group together.
 *   With aliases, each listed rule reads the alias from its own field (a rule the alias does not
 *   name reads the field named like the alias).
 * - An event matching several rules of one correlation is one event for event_count, and counts
 *   for each of those rules in temporal types.
 * - value_sum/avg/percentile use the field's numeric values (numbers, numeric strings); a window
 *   without any does not fire. Percentiles interpolate linearly between the closest ranks.
 * - Chaining: a hit of correlation A is a match for each correlation that names A, at the hit's
 *   time; its group-by fields are read from A's group first, then from A's last event.
 * - Memory: at most MAX_GROUPS groups per correlation (least recently updated evicted first),
 *   at most MAX_WINDOW_ENTRIES matches per group (oldest dropped first: event_count thresholds
 *   above it are reported unsupported), matches kept two timespans behind the group's newest
 *   match; groups idle for two timespans behind the stream's newest match are swept.
 */
import { fieldReader, type CompiledRule, type EventRecord } from './compile'
import type { SigmaProblem } from './parse'
import type { CorrelationCondition, SigmaCorrelation } from './parse-meta'

export type {
  ConditionOp,
  CorrelationCondition,
  CorrelationType,
  SigmaCorrelation,
  SigmaFilter,
} from './parse-meta'

export const MAX_GROUPS = 10_000
export const MAX_WINDOW_ENTRIES = 10_000
/** Contributing events kept on a hit: the newest ones. */
export const MAX_HIT_EVENTS = 100
/** Observed events between sweeps of idle groups. */
export const SWEEP_EVERY = 4096

export type CorrelationHit = {
  rule: SigmaCorrelation
  /** group-by field (or alias) -> its value in this group. */
  group: Record<string, string | null>
  /** The contributing events, oldest first, at most MAX_HIT_EVENTS (the newest). */
  events: EventRecord[]
  /** Times (ms since the epoch) of the window's first and last contributing match. */
  startMs: number
  endMs: number
  /** What the condition was tested on: a count, distinct values, a sum, average or percentile. */
  value: number
}

export type CorrelationSource = CompiledRule | SigmaCorrelation

export type CorrelationLinks = {
  /** The correlations whose rules all resolved, inputs before the correlations that use them. */
  correlations: SigmaCorrelation[]
  /** Per linked correlation, per listed rule, the rules and correlations it names. */
  sources: Map<SigmaCorrelation, CorrelationSource[][]>
  /** Rules and correlations named only by correlations with `generate: false`. */
  suppressedRules: Set<CompiledRule>
  suppressedCorrelations: Set<SigmaCorrelation>
  problems: SigmaProblem[]
}

const isCorrelation = (source: CorrelationSource): source is SigmaCorrelation => 'timespanMs' in source

const refsOf = (source: CorrelationSource): (string | undefined)[] =>
  isCorrelation(source) ? [source.id, source.name] : [source.rule.id, source.rule.name]

/**
 * Resolves the `rules` of each correlation to loaded rules and correlations (by id or name),
 * drops correlations naming what is not loaded or chained in a cycle (with a problem each), and
 * works out which rules `generate: false` keeps from being reported on their own.
 */
export const linkCorrelations = (
  correlations: readonly SigmaCorrelation[],
  baseRules: readonly CompiledRule[],
): CorrelationLinks => {
  const problems: SigmaProblem[] = []
  const byRef = new Map<string, CorrelationSource[]>()
  for (const source of [...baseRules, ...correlations])
    for (const ref of new Set(refsOf(source)))
      if (ref !== undefined) byRef.set(ref, [...(byRef.get(ref) ?? []), source])
  const problem = (c: SigmaCorrelation, reason: string): void => {
    problems.push({ kind: 'invalid', file: c.file, line: c.lines['correlation.rules'] ?? c.line, reason })
  }

  const sources = new Map<SigmaCorrelation, CorrelationSource[][]>()
  for (const c of correlations) {
    const listed = c.rules.map((ref) => (byRef.get(ref) ?? []).filter((s) => s !== c))
    const missing = c.rules.filter((_, i) => listed[i]!.length === 0)
    if (missing.length > 0) problem(c, `correlation.rules names ${missing.join(', ')}: no such rule loaded`)
    else if (c.type === 'event_count' && c.condition?.tests.some((t) => t.value > MAX_WINDOW_ENTRIES))
      problems.push({
        kind: 'unsupported',
        file: c.file,
        line: c.lines['correlation.condition'] ?? c.line,
        reason: `event_count thresholds above ${MAX_WINDOW_ENTRIES} (events kept per group)`,
      })
    else sources.set(c, listed)
  }
  // Correlations over correlations that did not load cannot load either.
  for (let changed = true; changed;) {
    changed = false
    for (const [c, listed] of sources) {
      const lost = listed.flat().find((s) => isCorrelation(s) && !sources.has(s))
      if (lost && isCorrelation(lost)) {
        problem(c, `correlation.rules names ${lost.name ?? lost.id ?? lost.title}, which did not load`)
        sources.delete(c)
        changed = true
      }
    }
  }
  // Kahn's order: inputs first; what remains sits in (or on) a cycle.
  const order: SigmaCorrelation[] = []
  const done = new Set<SigmaCorrelation>()
  for (let progress = true; progress;) {
    progress = false
    for (const [c, listed] of sources) {
      if (done.has(c)) continue
      if (listed.flat().every((s) => !isCorrelation(s) || done.has(s))) {
        done.add(c)
        order.push(c)
        progress = true
      }
    }
  }
  for (const c of [...sources.keys()])
    if (!done.has(c)) {
      problem(c, 'correlation.rules chains correlations in a cycle')
      sources.delete(c)
    }

  const hidden = new Set<CorrelationSource>()
  const shown = new Set<CorrelationSource>()
  for (const c of order) for (const s of sources.get(c)!.flat()) (c.generate ? shown : hidden).add(s)
  const suppressedRules = new Set<CompiledRule>()
  const suppressedCorrelations = new Set<SigmaCorrelation>()
  for (const s of hidden)
    if (!shown.has(s)) {
      if (isCorrelation(s)) suppressedCorrelations.add(s)
      else suppressedRules.add(s)
    }
  return { correlations: order, sources, suppressedRules, suppressedCorrelations, problems }
}

/** Every criterion holds (they are ANDed). */
export const conditionHolds = (condition: CorrelationCondition, value: number): boolean =>
  condition.tests.every(({ op, value: want }) => {
    switch (op) {
      case 'gt':
        return value > want
      case 'gte':
        return value >= want
      case 'lt':
        return value < want
      case 'lte':
        return value <= want
      case 'eq':
        return value === want
      case 'neq':
        return value !== want
    }
  })

/** Linear interpolation between the closest ranks (numpy's default); `sorted` ascending, not empty. */
export const percentile = (sorted: readonly number[], p: number): number => {
  const rank = (p / 100) * (sorted.length - 1)
  const lo = Math.floor(rank)
  const hi = Math.ceil(rank)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (rank - lo)
}

const groupValue = (value: unknown): string | null => {
  if (value === undefined || value === null) return null
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value)
  return JSON.stringify(value)
}

const numeric = (value: unknown): number | null => {
  const n =
    typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN
  return Number.isFinite(n) ? n : null
}

/** One match fed to a correlation: an event (or a lower correlation's hit) for some listed rules. */
type Entry = {
  time: number
  seq: number
  /** Indexes into the correlation's `rules`. */
  indices: number[]
  events: EventRecord[]
  /** The condition field's value (value_* types). */
  value: unknown
}

type Group = { values: Record<string, string | null>; entries: Entry[]; newest: number }

/**
 * The outcome of testing one window: fires or not, the number tested, and where in the window
 * the contributing matches begin (temporal_ordered: at the first rule of the sequence).
 */
type Verdict = { fires: boolean; value: number; from: number }

/** Tests the window entries[start..end] (inclusive) without copying it: windows may be large. */
const evaluate = (c: SigmaCorrelation, entries: readonly Entry[], start: number, end: number): Verdict => {
  const condition = c.condition
  const test = (value: number, from = 0): Verdict => ({
    value,
    from,
    fires: condition ? conditionHolds(condition, value) : value >= c.rules.length,
  })
  switch (c.type) {
    case 'event_count':
      return test(end - start + 1)
    case 'value_count': {
      const distinct = new Set<string>()
      for (let i = start; i <= end; i++) {
        const value = groupValue(entries[i]!.value)
        if (value !== null) distinct.add(value)
      }
      return test(distinct.size)
    }
    case 'value_sum':
    case 'value_avg':
    case 'value_percentile': {
      const numbers: number[] = []
      for (let i = start; i <= end; i++) {
        const n = numeric(entries[i]!.value)
        if (n !== null) numbers.push(n)
      }
      if (numbers.length === 0) return { fires: false, value: 0, from: 0 }
      const sum = numbers.reduce((a, b) => a + b, 0)
      if (c.type === 'value_sum') return test(sum)
      if (c.type === 'value_avg') return test(sum / numbers.length)
      numbers.sort((a, b) => a - b)
      return test(percentile(numbers, condition?.percentile ?? 50))
    }
    case 'temporal': {
      const seen = new Set<number>()
      for (let i = start; i <= end; i++) for (const index of entries[i]!.indices) seen.add(index)
      return test(seen.size)
    }
    case 'temporal_ordered': {
      // Greedy is enough to find the listed rules as a subsequence of the window, in time order.
      let next = 0
      let from = 0
      for (let i = start; i <= end && next < c.rules.length; i++)
        if (entries[i]!.indices.includes(next)) {
          if (next === 0) from = i - start
          next++
        }
      return test(next, from)
    }
  }
}

/** Where `entry` goes in `entries` (time order, then arrival order). */
const insertAt = (entries: readonly Entry[], entry: Entry): number => {
  let lo = 0
  let hi = entries.length
  while (lo < hi) {
    const mid = (lo + hi) >> 1
    const other = entries[mid]!
    if (other.time < entry.time || (other.time === entry.time && other.seq < entry.seq)) lo = mid + 1
    else hi = mid
  }
  return lo
}

class CorrelationState {
  readonly groups = new Map<string, Group>()
  constructor(readonly correlation: SigmaCorrelation) {}

  /** Adds one match to its group; returns the hit when a window containing it now holds. */
  add(key: string, values: Record<string, string | null>, entry: Entry): CorrelationHit | null {
    const c = this.correlation
    const span = c.timespanMs
    let group = this.groups.get(key)
    if (group)
      this.groups.delete(key) // re-inserted below: Map order is least recently updated first
    else group = { values, entries: [], newest: -Infinity }
    this.groups.set(key, group)
    if (this.groups.size > MAX_GROUPS) this.groups.delete(this.groups.keys().next().value!)
    if (entry.time <= group.newest - span) return null // too late: see the header
    const entries = group.entries
    const at = insertAt(entries, entry)
    entries.splice(at, 0, entry)
    group.newest = Math.max(group.newest, entry.time)
    let drop = 0
    while (drop < entries.length && entries[drop]!.time <= group.newest - 2 * span) drop++
    drop = Math.max(drop, entries.length - MAX_WINDOW_ENTRIES)
    if (drop > 0) entries.splice(0, drop)
    if (at < drop) return null
    const self = at - drop
    // The windows holding the new match end at it or at a later match less than a timespan on.
    let start = 0
    for (let end = self; end < entries.length && entries[end]!.time < entry.time + span; end++) {
      const endTime = entries[end]!.time
      while (entries[start]!.time <= endTime - span) start++
      if (start > self) break
      const verdict = evaluate(c, entries, start, end)
      if (!verdict.fires) continue
      group.entries = []
      const first = start + verdict.from
      // The newest MAX_HIT_EVENTS events, gathered from the end: a window may hold thousands.
      const events: EventRecord[] = []
      for (let i = end; i >= first && events.length < MAX_HIT_EVENTS; i--) {
        const own = entries[i]!.events
        for (let j = own.length - 1; j >= 0 && events.length < MAX_HIT_EVENTS; j--) events.push(own[j]!)
      }
      events.reverse()
      return {
        rule: c,
        group: { ...group.values },
        events,
        startMs: entries[first]!.time,
        endMs: endTime,
        value: verdict.value,
      }
    }
    return null
  }

  /** Drops groups whose newest match is two timespans behind `now`. */
  sweep(now: number): void {
    const horizon = now - 2 * this.correlation.timespanMs
    for (const [key, group] of this.groups) if (group.newest <= horizon) this.groups.delete(key)
  }
}

export type Correlator = {
  /**
   * Feeds the rules one event matched (all of them: suppressed rules too) at the event's time,
   * and returns the correlations that fire, inputs before the correlations chained on them.
   * Hits of suppressed correlations are returned too; callers leave them out of reports.
   */
  observe: (matched: readonly CompiledRule[], event: EventRecord, timeMs: number) => CorrelationHit[]
  /** The linked correlations, inputs first. */
  correlations: readonly SigmaCorrelation[]
  suppressedRules: ReadonlySet<CompiledRule>
  suppressedCorrelations: ReadonlySet<SigmaCorrelation>
  /** Correlations that could not be linked (unknown rules, cycles). */
  problems: readonly SigmaProblem[]
  /** Groups held over all correlations (memory is bounded: see MAX_GROUPS and the sweep). */
  openGroups: () => number
}

/** One input to a correlation: which listed rules, how to read its fields, the events behind it. */
type Input = {
  indices: number[]
  /** The ids/names under which aliases may name the source. */
  names: (string | undefined)[]
  read: (field: string) => unknown
  events: EventRecord[]
  time: number
}

export const createCorrelator = (
  correlations: readonly SigmaCorrelation[],
  baseRules: readonly CompiledRule[],
): Correlator => {
  const links = linkCorrelations(correlations, baseRules)
  const states = new Map(links.correlations.map((c) => [c, new CorrelationState(c)]))
  /** source -> the correlations it feeds and at which listed positions. */
  const listeners = new Map<CorrelationSource, { c: SigmaCorrelation; index: number }[]>()
  for (const c of links.correlations)
    links.sources.get(c)!.forEach((listed, index) => {
      for (const source of listed) listeners.set(source, [...(listeners.get(source) ?? []), { c, index }])
    })
  const readers = new Map<string, (event: EventRecord) => unknown>()
  const reader = (field: string): ((event: EventRecord) => unknown) => {
    let read = readers.get(field)
    if (!read) readers.set(field, (read = fieldReader(field)))
    return read
  }
  let seq = 0
  let calls = 0
  let newest = -Infinity

  const feed = (
    pending: Map<SigmaCorrelation, Input[]>,
    source: CorrelationSource,
    input: Omit<Input, 'indices'>,
  ): void => {
    const byCorrelation = new Map<SigmaCorrelation, number[]>()
    for (const { c, index } of listeners.get(source) ?? [])
      byCorrelation.set(c, [...(byCorrelation.get(c) ?? []), index])
    for (const [c, indices] of byCorrelation) {
      const list = pending.get(c) ?? []
      list.push({ ...input, indices })
      pending.set(c, list)
    }
  }

  const observe = (
    matched: readonly CompiledRule[],
    event: EventRecord,
    timeMs: number,
  ): CorrelationHit[] => {
    if (!Number.isFinite(timeMs) || listeners.size === 0) return []
    newest = Math.max(newest, timeMs)
    if (++calls % SWEEP_EVERY === 0) for (const state of states.values()) state.sweep(newest)
    const pending = new Map<SigmaCorrelation, Input[]>()
    const readEvent = (field: string): unknown => reader(field)(event)
    for (const compiled of matched)
      if (listeners.has(compiled))
        feed(pending, compiled, {
          names: [compiled.rule.name, compiled.rule.id],
          read: readEvent,
          events: [event],
          time: timeMs,
        })
    const hits: CorrelationHit[] = []
    for (const c of links.correlations) {
      const inputs = pending.get(c)
      if (!inputs) continue
      const state = states.get(c)!
      // One entry per group: an event matching two listed rules is one event (event_count).
      const entries = new Map<string, { values: Record<string, string | null>; entry: Entry }>()
      inputs.forEach((input, n) => {
        const values: Record<string, string | null> = {}
        for (const field of c.groupBy) {
          const alias = c.aliases[field]
          const name = input.names.find((ref) => ref !== undefined && alias?.[ref] !== undefined)
          values[field] = groupValue(input.read(name !== undefined ? alias![name]! : field))
        }
        // Inputs from hits are separate matches; inputs from the event share one entry per group.
        const key = JSON.stringify(c.groupBy.map((f) => values[f]))
        const slot = input.events.length === 1 && input.events[0] === event ? key : `${key}#${n}`
        const prior = entries.get(slot)
        if (prior) {
          for (const index of input.indices)
            if (!prior.entry.indices.includes(index)) prior.entry.indices.push(index)
          return
        }
        const field = c.condition?.field
        entries.set(slot, {
          values,
          entry: {
            time: input.time,
            seq: seq++,
            indices: [...input.indices],
            events: input.events,
            value: field === undefined ? undefined : input.read(field),
          },
        })
      })
      for (const [slot, { values, entry }] of entries) {
        const hit = state.add(slot.replace(/#\d+$/, ''), values, entry)
        if (!hit) continue
        hits.push(hit)
        const last = hit.events[hit.events.length - 1] ?? {}
        feed(pending, c, {
          names: [c.name, c.id],
          read: (field) => (field in hit.group ? hit.group[field] : reader(field)(last)),
          events: hit.events,
          time: hit.endMs,
        })
      }
    }
    return hits
  }

  return {
    observe,
    correlations: links.correlations,
    suppressedRules: links.suppressedRules,
    suppressedCorrelations: links.suppressedCorrelations,
    problems: links.problems,
    openGroups: () => [...states.values()].reduce((sum, state) => sum + state.groups.size, 0),
  }
}

import type { CompiledRule, EventRecord } from './compile'
import type { CorrelationHit } from './correlation'
import type { RuleMatcher } from './matcher'

/** One line of `outpost hunt` output; keys in this order, absent values null. */
export type Detection = {
  rule_id: string | null
  rule_title: string
  level: string | null
  tags: string[]
  author: string | null
  timestamp: string | null
  event: EventRecord
}

/** One correlation line of `outpost hunt`: the contributing events and the group instead of one event. */
export type CorrelationDetection = Omit<Detection, 'event'> & {
  events: EventRecord[]
  group: Record<string, string | null>
}

/** Which rules see an event: the logsource router's `candidates` (outpost hunt), or any choice. */
export type RuleSelector = (event: EventRecord) => readonly CompiledRule[]

const TIME_FIELDS = ['TimeCreated', '@timestamp', 'timestamp', 'EventTime', 'UtcTime', 'time'] as const

/** The event's own time as ISO 8601; times without a zone (Windows writes UTC) are taken as UTC. */
export const eventTimestamp = (event: EventRecord): string | null => {
  for (const field of TIME_FIELDS) {
    const value = event[field]
    if (typeof value !== 'string' && typeof value !== 'number') continue
    let text = String(value).trim()
    if (/^\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?$/.test(text)) text = text.replace(' ', 'T') + 'Z'
    const date = typeof value === 'number' ? new Date(value) : new Date(text)
    if (!Number.isNaN(date.getTime())) return date.toISOString()
  }
  return null
}

export const detection = (compiled: CompiledRule, event: EventRecord): Detection => ({
  rule_id: compiled.rule.id ?? null,
  rule_title: compiled.rule.title,
  level: compiled.rule.level ?? null,
  tags: compiled.rule.tags,
  author: compiled.rule.author ?? null,
  timestamp: eventTimestamp(event),
  event,
})

/** Timestamp: the last contributing event's time. */
export const correlationDetection = (hit: CorrelationHit): CorrelationDetection => ({
  rule_id: hit.rule.id ?? null,
  rule_title: hit.rule.title,
  level: hit.rule.level ?? null,
  tags: hit.rule.tags,
  author: hit.rule.author ?? null,
  timestamp: new Date(hit.endMs).toISOString(),
  events: hit.events,
  group: hit.group,
})

/** Every rule `select` offers that matches the event; a rule that throws counts as no match. */
export const matchingRules = (event: EventRecord, select: RuleSelector): CompiledRule[] => {
  const found: CompiledRule[] = []
  for (const compiled of select(event)) {
    let matched: boolean
    try {
      matched = compiled.matches(event)
    } catch {
      matched = false
    }
    if (matched) found.push(compiled)
  }
  return found
}

export const huntEvent = (event: EventRecord, select: RuleSelector): Detection[] =>
  matchingRules(event, select).map((compiled) => detection(compiled, event))
/**
 * The detections of one event by a matcher (createMatcher: the router's rules, prefiltered by
 * their literals): what huntEvent gives with the router's `candidates`, in the rules' order.
 */
export const huntMatches = (event: EventRecord, matcher: Pick<RuleMatcher, 'match'>): Detection[] =>
  matcher.match(event).map((compiled) => detection(compiled, event))

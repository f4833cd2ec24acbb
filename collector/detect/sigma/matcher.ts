/**
 * The fast path of rule evaluation: the same rules as the logsource router offers, matched against
 * an event, but most of them never evaluated. Each rule carries a requirement (requirements.ts):
 * literals one of which must occur in a field. Per routing signature (the router's cached rule
 * list) and field, one Aho-Corasick automaton holds the literals of those rules, so an event's
 * value is scanned once for all of them; only the rules whose literals were found, and the rules
 * without a requirement, are then evaluated. When keyword rules are among them, every value of the
 * event is scanned anyway, so each top-level field is scanned once with its own literals and the
 * keywords' together.
 *
 * `match(event)` returns exactly `router.candidates(event).filter((r) => r.matches(event))`, in
 * the rules' input order (a rule that throws counts as no match, as in huntEvent).
 */
import { createScanner, type LiteralScanner } from './aho-corasick'
import { fieldReader, type CompiledRule, type EventRecord } from './compile'
import { createRouter, type LogsourceMapping, type RouterOptions } from './logsource'
import { KEYWORDS, ruleRequirement, type Need } from './requirements'

export type RuleMatcher = {
  /** The matching rules in input order; a fresh array, or a shared frozen empty one. */
  match(event: EventRecord): CompiledRule[]
  stats(): { rules: number; indexed: number; always: number }
}

/**
 * One automaton and, per literal id, the rules (input indexes) it marks, flat: rules[starts[id]] ..
 * rules[starts[id + 1]]. `seen` marks the literals already found in this event.
 */
type Index = { scanner: LiteralScanner; starts: Int32Array; rules: Int32Array; seen: Uint32Array }
type FieldScan = { read: (event: EventRecord) => unknown; index: Index }

/** What one routing signature evaluates: rule indexes in input order, and what to scan. */
type Plan = {
  rules: Int32Array
  /** Fields read and scanned one by one: all of them without keywords, else the dotted ones. */
  fields: FieldScan[]
  /** The keyword literals, for every value of the event; null when no rule has keywords. */
  keywords: Index | null
  /** With keywords: top-level field -> its literals and the keyword literals in one automaton. */
  byKey: Map<string, Index>
}

const MAX_LITERAL = 20
const NONE: CompiledRule[] = []
Object.freeze(NONE)

/** literal -> rule indexes, as an automaton. */
const buildIndex = (literals: Map<string, number[]>): Index => {
  const words = [...literals.keys()]
  const starts = new Int32Array(words.length + 1)
  words.forEach((word, id) => (starts[id + 1] = starts[id]! + literals.get(word)!.length))
  return {
    scanner: createScanner(words),
    starts,
    rules: Int32Array.from(words.flatMap((word) => literals.get(word)!)),
    seen: new Uint32Array(words.length),
  }
}

const addLiteral = (to: Map<string, number[]>, literal: string, rules: readonly number[]): void => {
  const list = to.get(literal)
  if (list === undefined) to.set(literal, [...rules])
  else for (const rule of rules) if (!list.includes(rule)) list.push(rule)
}

export const createMatcher = (
  rules: CompiledRule[],
  mapping: LogsourceMapping,
  options: RouterOptions = {},
): RuleMatcher => {
  const router = createRouter(rules, mapping, options)
  const position = new Map<CompiledRule, number>()
  rules.forEach((rule, index) => {
    if (!position.has(rule)) position.set(rule, index)
  })

  // Any piece of a necessary literal is necessary too; long ones (hashes) are cut to their end,
  // which keeps them selective and the automata small.
  const needs: Need[][] = []
  const always = new Uint8Array(rules.length)
  let indexed = 0
  rules.forEach((compiled, index) => {
    const requirement = ruleRequirement(compiled.rule)
    if (requirement === null) {
      always[index] = 1
      needs.push([])
      return
    }
    indexed++
    needs.push(
      requirement.map(({ field, literal }) => ({
        field,
        literal: literal.length > MAX_LITERAL ? literal.slice(-MAX_LITERAL) : literal,
      })),
    )
  })
  const readers = new Map<string, (event: EventRecord) => unknown>()
  const reader = (field: string): ((event: EventRecord) => unknown) => {
    let read = readers.get(field)
    if (read === undefined) readers.set(field, (read = fieldReader(field)))
    return read
  }

  // The router returns one cached array per signature, so its identity keys the plan.
  const plans = new Map<readonly CompiledRule[], Plan>()
  const planFor = (candidates: readonly CompiledRule[]): Plan => {
    const indexes = candidates.map((rule) => position.get(rule) ?? -1).filter((i) => i >= 0)
    indexes.sort((a, b) => a - b)
    const byField = new Map<string, Map<string, number[]>>()
    for (const index of indexes)
      for (const { field, literal } of needs[index]!) {
        const literals = byField.get(field) ?? new Map<string, number[]>()
        byField.set(field, literals)
        addLiteral(literals, literal, [index])
      }
    const keywordLiterals = byField.get(KEYWORDS)
    const plan: Plan = { rules: Int32Array.from(indexes), fields: [], keywords: null, byKey: new Map() }
    for (const [field, literals] of byField) {
      if (field === KEYWORDS) continue
      if (keywordLiterals === undefined || field.includes('.')) {
        plan.fields.push({ read: reader(field), index: buildIndex(literals) })
        continue
      }
      const merged = new Map([...keywordLiterals].map(([literal, list]) => [literal, [...list]]))
      for (const [literal, list] of literals) addLiteral(merged, literal, list)
      plan.byKey.set(field, buildIndex(merged))
    }
    if (keywordLiterals !== undefined) plan.keywords = buildIndex(keywordLiterals)
    plans.set(candidates, plan)
    return plan
  }

  // Per-event marks, reset by bumping a generation instead of clearing.
  const ruleMark = new Uint32Array(rules.length)
  let generation = 0

  let current: Index = undefined as unknown as Index
  const found = (id: number): void => {
    if (current.seen[id] === generation) return
    current.seen[id] = generation
    const { starts, rules: marked } = current
    for (let i = starts[id]!; i < starts[id + 1]!; i++) ruleMark[marked[i]!] = generation
  }
  /** A field's value: a string, number or boolean, or an array of them (any element may match). */
  const scanField = (value: unknown): void => {
    if (typeof value === 'string') current.scanner.scan(value, found)
    else if (typeof value === 'number' || typeof value === 'boolean')
      current.scanner.scan(String(value), found)
  }
  /** Every string and number of a value, nested ones too: where keywords look. */
  const scanAll = (value: unknown): void => {
    if (typeof value === 'string') current.scanner.scan(value, found)
    else if (typeof value === 'number') current.scanner.scan(String(value), found)
    else if (Array.isArray(value)) for (const item of value) scanAll(item)
    else if (typeof value === 'object' && value !== null)
      for (const key in value) scanAll((value as Record<string, unknown>)[key])
  }
  /** With keywords: each top-level value once, by its field's merged automaton where there is one. */
  const scanEvent = (event: EventRecord, keywords: Index, byKey: Map<string, Index>): void => {
    for (const key in event) {
      const value = event[key]
      const own = byKey.get(key)
      if (own === undefined) {
        current = keywords
        scanAll(value)
      } else if (Array.isArray(value)) {
        for (const item of value) {
          if (typeof item === 'object' && item !== null) {
            current = keywords
            scanAll(item)
          } else {
            current = own
            scanField(item)
          }
        }
      } else if (typeof value === 'object' && value !== null) {
        current = keywords
        scanAll(value)
      } else {
        current = own
        scanField(value)
      }
    }
  }

  const match = (event: EventRecord): CompiledRule[] => {
    const candidates = router.candidates(event)
    if (candidates.length === 0) return NONE
    const plan = plans.get(candidates) ?? planFor(candidates)
    generation = (generation + 1) >>> 0
    if (generation === 0) {
      // After 2^32 events: clear every mark once rather than mistake an old one for new.
      ruleMark.fill(0)
      for (const each of plans.values()) {
        for (const field of each.fields) field.index.seen.fill(0)
        for (const index of each.byKey.values()) index.seen.fill(0)
        each.keywords?.seen.fill(0)
      }
      generation = 1
    }
    if (plan.keywords !== null) scanEvent(event, plan.keywords, plan.byKey)
    for (const field of plan.fields) {
      const value = field.read(event)
      if (value === undefined || value === null) continue
      current = field.index
      if (Array.isArray(value)) for (const item of value) scanField(item)
      else scanField(value)
    }
    let out: CompiledRule[] = NONE
    const indexes = plan.rules
    for (let i = 0; i < indexes.length; i++) {
      const index = indexes[i]!
      if (always[index] === 0 && ruleMark[index] !== generation) continue
      const compiled = rules[index]!
      let matched: boolean
      try {
        matched = compiled.matches(event)
      } catch {
        matched = false
      }
      if (matched) {
        if (out === NONE) out = []
        out.push(compiled)
      }
    }
    return out
  }

  return {
    match,
    stats: () => ({ rules: rules.length, indexed, always: rules.length - indexed }),
  }
}

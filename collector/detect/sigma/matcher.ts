/**
 * The fast path of rule evaluation: the same rules as the logsource router offers, matched against
 * an event, but most of them never evaluated. Each rule carries a requirement (requirements.ts):
 * literals one of which must occur in a field. Per field one Aho-Corasick automaton holds the
 * literals of every rule, so an event's value is scanned once for all of them; only the rules
 * whose literals were found, and the rules without a requirement, are then evaluated.
 *
 * `match(event)` returns exactly `router.candidates(event).filter((r) => r.matches(event))`, in
 * the rules' input order (a rule that throws counts as no match, as in huntEvent).
 */
import { createScanner, type LiteralScanner } from './aho-corasick'
import { fieldReader, type CompiledRule, type EventRecord } from './compile'
import { createRouter, type LogsourceMapping, type RouterOptions } from './logsource'
import { KEYWORDS, ruleRequirement, type Need } from './requirements'

export type RuleMatcher = {
  match(event: EventRecord): CompiledRule[]
  stats(): { rules: number; indexed: number; always: number }
}

/** One field's automaton: literal id -> the rules (input indexes) that need it. */
type FieldIndex = {
  field: string
  read: (event: EventRecord) => unknown
  scanner: LiteralScanner
  literalRules: Int32Array[]
  /** Global literal numbers of this field's literals start here (for per-event dedupe marks). */
  base: number
}

/** What one routing signature evaluates: rule indexes in input order, fields to scan. */
type Plan = { rules: Int32Array; fields: FieldIndex[] }

const MAX_LITERAL = 20
const NONE: CompiledRule[] = []
Object.freeze(NONE)

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

  // field -> literal -> rule indexes
  const byField = new Map<string, Map<string, number[]>>()
  const always = new Uint8Array(rules.length)
  const ruleFields: string[][] = []
  let indexed = 0
  rules.forEach((compiled, index) => {
    const requirement: Need[] | null = ruleRequirement(compiled.rule)
    if (requirement === null) {
      always[index] = 1
      ruleFields.push([])
      return
    }
    indexed++
    const fields = new Set<string>()
    for (const need of requirement) {
      const field = need.field
      // Any piece of a necessary literal is necessary too; long ones (hashes) are cut to their
      // end, which keeps them selective and the automata small.
      const literal = need.literal.length > MAX_LITERAL ? need.literal.slice(-MAX_LITERAL) : need.literal
      fields.add(field)
      const literals = byField.get(field) ?? new Map<string, number[]>()
      byField.set(field, literals)
      const list = literals.get(literal) ?? []
      literals.set(literal, list)
      if (list[list.length - 1] !== index) list.push(index)
    }
    ruleFields.push([...fields])
  })
  const fieldIndexes = new Map<string, FieldIndex>()
  let literalCount = 0
  for (const [field, literals] of byField) {
    const words = [...literals.keys()]
    fieldIndexes.set(field, {
      field,
      read: fieldReader(field),
      scanner: createScanner(words),
      literalRules: words.map((word) => Int32Array.from(literals.get(word)!)),
      base: literalCount,
    })
    literalCount += words.length
  }

  // Per-event marks, reset by bumping a generation instead of clearing.
  const ruleMark = new Uint32Array(rules.length)
  const literalMark = new Uint32Array(literalCount)
  let generation = 0

  // The router returns one cached array per signature, so its identity keys the plan.
  const plans = new Map<readonly CompiledRule[], Plan>()
  const planFor = (candidates: readonly CompiledRule[]): Plan => {
    const indexes = candidates.map((rule) => position.get(rule) ?? -1).filter((i) => i >= 0)
    indexes.sort((a, b) => a - b)
    const fields = new Set<string>()
    for (const index of indexes) for (const field of ruleFields[index]!) fields.add(field)
    const plan: Plan = {
      rules: Int32Array.from(indexes),
      fields: [...fields].map((field) => fieldIndexes.get(field)!),
    }
    plans.set(candidates, plan)
    return plan
  }

  let current: FieldIndex = undefined as unknown as FieldIndex
  const found = (id: number): void => {
    const global = current.base + id
    if (literalMark[global] === generation) return
    literalMark[global] = generation
    for (const rule of current.literalRules[id]!) ruleMark[rule] = generation
  }
  const scanValue = (value: unknown): void => {
    if (typeof value === 'string') current.scanner.scan(value, found)
    else if (typeof value === 'number' || typeof value === 'boolean')
      current.scanner.scan(String(value), found)
  }

  /** Every string and number of the event, nested ones too: where keywords look. */
  const scanAll = (value: unknown): void => {
    if (typeof value === 'string') current.scanner.scan(value, found)
    else if (typeof value === 'number') current.scanner.scan(String(value), found)
    else if (Array.isArray(value)) for (const item of value) scanAll(item)
    else if (typeof value === 'object' && value !== null)
      for (const key in value) scanAll((value as Record<string, unknown>)[key])
  }

  const match = (event: EventRecord): CompiledRule[] => {
    const candidates = router.candidates(event)
    if (candidates.length === 0) return NONE
    const plan = plans.get(candidates) ?? planFor(candidates)
    generation = (generation + 1) >>> 0
    if (generation === 0) {
      ruleMark.fill(0)
      literalMark.fill(0)
      generation = 1
    }
    for (const field of plan.fields) {
      current = field
      if (field.field === KEYWORDS) {
        scanAll(event)
        continue
      }
      const value = field.read(event)
      if (value === undefined || value === null) continue
      if (Array.isArray(value)) for (const item of value) scanValue(item)
      else scanValue(value)
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

/**
 * A necessary condition for a rule to match, read off its detection: literals, at least one of
 * which must occur in its field's lowercased value. The matcher (matcher.ts) looks for all the
 * literals of all rules at once and evaluates only the rules whose requirement is met.
 *
 * Soundness is the point: a requirement may be weaker than the rule (it admits events the rule
 * rejects) but never stronger. So it follows compile.ts modifier by modifier, and every case this
 * file cannot prove something about (negation, regexes, CIDRs, comparisons, |exists,
 * |fieldref, |neq, time parts, null and empty values, |expand) yields no requirement, as does
 * any modifier or detection shape this file does not know: when compile.ts learns a new one, the
 * rules using it are evaluated on every event until it is taught here (matcher.test.ts checks
 * the equivalence on the SigmaHQ corpus and on generated rules). Literals are ASCII runs of the rule's values: ASCII case-folds the same under toLowerCase and
 * under a case-insensitive regex, and non-ASCII text does not (final sigma, U+0130).
 */
import { parseCondition, type ConditionNode } from './condition'
import { sigmaValue, transform, TRANSFORMS, type Pattern, type SigmaValue } from './modifiers'
import type { SigmaRule } from './parse'

/**
 * One of these literals (lowercase ASCII) must occur in the lowercased value of its field; the
 * field KEYWORDS stands for any string or number anywhere in the event, as keywords search.
 */
export type Need = { field: string; literal: string }
/** No field is called '' (compile.ts rejects it), so it can name "every value" for keywords. */
export const KEYWORDS = ''
/** null: no requirement could be derived, the rule has to be evaluated on every event it sees. */
export type Requirement = Need[] | null

type Obj = Record<string, unknown>
const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The longest run of ASCII text in the pattern's literal parts, lowercased ('' when there is none). */
const longestAsciiRun = (parts: readonly unknown[]): string => {
  let best = ''
  for (const part of parts) {
    if (typeof part !== 'string') continue
    // eslint-disable-next-line no-control-regex
    for (const run of part.split(/[^\x00-\x7f]+/)) if (run.length > best.length) best = run
  }
  return best.toLowerCase()
}

/** The literal every event value matching `value` contains, or null. */
const valueLiteral = (value: SigmaValue): string | null => {
  let run = ''
  switch (value.type) {
    case 'string':
      run = longestAsciiRun(value.pattern satisfies Pattern)
      break
    case 'bytes':
      run = longestAsciiRun([value.bytes.toString('latin1')])
      break
    case 'number':
    case 'boolean':
      run = String(value.value).toLowerCase()
      break
    case 'null':
      return null
  }
  return run === '' ? null : run
}

/** How likely a requirement lets an event through, roughly: short literals occur everywhere. */
export const requirementCost = (requirement: Need[]): number => {
  let cost = 0
  for (const need of requirement) cost += 1 / (need.literal.length + 1) ** 3
  return cost
}

/** Either side null: null. */
const union = (requirements: Requirement[]): Requirement => {
  const out: Need[] = []
  const seen = new Set<string>()
  for (const requirement of requirements) {
    if (requirement === null) return null
    for (const need of requirement) {
      const key = `${need.field}\u0000${need.literal}`
      if (seen.has(key)) continue
      seen.add(key)
      out.push(need)
    }
  }
  return out.length > 0 ? out : null
}

/** All must hold: any one requirement is necessary, so take the cheapest. */
const best = (requirements: Requirement[]): Requirement => {
  let chosen: Need[] | null = null
  let chosenCost = Infinity
  for (const requirement of requirements) {
    if (requirement === null) continue
    const cost = requirementCost(requirement)
    if (cost < chosenCost) {
      chosen = requirement
      chosenCost = cost
    }
  }
  return chosen
}

const FLAGS = new Set(['all', 'cased', 'neq'])
const OTHER_KINDS = new Set(['re', 'cidr', 'exists', 'fieldref', 'lt', 'lte', 'gt', 'gte'])
const TIME_PARTS = new Set(['minute', 'hour', 'day', 'week', 'month', 'year'])

/** One `Field|mod|mod: values` entry, as compile.ts's compileField reads it. */
const fieldRequirement = (key: string, raw: unknown): Requirement => {
  const [field = '', ...modifiers] = key.split('|')
  const rawValues: unknown[] = Array.isArray(raw) ? raw : [raw]
  if (field === '' || rawValues.length === 0) return null
  let all = false
  let groups: SigmaValue[][] | null = null
  for (const modifier of modifiers.map((m) => m.toLowerCase())) {
    if (modifier === 'all') all = true
    else if (FLAGS.has(modifier)) {
      if (modifier === 'neq') return null
    } else if (TRANSFORMS.has(modifier))
      groups = transform(modifier, groups ?? rawValues.map((v) => [sigmaValue(v)]))
    else if (OTHER_KINDS.has(modifier) || TIME_PARTS.has(modifier) || modifier === 'expand') return null
    else return null // |i |m |s follow |re; anything else does not compile
  }
  const values = groups ?? rawValues.map((v) => [sigmaValue(v)])
  // A group is one value of the rule with its alternatives (ORed); groups are ORed, or ANDed by |all.
  const groupRequirement = (alternatives: SigmaValue[]): Requirement => {
    const needs: Need[] = []
    for (const value of alternatives) {
      const literal = valueLiteral(value)
      if (literal === null) return null
      needs.push({ field, literal })
    }
    return union([needs])
  }
  const perGroup = values.map(groupRequirement)
  return all ? best(perGroup) : union(perGroup)
}

/** Keywords: each is a `*keyword*` pattern searched in every value; ORed, or ANDed by |all. */
const keywordsRequirement = (values: unknown[], all: boolean): Requirement => {
  const each = values.map((raw): Requirement => {
    if (typeof raw !== 'string' && typeof raw !== 'number') return null
    const literal = valueLiteral(sigmaValue(String(raw)))
    return literal === null ? null : [{ field: KEYWORDS, literal }]
  })
  return all ? best(each) : union(each)
}

const mapRequirement = (map: Obj): Requirement =>
  best(
    Object.entries(map).map(([key, value]) =>
      key.startsWith('|')
        ? key === '|all'
          ? keywordsRequirement(Array.isArray(value) ? value : [value], true)
          : null
        : fieldRequirement(key, value),
    ),
  )

/** One search identifier: a map (AND), a list of maps (OR), or keywords. */
export const searchRequirement = (value: unknown): Requirement => {
  if (isObj(value)) return mapRequirement(value)
  if (Array.isArray(value) && value.length > 0) {
    if (value.every(isObj)) return union(value.map(mapRequirement))
    return value.some(isObj) ? null : keywordsRequirement(value, false)
  }
  if (typeof value === 'string' || typeof value === 'number') return keywordsRequirement([value], false)
  return null
}

const globRegex = (pattern: string): RegExp =>
  new RegExp('^' + pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$')

export const conditionRequirement = (
  node: ConditionNode,
  searches: Map<string, Requirement>,
): Requirement => {
  switch (node.kind) {
    case 'id':
      return searches.get(node.name) ?? null
    case 'not':
      return null
    case 'and':
      return best(node.args.map((arg) => conditionRequirement(arg, searches)))
    case 'or':
      return union(node.args.map((arg) => conditionRequirement(arg, searches)))
    case 'of': {
      const regex = node.pattern === null ? null : globRegex(node.pattern)
      const names = [...searches.keys()].filter((name) => (regex ? regex.test(name) : !name.startsWith('_')))
      if (names.length === 0) return null
      const requirements = names.map((name) => searches.get(name) ?? null)
      return node.quantifier === 'all' ? best(requirements) : union(requirements)
    }
  }
}

/**
 * The rule's requirement, or null. Meant for rules that compiled: anything unexpected in the
 * detection gives null (evaluate always), never an error.
 */
export const ruleRequirement = (rule: SigmaRule): Requirement => {
  try {
    const searches = new Map<string, Requirement>()
    for (const [name, value] of Object.entries(rule.detection)) searches.set(name, searchRequirement(value))
    return union(rule.conditions.map((text) => conditionRequirement(parseCondition(text), searches)))
  } catch {
    return null
  }
}

/**
 * Sigma 2 meta rules: correlation documents (`correlation:`) and filter documents (`filter:`),
 * validated here as parse.ts reads them, every problem with its file, line and reason.
 * correlation.ts runs correlations; filter.ts applies filters to the rules they name.
 *
 * Beyond the correlation specification (2.0) we read, as pySigma does: the aggregate types
 * value_sum, value_avg and value_percentile (with `condition.field`, and `condition.percentile`
 * from 0 to 100), the `neq` criterion, and `generate` inside the correlation section as well as at
 * the top. `group-by` may be left out: the whole stream is then one group.
 */
import type { SigmaLogsource, SigmaMeta, SigmaProblem } from './parse'

export const CORRELATION_TYPES = [
  'event_count',
  'value_count',
  'temporal',
  'temporal_ordered',
  'value_sum',
  'value_avg',
  'value_percentile',
] as const
export type CorrelationType = (typeof CORRELATION_TYPES)[number]

export const CONDITION_OPS = ['gt', 'gte', 'lt', 'lte', 'eq', 'neq'] as const
export type ConditionOp = (typeof CONDITION_OPS)[number]

/** The criteria are ANDed (`gt: 100, lte: 200` is a range). */
export type CorrelationCondition = {
  tests: { op: ConditionOp; value: number }[]
  /** The field counted (value_count) or aggregated (value_sum, value_avg, value_percentile). */
  field?: string
  /** 0–100, value_percentile only. */
  percentile?: number
}

export type SigmaCorrelation = SigmaMeta & {
  type: CorrelationType
  /** Ids or names of detection rules or other correlations. */
  rules: string[]
  groupBy: string[]
  timespan: string
  timespanMs: number
  /** null for temporal types without one: every listed rule must be seen. */
  condition: CorrelationCondition | null
  /** alias -> (rule id or name -> that rule's field) */
  aliases: Record<string, Record<string, string>>
  /** Whether the rules it names are also reported on their own (default false). */
  generate: boolean
  /** Lines of the document's keys, dotted (`correlation.rules`). */
  lines: Record<string, number>
}

export type SigmaFilter = {
  file: string
  line: number
  title: string
  id?: string
  name?: string
  description?: string
  logsource: SigmaLogsource
  /** Ids or names of the detection rules the filter applies to. */
  rules: string[]
  /** The filter's search identifiers; compiled as a rule's detection is. */
  detection: Record<string, unknown>
  conditions: string[]
  /** Lines of the search identifiers and of `condition`, as SigmaRule.lines. */
  lines: Record<string, number>
}

type Obj = Record<string, unknown>
const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
const isStringList = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((v) => typeof v === 'string')
const optionalString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : value instanceof Date ? value.toISOString().slice(0, 10) : undefined
const stringList = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number').map(String)
    : typeof value === 'string'
      ? [value]
      : []

const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/** `number + letter (in lowercase)`: s, m, h or d. Returns milliseconds, or null. */
export const parseTimespan = (text: unknown): number | null => {
  if (typeof text !== 'string') return null
  const match = /^([1-9]\d*)([smhd])$/.exec(text)
  return match ? Number(match[1]) * UNITS[match[2]!]! : null
}

const CORRELATION_KEYS = new Set([
  'type',
  'rules',
  'group-by',
  'timespan',
  'condition',
  'aliases',
  'generate',
])
const VALUE_TYPES = new Set<CorrelationType>(['value_count', 'value_sum', 'value_avg', 'value_percentile'])

/** The optional string metadata of rules and correlations (parse.ts reads the same keys). */
export const META_KEYS = [
  'id',
  'name',
  'status',
  'level',
  'description',
  'author',
  'license',
  'date',
  'modified',
] as const

const METADATA = META_KEYS

const metadata = (value: Obj): Partial<Pick<SigmaCorrelation, (typeof METADATA)[number]>> => {
  const out: Partial<Pick<SigmaCorrelation, (typeof METADATA)[number]>> = {}
  for (const key of METADATA) {
    const field = optionalString(value[key])
    if (field !== undefined) out[key] = field
  }
  return out
}

/** A correlation document -> SigmaCorrelation, or null with its problems pushed. */
export const parseCorrelation = (
  file: string,
  value: Obj,
  line: number,
  keys: Record<string, number>,
  problems: SigmaProblem[],
): SigmaCorrelation | null => {
  const before = problems.length
  const at = (key: string): number => keys[`correlation.${key}`] ?? keys.correlation ?? line
  const invalid = (reason: string, where: number): void => {
    problems.push({ kind: 'invalid', file, line: where, reason })
  }
  const section = value.correlation
  if (!isObj(section)) {
    invalid('correlation must be a map', keys.correlation ?? line)
    return null
  }
  for (const key of Object.keys(section))
    if (!CORRELATION_KEYS.has(key)) invalid(`correlation.${key} is not a correlation attribute`, at(key))

  const type = section.type
  if (type === undefined) invalid('correlation.type is missing', at('type'))
  else if (!(CORRELATION_TYPES as readonly unknown[]).includes(type))
    invalid(`correlation.type must be one of ${CORRELATION_TYPES.join(', ')}`, at('type'))
  const known = (CORRELATION_TYPES as readonly unknown[]).includes(type) ? (type as CorrelationType) : null

  const rules = section.rules
  if (rules === undefined) invalid('correlation.rules is missing', at('rules'))
  else if (!isStringList(rules) || rules.length === 0 || rules.some((r) => r.trim() === ''))
    invalid('correlation.rules must be a list of rule ids or names', at('rules'))
  else if (new Set(rules).size !== rules.length) invalid('correlation.rules lists a rule twice', at('rules'))

  const groupBy = section['group-by'] ?? []
  if (!isStringList(groupBy)) invalid('correlation.group-by must be a list of field names', at('group-by'))
  else if (new Set(groupBy).size !== groupBy.length)
    invalid('correlation.group-by lists a field twice', at('group-by'))

  const timespanMs = parseTimespan(section.timespan)
  if (section.timespan === undefined) invalid('correlation.timespan is missing', at('timespan'))
  else if (timespanMs === null)
    invalid(
      `correlation.timespan must be a number and s, m, h or d (such as 5m), not ${JSON.stringify(section.timespan)}`,
      at('timespan'),
    )

  let condition: CorrelationCondition | null = null
  const rawCondition = section.condition
  if (rawCondition === undefined) {
    if (known && known !== 'temporal' && known !== 'temporal_ordered')
      invalid(`correlation.condition is missing (${known} needs one)`, at('condition'))
  } else if (!isObj(rawCondition))
    invalid('correlation.condition must be a map such as { gte: 10 }', at('condition'))
  else {
    const cond: CorrelationCondition = { tests: [] }
    const where = (key: string): number => keys[`correlation.condition.${key}`] ?? at('condition')
    for (const [key, raw] of Object.entries(rawCondition)) {
      if ((CONDITION_OPS as readonly string[]).includes(key)) {
        if (typeof raw !== 'number' || !Number.isFinite(raw))
          invalid(`correlation.condition.${key} must be a number`, where(key))
        else cond.tests.push({ op: key as ConditionOp, value: raw })
      } else if (key === 'field') {
        const field = Array.isArray(raw) && raw.length === 1 ? (raw[0] as unknown) : raw
        if (typeof field !== 'string' || field === '')
          invalid('correlation.condition.field must be one field name', where(key))
        else cond.field = field
      } else if (key === 'percentile') {
        if (typeof raw !== 'number' || !(raw >= 0 && raw <= 100))
          invalid('correlation.condition.percentile must be a number from 0 to 100', where(key))
        else cond.percentile = raw
      } else
        invalid(
          `correlation.condition.${key} is not a criterion (${CONDITION_OPS.join(', ')}, field, percentile)`,
          where(key),
        )
    }
    if (
      cond.tests.length === 0 &&
      Object.keys(rawCondition).every((k) => k === 'field' || k === 'percentile')
    )
      invalid(`correlation.condition needs a criterion: ${CONDITION_OPS.join(', ')}`, at('condition'))
    if (known && VALUE_TYPES.has(known) && cond.field === undefined && !('field' in rawCondition))
      invalid(`correlation.condition.field is missing (${known} needs one)`, at('condition'))
    if (known && !VALUE_TYPES.has(known) && 'field' in rawCondition)
      invalid(`correlation.condition.field does not apply to ${known}`, where('field'))
    if (known === 'value_percentile' && !('percentile' in rawCondition))
      invalid('correlation.condition.percentile is missing (value_percentile needs one)', at('condition'))
    if (known !== 'value_percentile' && 'percentile' in rawCondition)
      invalid('correlation.condition.percentile only applies to value_percentile', where('percentile'))
    condition = cond
  }

  const aliases: Record<string, Record<string, string>> = {}
  if (section.aliases !== undefined) {
    if (!isObj(section.aliases)) invalid('correlation.aliases must be a map', at('aliases'))
    else
      for (const [alias, map] of Object.entries(section.aliases)) {
        const where = keys[`correlation.aliases.${alias}`] ?? at('aliases')
        if (!isObj(map) || !Object.values(map).every((f) => typeof f === 'string')) {
          invalid(`correlation.aliases.${alias} must map rule names to field names`, where)
          continue
        }
        const listed = isStringList(rules) ? rules : []
        const stray = Object.keys(map).filter((rule) => !listed.includes(rule))
        if (stray.length > 0)
          invalid(`correlation.aliases.${alias} names ${stray.join(', ')}, not in correlation.rules`, where)
        aliases[alias] = map as Record<string, string>
      }
  }

  const generate = value.generate ?? section.generate ?? false
  if (typeof generate !== 'boolean')
    invalid('generate must be true or false', keys.generate ?? at('generate'))
  if (value.name !== undefined && typeof value.name !== 'string')
    invalid('name must be a string', keys.name ?? line)

  if (problems.length > before || !known || timespanMs === null) return null
  return {
    file,
    line,
    title: value.title as string,
    ...metadata(value),
    tags: stringList(value.tags),
    references: stringList(value.references),
    falsepositives: stringList(value.falsepositives),
    type: known,
    rules: rules as string[],
    groupBy: groupBy as string[],
    timespan: section.timespan as string,
    timespanMs,
    condition,
    aliases,
    generate: generate as boolean,
    lines: keys,
  }
}

/** A filter document -> SigmaFilter, or null with its problems pushed. */
export const parseFilter = (
  file: string,
  value: Obj,
  line: number,
  keys: Record<string, number>,
  problems: SigmaProblem[],
): SigmaFilter | null => {
  const invalid = (reason: string, where: number): null => {
    problems.push({ kind: 'invalid', file, line: where, reason })
    return null
  }
  const section = value.filter
  if (!isObj(section)) return invalid('filter must be a map', keys.filter ?? line)
  if (!isObj(value.logsource)) return invalid('a filter needs a logsource map', keys.logsource ?? line)
  const { rules, condition, ...searches } = section
  const rulesLine = keys['filter.rules'] ?? keys.filter ?? line
  if (rules === undefined) return invalid('filter.rules is missing', rulesLine)
  const names = typeof rules === 'string' ? [rules] : rules
  if (!isStringList(names) || names.length === 0)
    return invalid('filter.rules must be a list of rule ids or names', rulesLine)
  const conditions = stringList(condition)
  if (conditions.length === 0)
    return invalid('filter.condition is missing', keys['filter.condition'] ?? keys.filter ?? line)
  if (Object.keys(searches).length === 0)
    return invalid('filter has no search identifier', keys.filter ?? line)
  const lines: Record<string, number> = {}
  for (const [key, at] of Object.entries(keys))
    if (key.startsWith('filter.') && !key.slice(7).includes('.')) lines[key.slice(7)] = at
  const logsource: SigmaLogsource = {}
  for (const key of ['product', 'category', 'service', 'definition'] as const) {
    const field = optionalString(value.logsource[key])
    if (field !== undefined) logsource[key] = field
  }
  const filter: SigmaFilter = {
    file,
    line,
    title: value.title as string,
    logsource,
    rules: names,
    detection: searches,
    conditions,
    lines,
  }
  for (const key of ['id', 'name', 'description'] as const) {
    const field = optionalString(value[key])
    if (field !== undefined) filter[key] = field
  }
  return filter
}

/**
 * Sigma rule files (YAML) -> typed rules. Every problem is kept with its file and line rather than
 * thrown, so loading thousands of rules reports all of them at once. Multi-document files follow
 * the Sigma collection convention: `action: global` is merged into every later document,
 * `action: repeat` repeats the previous rule with changes, `action: reset` drops the global part.
 */
import { isMap, isScalar, LineCounter, parseAllDocuments, type Document } from 'yaml'
import {
  META_KEYS,
  parseCorrelation,
  parseFilter,
  type SigmaCorrelation,
  type SigmaFilter,
} from './parse-meta'

/** `warning`: the rule loads, but something about it deserves a look (a filter naming no loaded rule). */
export type SigmaProblemKind = 'invalid' | 'unsupported' | 'warning'
export type SigmaProblem = { kind: SigmaProblemKind; file: string; line: number; reason: string }

export type SigmaLogsource = {
  product?: string
  category?: string
  service?: string
  definition?: string
}

/** What detection and correlation rules both carry. */
export type SigmaMeta = {
  file: string
  /** 1-based line of the rule's document (its first key). */
  line: number
  title: string
  id?: string
  /** The Sigma 2 `name`, by which correlations and filters may refer to the rule. */
  name?: string
  status?: string
  level?: string
  description?: string
  author?: string
  /** The rule's own license (Sigma's optional `license` field), e.g. DRL-1.1. */
  license?: string
  date?: string
  modified?: string
  tags: string[]
  references: string[]
  falsepositives: string[]
}

export type SigmaRule = SigmaMeta & {
  fields: string[]
  logsource: SigmaLogsource
  /** The search identifiers as YAML gave them; compile.ts gives them meaning. */
  detection: Record<string, unknown>
  conditions: string[]
  /** Line of each search identifier and of `condition`, for errors found while compiling. */
  lines: Record<string, number>
}

/** Correlation and filter documents come back beside the detection rules (parse-meta.ts). */
export type ParseResult = {
  rules: SigmaRule[]
  correlations: SigmaCorrelation[]
  filters: SigmaFilter[]
  problems: SigmaProblem[]
}

type Obj = Record<string, unknown>

const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Sigma collections merge maps key by key, later documents winning. */
const merge = (base: Obj, over: Obj): Obj => {
  const out: Obj = { ...base }
  for (const [key, value] of Object.entries(over)) {
    const prior = out[key]
    out[key] = isObj(prior) && isObj(value) ? merge(prior, value) : value
  }
  return out
}

const stringList = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.filter((v): v is string | number => typeof v === 'string' || typeof v === 'number').map(String)
    : typeof value === 'string'
      ? [value]
      : []

const optionalString = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : value instanceof Date ? value.toISOString().slice(0, 10) : undefined

/** Lines of the detection keys of one document, so compile errors can point at them. */
const detectionLines = (doc: Document, lineOf: (offset: number) => number): Record<string, number> => {
  const out: Record<string, number> = {}
  const detection = doc.get('detection', true)
  if (!isMap(detection)) return out
  for (const item of detection.items) {
    if (isScalar(item.key) && item.key.range) out[String(item.key.value)] = lineOf(item.key.range[0])
  }
  return out
}

/** `keys` holds the lines of the top-level keys, for problems with the rule's metadata. */
type Piece = { value: Obj; line: number; lines: Record<string, number>; keys: Record<string, number> }

/**
 * Lines of the top-level keys, and for meta rules of the keys under `correlation` and `filter`
 * too, dotted down to three levels (`correlation.aliases.ip`).
 */
const topLines = (doc: Document, lineOf: (offset: number) => number): Record<string, number> => {
  const out: Record<string, number> = {}
  const walk = (node: unknown, prefix: string, depth: number): void => {
    if (!isMap(node)) return
    for (const item of node.items) {
      if (!isScalar(item.key) || !item.key.range) continue
      const key = prefix + String(item.key.value)
      out[key] = lineOf(item.key.range[0])
      if (depth < 3 && (depth > 1 || key === 'correlation' || key === 'filter'))
        walk(item.value, key + '.', depth + 1)
    }
  }
  walk(doc.contents, '', 1)
  return out
}

const LEVELS = new Set(['informational', 'low', 'medium', 'high', 'critical'])
const STATUSES = new Set(['stable', 'test', 'experimental', 'deprecated', 'unsupported'])

/** Metadata that is there but malformed: a rule with a wrong level or status is not loaded half-right. */
const metadataProblem = (value: Obj): [key: string, reason: string] | null => {
  if (value.level !== undefined && !(typeof value.level === 'string' && LEVELS.has(value.level)))
    return ['level', `level must be one of ${[...LEVELS].join(', ')}`]
  if (value.status !== undefined && !(typeof value.status === 'string' && STATUSES.has(value.status)))
    return ['status', `status must be one of ${[...STATUSES].join(', ')}`]
  if (value.id !== undefined && typeof value.id !== 'string') return ['id', 'id must be a string']
  for (const key of ['tags', 'references', 'falsepositives', 'fields'] as const) {
    const list = value[key]
    if (
      list !== undefined &&
      list !== null &&
      !(Array.isArray(list) && list.every((v) => typeof v === 'string' || typeof v === 'number'))
    )
      return [key, `${key} must be a list of strings`]
  }
  if (isObj(value.logsource))
    for (const key of ['product', 'category', 'service', 'definition'] as const) {
      const field = value.logsource[key]
      if (field !== undefined && field !== null && typeof field !== 'string')
        return ['logsource', `logsource.${key} must be a string`]
    }
  return null
}

const toRule = (file: string, piece: Piece, problems: SigmaProblem[], out: ParseResult): SigmaRule | null => {
  const { value, line } = piece
  const problem = (kind: SigmaProblemKind, reason: string, at = line): null => {
    problems.push({ kind, file, line: at, reason })
    return null
  }
  const meta =
    'correlation' in value ? 'correlation' : 'filter' in value && !('detection' in value) ? 'filter' : null
  if (meta) {
    if (typeof value.title !== 'string' || value.title.trim() === '') return problem('invalid', 'no title')
    const bad = metadataProblem(value)
    if (bad) return problem('invalid', bad[1], piece.keys[bad[0]] ?? line)
    if (meta === 'correlation') {
      const correlation = parseCorrelation(file, value, line, piece.keys, problems)
      if (correlation) out.correlations.push(correlation)
    } else {
      const filter = parseFilter(file, value, line, piece.keys, problems)
      if (filter) out.filters.push(filter)
    }
    return null
  }
  if (typeof value.title !== 'string' || value.title.trim() === '') return problem('invalid', 'no title')
  if (!isObj(value.logsource)) return problem('invalid', 'no logsource map')
  if (!isObj(value.detection)) return problem('invalid', 'no detection map')
  const bad = metadataProblem(value)
  if (bad) return problem('invalid', bad[1], piece.keys[bad[0]] ?? line)
  const { condition, ...searches } = value.detection
  const conditions = stringList(condition)
  const conditionLine = piece.lines.condition ?? line
  if (conditions.length === 0) return problem('invalid', 'detection has no condition', conditionLine)
  if (Object.keys(searches).length === 0) return problem('invalid', 'detection has no search identifier')
  const logsource: SigmaLogsource = {}
  for (const key of ['product', 'category', 'service', 'definition'] as const) {
    const field = optionalString(value.logsource[key])
    if (field !== undefined) logsource[key] = field
  }
  const rule: SigmaRule = {
    file,
    line,
    title: value.title,
    tags: stringList(value.tags),
    references: stringList(value.references),
    falsepositives: stringList(value.falsepositives),
    fields: stringList(value.fields),
    logsource,
    detection: searches,
    conditions,
    lines: piece.lines,
  }
  for (const key of META_KEYS) {
    const field = optionalString(value[key])
    if (field !== undefined) rule[key] = field
  }
  return rule
}

export const parseSigmaFile = (text: string, file: string): ParseResult => {
  const problems: SigmaProblem[] = []
  const out: ParseResult = { rules: [], correlations: [], filters: [], problems }
  const lineCounter = new LineCounter()
  const lineOf = (offset: number): number => lineCounter.linePos(offset).line
  // Dates stay strings: rules write `date: 2024/01/02`, and core schema keeps that as text.
  const docs = parseAllDocuments(text, { lineCounter, schema: 'core' })
  if (!Array.isArray(docs)) return out
  const pieces: Piece[] = []
  let global = null as Piece | null
  let previous = null as Piece | null
  for (const doc of docs) {
    const line = doc.contents?.range ? lineOf(doc.contents.range[0]) : 1
    if (doc.errors.length > 0) {
      for (const error of doc.errors)
        problems.push({ kind: 'invalid', file, line: error.linePos?.[0].line ?? line, reason: error.message })
      continue
    }
    const value: unknown = doc.toJS()
    if (value === null || value === undefined) continue
    if (!isObj(value)) {
      problems.push({ kind: 'invalid', file, line, reason: 'a rule document must be a map' })
      continue
    }
    const lines = detectionLines(doc, lineOf)
    const keys = topLines(doc, lineOf)
    const { action, ...rest } = value
    if (action === 'global') {
      global = {
        value: global ? merge(global.value, rest) : rest,
        line,
        lines: { ...global?.lines, ...lines },
        keys: { ...global?.keys, ...keys },
      }
      continue
    }
    if (action === 'reset') {
      global = null
      continue
    }
    if (action === 'repeat') {
      if (!previous) {
        problems.push({ kind: 'invalid', file, line, reason: 'action: repeat without a previous rule' })
        continue
      }
      previous = {
        value: merge(previous.value, rest),
        line,
        lines: { ...previous.lines, ...lines },
        keys: { ...previous.keys, ...keys },
      }
      pieces.push(previous)
      continue
    }
    if (action !== undefined) {
      problems.push({ kind: 'unsupported', file, line, reason: `unknown action: ${JSON.stringify(action)}` })
      continue
    }
    previous = global
      ? {
          value: merge(global.value, rest),
          line,
          lines: { ...global.lines, ...lines },
          keys: { ...global.keys, ...keys },
        }
      : { value: rest, line, lines, keys }
    pieces.push(previous)
  }
  for (const piece of pieces) {
    const rule = toRule(file, piece, problems, out)
    if (rule) out.rules.push(rule)
  }
  return out
}

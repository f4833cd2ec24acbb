/**
 * Typed Sigma rules -> predicates over flat event records. Compiling does all the rule-side work
 * once (see modifiers.ts), so evaluating a rule is a walk over closures and precompiled tests.
 *
 * Where the specification leaves the choice to the backend, we choose:
 * - `null` finds an absent, null or empty field, and `''` also finds a null one (EVTX renders an
 *   empty Data element as null);
 * - `|neq` needs the field and differs from every listed value;
 * - keywords match anywhere in any string or number of the event, nested values included;
 * - an event field holding an array matches when one of its elements does.
 */
import { ConditionError, parseCondition, type ConditionNode } from './condition'
import {
  anyOfTest,
  cidrTest,
  expandPlaceholders,
  compareTest,
  parsePattern,
  regexTest,
  SigmaCompileError,
  sigmaValue,
  STAR,
  TIME_PARTS,
  timePart,
  transform,
  TRANSFORMS,
  type Placeholders,
  type SigmaValue,
  type TimePart,
  type ValueTest,
} from './modifiers'
import { parseSigmaFile, type SigmaProblem, type SigmaRule } from './parse'
import type { SigmaCorrelation, SigmaFilter } from './parse-meta'

export type EventRecord = Record<string, unknown>
export type Predicate = (event: EventRecord) => boolean
export type CompiledRule = { rule: SigmaRule; matches: Predicate }
/** `placeholders` gives |expand its values; without them such rules are reported unsupported. */
export type CompileOptions = { placeholders?: Placeholders }

type Obj = Record<string, unknown>
const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/**
 * A field reader: the exact key first (Windows names, and flat keys holding dots such as
 * `process.command_line` written flat), then the dotted path through nested objects.
 */
export const fieldReader = (name: string): ((event: EventRecord) => unknown) => {
  const path = name.split('.')
  if (path.length === 1) return (event) => event[name]
  return (event) => {
    if (name in event) return event[name]
    let node: unknown = event
    for (const key of path) {
      if (!isObj(node)) return undefined
      node = node[key]
    }
    return node
  }
}

const anyElement = (value: unknown, test: ValueTest): boolean => {
  if (!Array.isArray(value)) return test(value)
  for (const item of value) if (test(item)) return true
  return false
}

/** One test that holds when any of `tests` holds; a single test is returned as is (hot path). */
const anyOf = <T>(tests: Array<(x: T) => boolean>): ((x: T) => boolean) =>
  tests.length === 1
    ? tests[0]!
    : (x) => {
        for (const test of tests) if (test(x)) return true
        return false
      }

type Options = { all: boolean; cased: boolean; neq: boolean }

/** The tests of one field's values, after the transforming modifiers, ORed or (|all) ANDed per value. */
const valueTests = (groups: SigmaValue[][], options: Options): ValueTest[] =>
  options.all
    ? groups.map((alternatives) => anyOfTest(alternatives, options.cased))
    : [anyOfTest(groups.flat(), options.cased)]

const combine = (tests: ValueTest[], options: Options): ((value: unknown) => boolean) => {
  if (options.all) {
    const each = tests
    return (value) => {
      for (const test of each) if (!anyElement(value, test)) return false
      return true
    }
  }
  const one = anyOf(tests)
  return (value) => anyElement(value, one)
}

const FLAG_MODIFIERS = new Set(['all', 'cased', 'neq'])

/** One `Field|mod|mod: values` entry of a search identifier map. */
const compileField = (key: string, raw: unknown, compileOptions: CompileOptions): Predicate => {
  const [field = '', ...modifiers] = key.split('|')
  const rawValues: unknown[] = Array.isArray(raw) ? raw : [raw]
  if (rawValues.length === 0) throw new SigmaCompileError(`${key}: an empty list of values`)
  const options: Options = { all: false, cased: false, neq: false }
  let groups: SigmaValue[][] | null = null
  let kind: 'equals' | 're' | 'cidr' | 'exists' | 'fieldref' | 'compare' = 'equals'
  let compareOp: 'lt' | 'lte' | 'gt' | 'gte' = 'lt'
  let reFlags = ''
  let part: TimePart | null = null
  let fieldrefMode: 'equals' | 'contains' | 'startswith' | 'endswith' = 'equals'
  for (const modifier of modifiers.map((m) => m.toLowerCase())) {
    if (FLAG_MODIFIERS.has(modifier)) options[modifier as keyof Options] = true
    else if (
      kind === 'fieldref' &&
      (modifier === 'contains' || modifier === 'startswith' || modifier === 'endswith')
    )
      fieldrefMode = modifier
    else if (TRANSFORMS.has(modifier)) {
      if (kind !== 'equals') throw new SigmaCompileError(`${key}: |${modifier} cannot follow |${kind}`)
      groups = transform(modifier, groups ?? rawValues.map((value) => [sigmaValue(value)]))
    } else if (modifier === 're' || modifier === 'cidr' || modifier === 'exists' || modifier === 'fieldref') {
      if (groups) throw new SigmaCompileError(`${key}: |${modifier} cannot follow a transforming modifier`)
      kind = modifier
    } else if (modifier === 'i' || modifier === 'm' || modifier === 's') {
      if (kind !== 're') throw new SigmaCompileError(`${key}: |${modifier} only applies after |re`)
      reFlags += modifier
    } else if (modifier === 'lt' || modifier === 'lte' || modifier === 'gt' || modifier === 'gte') {
      kind = 'compare'
      compareOp = modifier
    } else if ((TIME_PARTS as readonly string[]).includes(modifier)) part = modifier as TimePart
    else if (modifier === 'expand') {
      if (!compileOptions.placeholders)
        throw new SigmaCompileError(`${key}: |expand needs placeholder values (not configured)`, true)
      if (kind !== 'equals') throw new SigmaCompileError(`${key}: |expand cannot follow |${kind}`)
      groups = expandPlaceholders(
        groups ?? rawValues.map((value) => [sigmaValue(value)]),
        compileOptions.placeholders,
      )
    } else throw new SigmaCompileError(`${key}: unknown modifier |${modifier}`)
  }
  if (field === '') throw new SigmaCompileError(`${key}: a field name is missing`)
  const read = fieldReader(field)

  if (kind === 'exists') {
    const [want, ...more] = rawValues
    if (typeof want !== 'boolean' || more.length > 0)
      throw new SigmaCompileError(`${key}: |exists needs true or false`)
    return (event) => (read(event) !== undefined) === want
  }
  if (kind === 'fieldref') {
    const others = rawValues.map((value) => {
      if (typeof value !== 'string') throw new SigmaCompileError(`${key}: |fieldref needs field names`)
      return fieldReader(value)
    })
    const cased = options.cased
    const relation = (a: string, b: string): boolean =>
      fieldrefMode === 'equals'
        ? a === b
        : fieldrefMode === 'contains'
          ? a.includes(b)
          : fieldrefMode === 'startswith'
            ? a.startsWith(b)
            : a.endsWith(b)
    const norm = (v: unknown): string | null =>
      typeof v === 'string' ? (cased ? v : v.toLowerCase()) : typeof v === 'number' ? String(v) : null
    const tests = others.map((other): Predicate => (event) => {
      const a = norm(read(event))
      const b = norm(other(event))
      return a !== null && b !== null && relation(a, b)
    })
    const matches: Predicate = options.all
      ? (event) => tests.every((test) => test(event))
      : (event) => tests.some((test) => test(event))
    return options.neq ? (event) => read(event) !== undefined && !matches(event) : matches
  }

  let tests: ValueTest[]
  if (kind === 're') tests = rawValues.map((value) => regexTest(value, reFlags))
  else if (kind === 'cidr') tests = rawValues.map(cidrTest)
  else if (kind === 'compare') tests = rawValues.map((value) => compareTest(compareOp, value))
  else tests = valueTests(groups ?? rawValues.map((value) => [sigmaValue(value)]), options)
  if (part !== null) {
    const which = part
    const inner = tests
    // A time part turns the event's timestamp into a number first; equality then compares numbers.
    tests = inner.map((test) => (value: unknown) => {
      const n = timePart(which, value)
      return !Number.isNaN(n) && test(n)
    })
  }
  const test = combine(tests, options)
  if (options.neq) return (event) => read(event) !== undefined && !test(read(event))
  return (event) => test(read(event))
}

/** True when any string or number in the event (nested objects and arrays too) passes `test`. */
const searchValues = (value: unknown, test: ValueTest): boolean => {
  if (typeof value === 'string') return test(value)
  if (typeof value === 'number') return test(String(value))
  if (Array.isArray(value)) {
    for (const item of value) if (searchValues(item, test)) return true
    return false
  }
  if (isObj(value)) {
    for (const key in value) if (searchValues(value[key], test)) return true
  }
  return false
}

/** Keywords search every value of the event; a keyword matches anywhere in a value. */
const compileKeywords = (values: unknown[], all: boolean): Predicate => {
  const patterns = values.map((raw): SigmaValue => {
    if (typeof raw !== 'string' && typeof raw !== 'number')
      throw new SigmaCompileError(`a keyword must be a string or number, not ${JSON.stringify(raw)}`)
    const pattern = parsePattern(String(raw))
    if (pattern[0] !== STAR) pattern.unshift(STAR)
    if (pattern[pattern.length - 1] !== STAR) pattern.push(STAR)
    return { type: 'string', pattern }
  })
  if (!all) {
    // One walk over the event for all the keywords together.
    const test = anyOfTest(patterns, false)
    return (event) => searchValues(event, test)
  }
  const each = patterns.map((pattern): Predicate => {
    const test = anyOfTest([pattern], false)
    return (event) => searchValues(event, test)
  })
  return (event) => each.every((predicate) => predicate(event))
}

const andAll = (predicates: Predicate[]): Predicate =>
  predicates.length === 1
    ? predicates[0]!
    : (event) => {
        for (const predicate of predicates) if (!predicate(event)) return false
        return true
      }

const compileMap = (map: Obj, options: CompileOptions): Predicate => {
  const entries = Object.entries(map)
  if (entries.length === 0) throw new SigmaCompileError('an empty map')
  return andAll(
    entries.map(([key, value]) => {
      // `'|all': [...]`: keywords that must all occur.
      if (key.startsWith('|')) {
        const modifiers = key.slice(1).split('|')
        if (modifiers.some((m) => m !== 'all'))
          throw new SigmaCompileError(`${key}: keyword modifiers other than all`, true)
        return compileKeywords(Array.isArray(value) ? value : [value], true)
      }
      return compileField(key, value, options)
    }),
  )
}

/** One search identifier: a map (AND of fields), a list of maps (OR), or keywords. */
export const compileSearch = (value: unknown, options: CompileOptions = {}): Predicate => {
  if (isObj(value)) return compileMap(value, options)
  if (Array.isArray(value)) {
    if (value.length === 0) throw new SigmaCompileError('an empty list')
    if (value.every(isObj)) return anyOf(value.map((map) => compileMap(map, options)))
    if (value.some(isObj)) throw new SigmaCompileError('a list mixing maps and keywords')
    return compileKeywords(value, false)
  }
  if (typeof value === 'string' || typeof value === 'number') return compileKeywords([value], false)
  throw new SigmaCompileError(`a search identifier must be a map, a list or a keyword`)
}

const globRegex = (pattern: string): RegExp =>
  new RegExp('^' + pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*') + '$')

export const compileCondition = (node: ConditionNode, searches: Map<string, Predicate>): Predicate => {
  switch (node.kind) {
    case 'id': {
      const predicate = searches.get(node.name)
      if (!predicate) throw new SigmaCompileError(`the condition names '${node.name}', which is not defined`)
      return predicate
    }
    case 'not': {
      const inner = compileCondition(node.arg, searches)
      return (event) => !inner(event)
    }
    case 'and':
      return andAll(node.args.map((arg) => compileCondition(arg, searches)))
    case 'or':
      return anyOf(node.args.map((arg) => compileCondition(arg, searches)))
    case 'of': {
      const regex = node.pattern === null ? null : globRegex(node.pattern)
      // `them` leaves out _-prefixed identifiers, which rules keep as building blocks.
      const names = [...searches.keys()].filter((name) => (regex ? regex.test(name) : !name.startsWith('_')))
      if (names.length === 0)
        throw new SigmaCompileError(`'${node.pattern ?? 'them'}' matches no search identifier`)
      const predicates = names.map((name) => searches.get(name)!)
      return node.quantifier === 'all' ? andAll(predicates) : anyOf(predicates)
    }
  }
}

export type CompileResult = { ok: true; compiled: CompiledRule } | { ok: false; problem: SigmaProblem }

export const compileRule = (rule: SigmaRule, options: CompileOptions = {}): CompileResult => {
  const fail = (error: unknown, line: number): CompileResult => {
    if (error instanceof SigmaCompileError)
      return {
        ok: false,
        problem: {
          kind: error.unsupported ? 'unsupported' : 'invalid',
          file: rule.file,
          line,
          reason: error.reason,
        },
      }
    if (error instanceof ConditionError)
      return {
        ok: false,
        problem: {
          kind: error.unsupported ? 'unsupported' : 'invalid',
          file: rule.file,
          line,
          reason: `condition: ${error.reason} at column ${error.column}`,
        },
      }
    throw error
  }
  const searches = new Map<string, Predicate>()
  for (const [name, value] of Object.entries(rule.detection)) {
    try {
      searches.set(name, compileSearch(value, options))
    } catch (error) {
      return fail(error, rule.lines[name] ?? rule.line)
    }
  }
  const conditionLine = rule.lines.condition ?? rule.line
  try {
    const matches = anyOf(rule.conditions.map((text) => compileCondition(parseCondition(text), searches)))
    return { ok: true, compiled: { rule, matches } }
  } catch (error) {
    return fail(error, conditionLine)
  }
}

/** Correlations and filters come back parsed; load-rules.ts links and applies them across files. */
export type LoadResult = {
  compiled: CompiledRule[]
  problems: SigmaProblem[]
  correlations: SigmaCorrelation[]
  filters: SigmaFilter[]
}

/** Parses and compiles one rule file; problems come back beside the rules that did load. */
export const loadSigmaFile = (text: string, file: string, options: CompileOptions = {}): LoadResult => {
  const { rules, problems, correlations, filters } = parseSigmaFile(text, file)
  const compiled: CompiledRule[] = []
  for (const rule of rules) {
    const result = compileRule(rule, options)
    if (result.ok) compiled.push(result.compiled)
    else problems.push(result.problem)
  }
  return { compiled, problems, correlations, filters }
}

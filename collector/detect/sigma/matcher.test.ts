import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { splitConcatenatedJson } from '../../ingest/concatenated-json'
import { flattenEvtxDump, isEvtxDumpEvent } from '../../ingest/import/win-event'
import { createScanner } from './aho-corasick'
import { compileRule, type CompiledRule, type EventRecord } from './compile'
import { loadRules } from './load-rules'
import { createRouter, loadLogsourceMapping, parseLogsourceMapping } from './logsource'
import { createMatcher } from './matcher'
import { anyOfTest, STAR } from './modifiers'
import type { SigmaRule } from './parse'
import { ruleRequirement } from './requirements'

/** What the matcher must return: the router's candidates that match, in the rules' input order. */
const reference = (rules: CompiledRule[], select: (e: EventRecord) => CompiledRule[]) => {
  const position = new Map(rules.map((rule, index) => [rule, index]))
  return (event: EventRecord): CompiledRule[] =>
    select(event)
      .filter((rule) => {
        try {
          return rule.matches(event)
        } catch {
          return false
        }
      })
      .sort((a, b) => position.get(a)! - position.get(b)!)
}

describe('createScanner', () => {
  const occurrences = (literals: string[], text: string): number[] => {
    const ids: number[] = []
    createScanner(literals).scan(text, (id) => ids.push(id))
    return ids.sort((a, b) => a - b)
  }
  const naive = (literals: string[], text: string): number[] => {
    const lower = text.toLowerCase()
    const ids: number[] = []
    literals.forEach((literal, id) => {
      for (let at = lower.indexOf(literal); at >= 0; at = lower.indexOf(literal, at + 1)) ids.push(id)
    })
    return ids.sort((a, b) => a - b)
  }
  it('finds every occurrence, overlapping ones too, case-insensitively', () => {
    expect(occurrences(['he', 'she', 'his', 'hers'], 'uSHErs')).toEqual([0, 1, 3])
    expect(occurrences(['aa'], 'aaaa')).toEqual([0, 0, 0])
  })
  it('folds U+0130 and U+212A as toLowerCase does', () => {
    expect(occurrences(['ki', 'i'], '\u212A\u0130')).toEqual(naive(['ki', 'i'], '\u212A\u0130'))
    expect(occurrences(['ix'], '\u0130x')).toEqual([])
  })
  it('agrees with indexOf on the lowercased text (property)', () => {
    const char = fc.constantFrom('a', 'b', 'A', 'B', '\\', '.', '\u0130', '\u212A', 'k', 'i', 'é', 'É')
    const word = fc.array(char, { minLength: 1, maxLength: 4 }).map((cs) => cs.join(''))
    const literal = word.map((w) => w.replace(/[^ -~]/g, '').toLowerCase()).filter((w) => w !== '')
    fc.assert(
      fc.property(
        fc.array(literal, { minLength: 1, maxLength: 6 }),
        fc.array(char, { maxLength: 20 }),
        (literals, cs) => {
          expect(occurrences(literals, cs.join(''))).toEqual(naive(literals, cs.join('')))
        },
      ),
      { numRuns: 500 },
    )
  })
})

describe('anyOfTest with many contains needles (scanned, not includes)', () => {
  it('agrees with includes on the lowercased value (property)', () => {
    const char = fc.constantFrom('a', 'B', '\\', '\u0130', '\u212A', 'k', 'i', 'é', 'Σ', 'ς')
    const needle = fc.array(char, { minLength: 1, maxLength: 3 }).map((cs) => cs.join(''))
    fc.assert(
      fc.property(
        fc.array(needle, { minLength: 8, maxLength: 12 }),
        fc.array(char, { maxLength: 12 }),
        (needles, cs) => {
          const value = cs.join('')
          const test = anyOfTest(
            needles.map((n) => ({ type: 'string', pattern: [STAR, n, STAR] })),
            false,
          )
          const lower = value.toLowerCase()
          expect(test(value)).toBe(needles.some((n) => lower.includes(n.toLowerCase())))
        },
      ),
      { numRuns: 500 },
    )
  })
})

// ---------------------------------------------------------------------------------------------
// Property: synthetic rules over a few fields and values built to collide with one another.

const MAPPING = parseLogsourceMapping(`
products:
  windows:
    match: [{ Channel: { exists: true } }]
    category:
      process_creation: [{ Channel: Sysmon, EventID: 1 }]
`)
if (!MAPPING.ok) throw new Error(MAPPING.errors.join('; '))

const FIELDS = ['Image', 'CommandLine', 'User', 'Data.Name']
const PIECES = [
  'ab',
  'AB',
  'c',
  '\\x.exe',
  'ι',
  'Σ',
  'σ',
  'ς',
  '\u0130',
  '\u212A',
  'k',
  'é',
  '-e',
  '/e',
  '1',
  'true',
  ' ',
]
const piece = fc.constantFrom(...PIECES)
const text = fc.array(piece, { maxLength: 4 }).map((ps) => ps.join(''))
const sigmaText = fc.tuple(text, fc.constantFrom('', '*', '?'), text).map(([a, wild, b]) => a + wild + b)
const ruleValue = fc.oneof(
  { weight: 6, arbitrary: sigmaText },
  { weight: 1, arbitrary: fc.constantFrom(1, 12, true, null, '') },
)
const MODIFIERS = [
  '',
  '|contains',
  '|startswith',
  '|endswith',
  '|contains|all',
  '|contains|cased',
  '|cased',
  '|contains|windash',
  '|base64offset|contains',
  '|utf16le|base64',
  '|neq',
  '|re',
  '|lt',
  '|exists',
]
const entry = fc.tuple(
  fc.constantFrom(...FIELDS),
  fc.constantFrom(...MODIFIERS),
  fc.array(ruleValue, { minLength: 1, maxLength: 3 }),
)
const keyword = fc.oneof(
  text.filter((t) => t.trim() !== ''),
  fc.constantFrom(1, 12),
)
const searchMap = fc
  .tuple(
    fc.array(entry, { minLength: 1, maxLength: 3 }),
    fc.option(fc.array(keyword, { minLength: 1, maxLength: 2 }), { nil: undefined }),
  )
  .map(([entries, keywords]) => ({
    ...Object.fromEntries(entries.map(([field, mod, values]) => [field + mod, values])),
    ...(keywords === undefined ? {} : { '|all': keywords }),
  }))
const search = fc.oneof(
  { weight: 4, arbitrary: searchMap },
  { weight: 1, arbitrary: fc.array(searchMap, { minLength: 1, maxLength: 2 }) },
  { weight: 1, arbitrary: fc.array(keyword, { minLength: 1, maxLength: 2 }) },
  { weight: 1, arbitrary: keyword },
)
const NAMES = ['s0', 's1', 's2']
const condition: fc.Arbitrary<string> = fc.letrec<{ node: string }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    // Mostly conditions that yield a requirement: a negation makes the rule evaluated always.
    { weight: 4, arbitrary: fc.constantFrom(...NAMES, '1 of s*', 'all of s*', '1 of them', 'all of them') },
    { weight: 1, arbitrary: tie('node').map((n) => `not (${n})`) },
    { weight: 2, arbitrary: fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${a}) and (${b})`) },
    { weight: 2, arbitrary: fc.tuple(tie('node'), tie('node')).map(([a, b]) => `(${a}) or (${b})`) },
  ),
})).node

const ruleArb = fc.record({
  searches: fc.tuple(search, search, search),
  condition,
  category: fc.constantFrom(undefined, 'process_creation'),
})

const eventValue = fc.oneof(
  { weight: 6, arbitrary: text },
  { weight: 1, arbitrary: fc.constantFrom(1, 12, true, null) },
  { weight: 2, arbitrary: fc.array(fc.oneof(text, fc.constantFrom(1, true)), { maxLength: 2 }) },
)
const eventArb = fc
  .tuple(
    fc.record({ Image: eventValue, CommandLine: eventValue, User: eventValue }, { requiredKeys: [] }),
    fc.option(fc.record({ Name: eventValue }), { nil: undefined }),
    fc.constantFrom('Sysmon', 'Security'),
    fc.constantFrom(1, 4688),
  )
  .map(([fields, data, Channel, EventID]): EventRecord => ({
    ...fields,
    ...(data === undefined ? {} : { Data: data }),
    Channel,
    EventID,
  }))

const toRule = (
  spec: { searches: readonly unknown[]; condition: string; category: string | undefined },
  i: number,
): CompiledRule | null => {
  const rule: SigmaRule = {
    file: `r${i}.yml`,
    line: 1,
    title: `r${i}`,
    tags: [],
    references: [],
    falsepositives: [],
    fields: [],
    logsource: { product: 'windows', ...(spec.category ? { category: spec.category } : {}) },
    detection: Object.fromEntries(spec.searches.map((s, j) => [`s${j}`, s])),
    conditions: [spec.condition],
    lines: {},
  }
  const result = compileRule(rule)
  return result.ok ? result.compiled : null
}

describe('createMatcher', () => {
  it('returns what the router and matches return, on synthetic rules and events (property)', () => {
    fc.assert(
      fc.property(
        fc.array(ruleArb, { minLength: 1, maxLength: 12 }),
        fc.array(eventArb, { minLength: 1, maxLength: 12 }),
        (specs, events) => {
          const rules = specs.map(toRule).filter((r): r is CompiledRule => r !== null)
          const matcher = createMatcher(rules, MAPPING.mapping)
          const expected = reference(rules, createRouter(rules, MAPPING.mapping).candidates)
          for (const event of events) expect(matcher.match(event)).toEqual(expected(event))
        },
      ),
      { numRuns: 1500 },
    )
  })
  it('finds field literals in array elements when keyword rules share the scan', () => {
    const rules = [
      toRule({ searches: [['mimikatz']], condition: 's0', category: undefined }, 0)!,
      toRule({ searches: [{ 'User|contains': 'admin' }], condition: 's0', category: undefined }, 1)!,
    ]
    const matcher = createMatcher(rules, MAPPING.mapping)
    expect(matcher.match({ Channel: 'Sysmon', User: ['x', 'ADMIN'] })).toEqual([rules[1]])
    expect(matcher.match({ Channel: 'Sysmon', User: [{ a: 'MimiKatz' }] })).toEqual([rules[0]])
  })
  it('indexes a plain field rule and evaluates a negated one always', () => {
    const rules = [
      toRule({ searches: [{ 'Image|endswith': '\\cmd.exe' }], condition: 's0', category: undefined }, 0)!,
      toRule({ searches: [{ 'Image|endswith': '\\cmd.exe' }], condition: 'not s0', category: undefined }, 1)!,
    ]
    expect(ruleRequirement(rules[0]!.rule)).toEqual([{ field: 'Image', literal: '\\cmd.exe' }])
    expect(ruleRequirement(rules[1]!.rule)).toBeNull()
    const matcher = createMatcher(rules, MAPPING.mapping)
    expect(matcher.stats()).toEqual({ rules: 2, indexed: 1, always: 1 })
    expect(matcher.match({ Channel: 'Sysmon', Image: 'C:\\CMD.EXE' })).toEqual([rules[0]])
    expect(matcher.match({ Channel: 'Sysmon', Image: 'C:\\x.exe' })).toEqual([rules[1]])
  })
})

// ---------------------------------------------------------------------------------------------
// Every SigmaHQ rule over the OTRF recordings and the SigmaHQ regression events.

const SHARED = fileURLToPath(new URL('../../../../shared/', import.meta.url))
const RULES = join(SHARED, 'sigma/rules')
const OTRF = join(SHARED, 'datasets/otrf')
const REGRESSION = join(SHARED, 'sigma/regression')

const otrfEvents = (): EventRecord[] => {
  const index = JSON.parse(readFileSync(join(OTRF, 'index.json'), 'utf8')) as {
    file: string
    format: string
  }[]
  return index
    .filter((entry) => entry.format === 'ndjson')
    .flatMap((entry) =>
      readFileSync(join(OTRF, entry.file), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => {
          const value = JSON.parse(line) as EventRecord
          return isEvtxDumpEvent(value) ? flattenEvtxDump(value) : value
        }),
    )
}

const regressionEvents = (): EventRecord[] => {
  const entries = JSON.parse(readFileSync(join(REGRESSION, 'index.json'), 'utf8')) as { json: string }[]
  return entries.flatMap((entry) => {
    const { pieces } = splitConcatenatedJson(readFileSync(join(REGRESSION, entry.json), 'utf8'))
    return pieces.flatMap((piece) => {
      const value = JSON.parse(piece.text) as Record<string, unknown>
      return isEvtxDumpEvent(value) ? [flattenEvtxDump(value)] : []
    })
  })
}

describe.skipIf(!existsSync(RULES) || !existsSync(OTRF) || !existsSync(REGRESSION))(
  'createMatcher over every SigmaHQ rule',
  () => {
    it('matches the OTRF and regression events exactly as router + matches do', async () => {
      const { compiled } = await loadRules([RULES])
      const mapping = loadLogsourceMapping()
      if (!mapping.ok) throw new Error(mapping.errors.join('; '))
      const matcher = createMatcher(compiled, mapping.mapping)
      const expected = reference(compiled, createRouter(compiled, mapping.mapping).candidates)
      const events = [...otrfEvents(), ...regressionEvents()]
      let detections = 0
      const differences: string[] = []
      for (const [i, event] of events.entries()) {
        const got = matcher.match(event).map((r) => r.rule.file)
        const want = expected(event).map((r) => r.rule.file)
        detections += want.length
        if (JSON.stringify(got) !== JSON.stringify(want))
          differences.push(`event ${i}: got ${got.join(',')} want ${want.join(',')}`)
      }
      expect(differences).toEqual([])
      expect(events.length).toBeGreaterThan(16_000)
      expect(detections).toBeGreaterThan(300)
    }, 120_000)
  },
)

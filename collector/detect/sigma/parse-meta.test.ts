import { describe, expect, it } from 'vitest'
import { parseSigmaFile } from './parse'
import { parseTimespan } from './parse-meta'

/** A correlation document with `body` as its correlation section (indented two spaces). */
const correlation = (body: string, top = ''): string =>
  `title: Corr\nid: c-1\nname: corr\nlevel: high\n${top}correlation:\n${body}`

describe('parseTimespan', () => {
  it.each<[unknown, number | null]>([
    ['30s', 30_000],
    ['5m', 300_000],
    ['1h', 3_600_000],
    ['2d', 172_800_000],
    ['90m', 5_400_000],
    ['0m', null],
    ['5M', null],
    ['1w', null],
    ['5 m', null],
    ['m', null],
    [300, null],
  ])('%j -> %j', (text, ms) => {
    expect(parseTimespan(text)).toBe(ms)
  })
})

describe('parsing correlation rules', () => {
  it.each<[string, string, Record<string, unknown>]>([
    [
      'event_count',
      '  type: event_count\n  rules: [failed_logon]\n  group-by: [IpAddress]\n  timespan: 5m\n  condition: { gte: 10 }\n',
      {
        type: 'event_count',
        groupBy: ['IpAddress'],
        timespanMs: 300_000,
        condition: { tests: [{ op: 'gte', value: 10 }] },
      },
    ],
    [
      'value_count',
      '  type: value_count\n  rules: [failed_logon]\n  group-by: [IpAddress]\n  timespan: 1h\n  condition: { field: TargetUserName, gt: 3, lte: 200 }\n',
      {
        type: 'value_count',
        condition: {
          field: 'TargetUserName',
          tests: [
            { op: 'gt', value: 3 },
            { op: 'lte', value: 200 },
          ],
        },
      },
    ],
    [
      'temporal',
      '  type: temporal\n  rules: [a, b, c]\n  group-by: [Host]\n  timespan: 30s\n',
      { type: 'temporal', rules: ['a', 'b', 'c'], condition: null, timespanMs: 30_000 },
    ],
    [
      'temporal_ordered',
      '  type: temporal_ordered\n  rules: [a, b]\n  group-by: [User]\n  timespan: 2d\n',
      { type: 'temporal_ordered', rules: ['a', 'b'], timespanMs: 172_800_000 },
    ],
    [
      'value_sum',
      '  type: value_sum\n  rules: [a]\n  group-by: [Host]\n  timespan: 1h\n  condition: { field: Bytes, gte: 1000000 }\n',
      { type: 'value_sum', condition: { field: 'Bytes', tests: [{ op: 'gte', value: 1_000_000 }] } },
    ],
    [
      'value_avg',
      '  type: value_avg\n  rules: [a]\n  timespan: 1h\n  condition: { field: Bytes, neq: 0 }\n',
      { type: 'value_avg', groupBy: [], condition: { field: 'Bytes', tests: [{ op: 'neq', value: 0 }] } },
    ],
    [
      'value_percentile',
      '  type: value_percentile\n  rules: [a]\n  group-by: [Host]\n  timespan: 1h\n  condition: { field: Ms, percentile: 95, gt: 500 }\n',
      {
        type: 'value_percentile',
        condition: { field: 'Ms', percentile: 95, tests: [{ op: 'gt', value: 500 }] },
      },
    ],
    [
      'aliases and generate',
      '  type: temporal\n  rules: [internal_error, new_conn]\n  group-by: [ip]\n  timespan: 10s\n  aliases:\n    ip:\n      internal_error: destination.ip\n      new_conn: source.ip\n',
      {
        aliases: { ip: { internal_error: 'destination.ip', new_conn: 'source.ip' } },
        generate: true,
      },
    ],
  ])('reads %s', (name, body, expected) => {
    const top = name === 'aliases and generate' ? 'generate: true\n' : ''
    const { correlations, problems, rules } = parseSigmaFile(correlation(body, top), 'c.yml')
    expect(problems).toEqual([])
    expect(rules).toEqual([])
    expect(correlations).toHaveLength(1)
    expect(correlations[0]).toMatchObject({
      file: 'c.yml',
      line: 1,
      title: 'Corr',
      id: 'c-1',
      name: 'corr',
      level: 'high',
      generate: false,
      ...expected,
    })
  })

  it('defaults generate to false and reads it inside the correlation section too', () => {
    const body = '  type: temporal\n  rules: [a, b]\n  timespan: 1m\n  generate: true\n'
    expect(parseSigmaFile(correlation(body), 'c.yml').correlations[0]?.generate).toBe(true)
  })

  // Line numbers: title 1, id 2, name 3, level 4, correlation 5, then the section from line 6.
  it.each<[string, string, number, string]>([
    [
      'a missing type',
      '  rules: [a]\n  timespan: 5m\n  condition: { gte: 1 }\n',
      5,
      'correlation.type is missing',
    ],
    ['an unknown type', '  type: near\n  rules: [a]\n  timespan: 5m\n', 6, 'correlation.type must be one of'],
    [
      'missing rules',
      '  type: event_count\n  timespan: 5m\n  condition: { gte: 1 }\n',
      5,
      'correlation.rules is missing',
    ],
    [
      'rules not a list',
      '  type: event_count\n  rules: a\n  timespan: 5m\n  condition: { gte: 1 }\n',
      7,
      'must be a list',
    ],
    [
      'an empty rules list',
      '  type: event_count\n  rules: []\n  timespan: 5m\n  condition: { gte: 1 }\n',
      7,
      'must be a list',
    ],
    ['a rule listed twice', '  type: temporal\n  rules: [a, a]\n  timespan: 5m\n', 7, 'lists a rule twice'],
    [
      'group-by not a list of strings',
      '  type: temporal\n  rules: [a, b]\n  group-by: { a: 1 }\n  timespan: 5m\n',
      8,
      'group-by must be a list',
    ],
    ['a missing timespan', '  type: temporal\n  rules: [a, b]\n', 5, 'correlation.timespan is missing'],
    [
      'a bad timespan',
      '  type: temporal\n  rules: [a, b]\n  timespan: 5 minutes\n',
      8,
      'correlation.timespan must be',
    ],
    [
      'an uppercase unit',
      '  type: temporal\n  rules: [a, b]\n  timespan: 1H\n',
      8,
      'correlation.timespan must be',
    ],
    [
      'event_count without condition',
      '  type: event_count\n  rules: [a]\n  timespan: 5m\n',
      5,
      'condition is missing',
    ],
    [
      'a condition that is not a map',
      '  type: event_count\n  rules: [a]\n  timespan: 5m\n  condition: 10\n',
      9,
      'must be a map',
    ],
    [
      'an unknown criterion',
      '  type: event_count\n  rules: [a]\n  timespan: 5m\n  condition:\n    above: 10\n',
      10,
      'is not a criterion',
    ],
    [
      'a non-numeric criterion',
      '  type: event_count\n  rules: [a]\n  timespan: 5m\n  condition:\n    gte: many\n',
      10,
      'gte must be a number',
    ],
    [
      'value_count without field',
      '  type: value_count\n  rules: [a]\n  timespan: 5m\n  condition: { gte: 2 }\n',
      9,
      'field is missing',
    ],
    [
      'a field on event_count',
      '  type: event_count\n  rules: [a]\n  timespan: 5m\n  condition:\n    gte: 2\n    field: User\n',
      11,
      'field does not apply',
    ],
    [
      'a condition with only a field',
      '  type: value_count\n  rules: [a]\n  timespan: 5m\n  condition: { field: User }\n',
      9,
      'needs a criterion',
    ],
    [
      'value_percentile without percentile',
      '  type: value_percentile\n  rules: [a]\n  timespan: 5m\n  condition: { field: Ms, gt: 1 }\n',
      9,
      'percentile is missing',
    ],
    [
      'a percentile over 100',
      '  type: value_percentile\n  rules: [a]\n  timespan: 5m\n  condition:\n    field: Ms\n    percentile: 101\n    gt: 1\n',
      11,
      'from 0 to 100',
    ],
    [
      'a percentile on value_avg',
      '  type: value_avg\n  rules: [a]\n  timespan: 5m\n  condition:\n    field: Ms\n    percentile: 50\n    gt: 1\n',
      11,
      'only applies to value_percentile',
    ],
    [
      'aliases not a map',
      '  type: temporal\n  rules: [a, b]\n  timespan: 5m\n  aliases: [x]\n',
      9,
      'aliases must be a map',
    ],
    [
      'an alias naming an unlisted rule',
      '  type: temporal\n  rules: [a, b]\n  timespan: 5m\n  aliases:\n    ip:\n      c: src\n',
      10,
      'names c, not in correlation.rules',
    ],
    [
      'an alias mapping to a non-string',
      '  type: temporal\n  rules: [a, b]\n  timespan: 5m\n  aliases:\n    ip:\n      a: [src]\n',
      10,
      'must map rule names to field names',
    ],
    [
      'an unknown attribute',
      '  type: temporal\n  rules: [a, b]\n  timespan: 5m\n  window: 5m\n',
      9,
      'correlation.window is not a correlation attribute',
    ],
    [
      'a non-boolean generate',
      '  type: temporal\n  rules: [a, b]\n  timespan: 5m\n  generate: yes please\n',
      9,
      'generate must be true or false',
    ],
    ['a correlation that is not a map', '  - type: temporal\n', 5, 'correlation must be a map'],
  ])('reports %s with its line', (_name, body, line, reason) => {
    const { correlations, problems } = parseSigmaFile(correlation(body), 'bad.yml')
    expect(correlations).toEqual([])
    expect(problems.length).toBeGreaterThan(0)
    expect(problems[0]).toMatchObject({ kind: 'invalid', file: 'bad.yml', line })
    expect(problems[0]!.reason).toContain(reason)
  })

  it('reports every problem of a correlation, not only the first', () => {
    const body = '  type: nope\n  rules: []\n  timespan: forever\n'
    const { problems } = parseSigmaFile(correlation(body), 'bad.yml')
    expect(problems.map((p) => p.line)).toEqual([6, 7, 8])
  })

  it('checks the metadata of correlations as of rules', () => {
    const text = 'title: c\nlevel: severe\ncorrelation: { type: temporal, rules: [a, b], timespan: 5m }\n'
    expect(parseSigmaFile(text, 'bad.yml').problems).toEqual([
      {
        kind: 'invalid',
        file: 'bad.yml',
        line: 2,
        reason: expect.stringContaining('level must be') as string,
      },
    ])
    expect(parseSigmaFile('correlation: { type: temporal }\n', 'bad.yml').problems[0]?.reason).toBe(
      'no title',
    )
  })
})

describe('parsing filters', () => {
  const FILTER = `title: Admins
id: f-1
logsource:
  product: windows
  category: process_creation
filter:
  rules:
    - rule-1
    - rule_two
  selection:
    User|startswith: adm_
  condition: selection
`
  it('reads a filter', () => {
    const { filters, problems, rules } = parseSigmaFile(FILTER, 'f.yml')
    expect(problems).toEqual([])
    expect(rules).toEqual([])
    expect(filters).toEqual([
      {
        file: 'f.yml',
        line: 1,
        title: 'Admins',
        id: 'f-1',
        logsource: { product: 'windows', category: 'process_creation' },
        rules: ['rule-1', 'rule_two'],
        detection: { selection: { 'User|startswith': 'adm_' } },
        conditions: ['selection'],
        lines: { rules: 7, selection: 10, condition: 12 },
      },
    ])
  })

  it.each<[string, string, number, string]>([
    ['no logsource', 'title: f\nfilter: { rules: [a], s: { A: 1 }, condition: s }\n', 1, 'needs a logsource'],
    [
      'no rules',
      'title: f\nlogsource: {}\nfilter:\n  s: { A: 1 }\n  condition: s\n',
      3,
      'filter.rules is missing',
    ],
    [
      'empty rules',
      'title: f\nlogsource: {}\nfilter:\n  rules: []\n  s: { A: 1 }\n  condition: s\n',
      4,
      'must be a list',
    ],
    [
      'no condition',
      'title: f\nlogsource: {}\nfilter:\n  rules: [a]\n  s: { A: 1 }\n',
      3,
      'filter.condition is missing',
    ],
    [
      'no selection',
      'title: f\nlogsource: {}\nfilter:\n  rules: [a]\n  condition: s\n',
      3,
      'no search identifier',
    ],
    ['a filter that is not a map', 'title: f\nlogsource: {}\nfilter: [a]\n', 3, 'filter must be a map'],
    ['no title', 'logsource: {}\nfilter: { rules: [a], s: { A: 1 }, condition: s }\n', 1, 'no title'],
  ])('reports %s with its line', (_name, text, line, reason) => {
    const { filters, problems } = parseSigmaFile(text, 'bad.yml')
    expect(filters).toEqual([])
    expect(problems[0]).toMatchObject({ kind: 'invalid', file: 'bad.yml', line })
    expect(problems[0]!.reason).toContain(reason)
  })
})

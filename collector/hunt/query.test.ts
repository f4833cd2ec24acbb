import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileQuery, Params } from './compile'
import { parseQuery, QuerySyntaxError, type QueryNode } from './query'
import { parseTimeBound } from './time'
import { toSigma } from './to-sigma'

const term = (field: string | null, value: string, extra: Partial<QueryNode> = {}): QueryNode =>
  ({ type: 'term', field, value, wildcard: false, pattern: [value], phrase: false, ...extra }) as QueryNode

describe('parseQuery', () => {
  it.each<[string, QueryNode]>([
    ['', { type: 'all' }],
    ['   ', { type: 'all' }],
    ['host:ws01', term('host', 'ws01')],
    ['mimikatz', term(null, 'mimikatz')],
    ['"Invoke-Mimikatz -Dump"', term(null, 'Invoke-Mimikatz -Dump', { phrase: true })],
    ['CommandLine:"a \\"b\\" c"', term('CommandLine', 'a "b" c', { phrase: true })],
    ['Image:C:\\Windows\\cmd.exe', term('Image', 'C:\\Windows\\cmd.exe')],
    ['10.0.0.1:443', term(null, '10.0.0.1:443')],
    [
      'Image:*\\powershell.exe',
      term('Image', '*\\powershell.exe', { wildcard: true, pattern: [{ wild: '*' }, '\\powershell.exe'] }),
    ],
    ['user:a\\*b', term('user', 'a*b', { pattern: ['a*b'] })],
    ['host:ws0?', term('host', 'ws0?', { wildcard: true, pattern: ['ws0', { wild: '?' }] })],
    ['a b', { type: 'and', children: [term(null, 'a'), term(null, 'b')] }],
    ['a AND b', { type: 'and', children: [term(null, 'a'), term(null, 'b')] }],
    [
      'a && b || c',
      {
        type: 'or',
        children: [{ type: 'and', children: [term(null, 'a'), term(null, 'b')] }, term(null, 'c')],
      },
    ],
    [
      'a OR b AND c',
      {
        type: 'or',
        children: [term(null, 'a'), { type: 'and', children: [term(null, 'b'), term(null, 'c')] }],
      },
    ],
    [
      '(a OR b) c',
      {
        type: 'and',
        children: [{ type: 'or', children: [term(null, 'a'), term(null, 'b')] }, term(null, 'c')],
      },
    ],
    ['NOT a', { type: 'not', child: term(null, 'a') }],
    ['NOT NOT a', { type: 'not', child: { type: 'not', child: term(null, 'a') } }],
    ['NOT"x"', { type: 'not', child: term(null, 'x', { phrase: true }) }],
    ['and or', { type: 'and', children: [term(null, 'and'), term(null, 'or')] }],
    ['ANDROID', term(null, 'ANDROID')],
    ['user:(alice OR bob)', { type: 'or', children: [term('user', 'alice'), term('user', 'bob')] }],
    [
      'dst_port:[1 TO 1024]',
      { type: 'range', field: 'dst_port', lo: '1', hi: '1024', loInclusive: true, hiInclusive: true },
    ],
    [
      'dst_port:{1 TO *]',
      { type: 'range', field: 'dst_port', lo: '1', hi: null, loInclusive: false, hiInclusive: true },
    ],
    [
      'ts:["2026-11-01" TO now}',
      { type: 'range', field: 'ts', lo: '2026-11-01', hi: 'now', loInclusive: true, hiInclusive: false },
    ],
    [
      'EventID:>=4624',
      { type: 'range', field: 'EventID', lo: '4624', hi: null, loInclusive: true, hiInclusive: false },
    ],
    [
      'EventID:<5',
      { type: 'range', field: 'EventID', lo: null, hi: '5', loInclusive: false, hiInclusive: false },
    ],
    ['_exists_:CommandLine', { type: 'exists', field: 'CommandLine' }],
    ['CommandLine:*', { type: 'exists', field: 'CommandLine' }],
    ['winlog.event_data.TargetUserName:bob', term('winlog.event_data.TargetUserName', 'bob')],
  ])('%s', (text, expected) => {
    expect(parseQuery(text)).toEqual(expected)
  })

  it.each<[string, number, string]>([
    ['host:', 5, 'expected a value after "host:"'],
    ['host:ws01 AND user:', 19, 'expected a value after "user:"'],
    ['host: ws01', 5, 'expected a value after "host:"'],
    ['a AND', 5, 'expected a term after "AND"'],
    ['a OR', 4, 'expected a term after "OR"'],
    ['NOT', 3, 'expected a term after "NOT"'],
    ['a AND OR b', 6, 'expected a term after "AND", not OR'],
    ['(a OR b', 7, 'expected ")" to close the "(" at position 0'],
    ['a)', 1, 'unexpected ")" without a matching "("'],
    ['()', 1, 'expected a term inside "( )"'],
    ['"open', 5, 'expected a closing quote for the phrase opened at position 0'],
    ['x:[1 2]', 5, 'expected "TO" between the range bounds'],
    ['x:[1 TO 2', 9, 'expected "]" or "}" to close the range opened at position 2'],
    ['x:[ TO 2]', 4, 'expected a lower bound after "x:["'],
    ['x:>=', 4, 'expected a value after "x:>="'],
    ['user:(', 6, 'expected a value after "user:("'],
    ['user:()', 6, 'expected a value inside "user:( )"'],
    ['_exists_:"a b"', 14, 'expected a field name after "_exists_:"'],
    ['host:a"b', 6, 'expected whitespace before a quote (or escape it as \\")'],
  ])('%s -> position %i', (text, position, expected) => {
    let error: unknown
    try {
      parseQuery(text)
    } catch (e) {
      error = e
    }
    expect(error).toBeInstanceOf(QuerySyntaxError)
    expect(error).toMatchObject({ position, expected })
    expect((error as Error).message).toBe(`position ${position}: ${expected}`)
  })
})

describe('compileQuery', () => {
  const compile = (text: string): { sql: string; values: unknown[] } => {
    const params = new Params()
    const sql = compileQuery(parseQuery(text), params)
    return { sql, values: params.values }
  }

  it('maps known names to hot columns and the rest to JSON paths, values always as parameters', () => {
    expect(compile('Image:*\\powershell.exe')).toEqual({
      sql: "process ILIKE $1 ESCAPE '\\'",
      values: ['%\\\\powershell.exe'],
    })
    expect(compile('host:WS01')).toEqual({ sql: 'lower(host) = $1', values: ['ws01'] })
    expect(compile('dst_port:443')).toEqual({ sql: 'dst_port = $1', values: [443] })
    expect(compile('dst_port:https')).toEqual({ sql: 'FALSE', values: [] })
    expect(compile('TargetUserName:bob')).toEqual({
      sql: 'lower(json_extract_string(fields, $1)) = $2',
      values: ['$."TargetUserName"', 'bob'],
    })
    expect(compile('a.b:1')).toEqual({
      sql: 'lower(coalesce(json_extract_string(fields, $1), json_extract_string(fields, $2))) = $3',
      values: ['$."a.b"', '$."a"."b"', '1'],
    })
    expect(compile('NOT user:bob').sql).toBe('((lower(user_name) = $1) IS NOT TRUE)')
    expect(compile('_exists_:x').sql).toBe('json_extract(fields, $1) IS NOT NULL')
    expect(compile('EventID:[4624 TO 4625]')).toEqual({
      sql: '(TRY_CAST(event_code AS DOUBLE) >= $1 AND TRY_CAST(event_code AS DOUBLE) <= $2)',
      values: [4624, 4625],
    })
    expect(compile('name:{a TO m}').values).toEqual(['$."name"', 'a', 'm'])
    expect(compile('50%_off').values).toEqual(['%50\\%\\_off%'])
  })

  it('takes times for the timestamp', () => {
    expect(compile('timestamp:2026-11-21').values).toEqual([
      BigInt(Date.parse('2026-11-21T00:00:00Z')) * 1000n,
      BigInt(Date.parse('2026-11-22T00:00:00Z')) * 1000n,
    ])
    expect(() => compile('timestamp:>yesterday')).toThrow(QuerySyntaxError)
  })

  it('never puts user text into the SQL', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30 }), (value) => {
        const quoted = `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`
        for (const text of [`message:${quoted}`, quoted, `x:${quoted}`]) {
          const { sql } = compile(text)
          expect(sql).not.toContain(value.length > 2 ? value : '\u0000')
        }
      }),
      { numRuns: 300 },
    )
  })
})

/** Queries built from the grammar: every one parses and compiles. */
const validQuery: fc.Arbitrary<string> = fc.letrec<{ q: string }>((tie) => ({
  q: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom(
      'host:ws01',
      'mimikatz',
      '"a phrase"',
      'Image:*\\cmd.exe',
      'EventID:>=4624',
      'dst_port:[1 TO 1024]',
      '_exists_:User',
      'user:(a OR b)',
      'x.y:z?',
      'C:\\Temp\\x',
    ),
    fc
      .tuple(tie('q'), fc.constantFrom(' AND ', ' OR ', ' ', ' && '), tie('q'))
      .map(([a, op, b]) => `${a}${op}${b}`),
    tie('q').map((q) => `NOT ${q}`),
    tie('q').map((q) => `(${q})`),
  ),
})).q

describe('property tests', () => {
  it('random valid queries never throw', () => {
    fc.assert(
      fc.property(validQuery, (text) => {
        compileQuery(parseQuery(text), new Params())
      }),
      { numRuns: 500 },
    )
  })

  it('random strings either parse or give a positioned error', () => {
    const alphabet = fc.constantFrom(...'ab:()"[]{}*?\\ ANDORTNO><=_-.1'.split(''))
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 40 }).map((chars) => chars.join('')),
        (text) => {
          try {
            parseQuery(text)
          } catch (error) {
            expect(error).toBeInstanceOf(QuerySyntaxError)
            const position = (error as QuerySyntaxError).position
            expect(position).toBeGreaterThanOrEqual(0)
            expect(position).toBeLessThanOrEqual(text.length)
          }
        },
      ),
      { numRuns: 3000 },
    )
  })
})

describe('parseTimeBound', () => {
  const now = Date.parse('2026-11-22T12:00:00Z')
  it.each<[string, number | null]>([
    ['now', now],
    ['-15m', now - 900_000],
    ['now-24h', now - 86_400_000],
    ['-7d', now - 7 * 86_400_000],
    ['2026-11-21T09:00:00Z', Date.parse('2026-11-21T09:00:00Z')],
    ['2026-11-21', Date.parse('2026-11-21T00:00:00Z')],
    ['yesterday', null],
    ['-5y', null],
    ['2026-13-45', null],
  ])('%s', (text, expected) => expect(parseTimeBound(text, now)).toBe(expected))
})

describe('toSigma', () => {
  it('drafts selections with modifiers, filters for NOT, one selection per OR branch', () => {
    const { yaml, warnings } = toSigma(
      parseQuery('EventID:4625 OR (Image:*\\net.exe AND CommandLine:*user* AND NOT User:SYSTEM)'),
      't',
    )
    expect(yaml).toContain('selection_1:\n    EventID: 4625')
    expect(yaml).toContain('Image|endswith: \\net.exe')
    expect(yaml).toContain('CommandLine|contains: user')
    expect(yaml).toContain('filter_2:\n    User: SYSTEM')
    expect(yaml).toContain('condition: selection_1 or (selection_2 and not filter_2)')
    expect(warnings).toEqual([])
  })

  it('says what it cannot express', () => {
    const { warnings } = toSigma(parseQuery('a AND (b OR host:x)'), 't')
    expect(warnings.join(' ')).toMatch(/cannot express/)
    expect(toSigma(parseQuery('mimikatz'), 't').yaml).toContain('keywords:\n    - mimikatz')
  })
})

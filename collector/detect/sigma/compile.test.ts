import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { compileSearch, fieldReader, loadSigmaFile, type EventRecord } from './compile'
import { SigmaCompileError } from './modifiers'

const search = (detection: Record<string, unknown> | unknown[] | string, event: EventRecord): boolean =>
  compileSearch(detection)(event)

/** Escapes text so Sigma reads it back literally. */
const escape = (text: string): string => text.replace(/[*?\\]/g, '\\$&')

describe('field values', () => {
  it.each<[string, Record<string, unknown>, EventRecord, boolean]>([
    ['equality ignores case', { Image: 'C:\\Windows\\cmd.exe' }, { Image: 'c:\\windows\\CMD.EXE' }, true],
    ['equality is whole', { Image: 'cmd.exe' }, { Image: 'C:\\cmd.exe' }, false],
    ['a list is OR', { Image: ['a.exe', 'b.exe'] }, { Image: 'B.EXE' }, true],
    ['a map is AND', { Image: 'a.exe', User: 'x' }, { Image: 'a.exe', User: 'y' }, false],
    ['* spans anything', { Image: 'a*c' }, { Image: 'ab\nbc' }, true],
    ['? is one character', { Image: 'a?c' }, { Image: 'abc' }, true],
    ['? is exactly one', { Image: 'a?c' }, { Image: 'ac' }, false],
    ['\\* is a literal star', { Image: 'a\\*c' }, { Image: 'a*c' }, true],
    ['\\* is not a wildcard', { Image: 'a\\*c' }, { Image: 'abc' }, false],
    ['\\? is a literal question mark', { Image: 'a\\?' }, { Image: 'ab' }, false],
    ['\\\\ is one backslash before a wildcard', { Image: 'a\\\\*' }, { Image: 'a\\xyz' }, true],
    ['other backslashes are literal', { Image: 'C:\\Windows\\' }, { Image: 'c:\\windows\\' }, true],
    ['regex characters are literal', { Image: 'a.b(c)' }, { Image: 'aXb(c)' }, false],
    ['cased', { 'Image|cased': 'Cmd.exe' }, { Image: 'cmd.exe' }, false],
    ['cased exact', { 'Image|cased': 'Cmd.exe' }, { Image: 'Cmd.exe' }, true],
    ['contains', { 'CommandLine|contains': 'WHOAMI' }, { CommandLine: 'cmd /c whoami /all' }, true],
    ['contains keeps wildcards', { 'CommandLine|contains': 'a*z' }, { CommandLine: 'xx a-to-z yy' }, true],
    ['startswith', { 'CommandLine|startswith': 'cmd' }, { CommandLine: 'xcmd' }, false],
    ['endswith', { 'Image|endswith': '\\cmd.exe' }, { Image: 'C:\\Windows\\System32\\CMD.exe' }, true],
    ['contains|all needs every value', { 'C|contains|all': ['a', 'b'] }, { C: 'xax' }, false],
    ['contains|all', { 'C|contains|all': ['a', 'b'] }, { C: 'xbxa' }, true],
    ['contains|cased', { 'C|contains|cased': 'Ab' }, { C: 'xaBx' }, false],
    ['numbers equal numbers', { EventID: 4688 }, { EventID: 4688 }, true],
    ['numbers equal numeric text', { EventID: 4688 }, { EventID: '4688' }, true],
    ['text equals numbers', { EventID: '4688' }, { EventID: 4688 }, true],
    ['a missing field never equals', { Image: 'a' }, {}, false],
    ['null means absent', { Image: null }, {}, true],
    ['null means empty', { Image: null }, { Image: '' }, true],
    ['null is not a value', { Image: null }, { Image: 'a' }, false],
    ['an array field matches by element', { Tag: 'b' }, { Tag: ['a', 'B'] }, true],
    ['booleans', { Enabled: true }, { Enabled: 'True' }, true],
    ['empty string', { Image: '' }, { Image: '' }, true],
    ['empty string finds an empty element', { Image: '' }, { Image: null }, true],
    ['empty string needs the field', { Image: '' }, {}, false],
    ['empty string is not a value', { Image: '' }, { Image: 'a' }, false],
  ])('%s', (_name, detection, event, expected) => {
    expect(search(detection, event)).toBe(expected)
  })
})

describe('modifiers', () => {
  const dashes = [' -enc ', ' /enc ', ' \u2013enc ', ' \u2014enc ', ' \u2015enc ']
  it.each(dashes)('windash matches %j', (variant) => {
    expect(search({ 'CommandLine|contains|windash': ' -enc ' }, { CommandLine: `ps${variant}AAA` })).toBe(
      true,
    )
  })
  it('windash varies each option dash on its own', () => {
    const detection = { 'C|windash': '-a -b' }
    expect(search(detection, { C: '/a \u2013b' })).toBe(true)
    expect(search(detection, { C: '-a /b' })).toBe(true)
    expect(search(detection, { C: '-a +b' })).toBe(false)
  })
  it('windash leaves dashes inside words alone', () => {
    expect(search({ 'C|windash': 'a-b' }, { C: 'a/b' })).toBe(false)
  })

  it.each<[string, Record<string, unknown>, EventRecord, boolean]>([
    ['base64', { 'D|base64': 'abc' }, { D: 'YWJj' }, true],
    ['base64|contains', { 'D|base64|contains': 'abc' }, { D: 'xxYWJjxx' }, true],
    ['base64offset at 0', { 'D|base64offset|contains': 'http://' }, { D: b64('http://x') }, true],
    ['base64offset at 1', { 'D|base64offset|contains': 'http://' }, { D: b64('ahttp://x') }, true],
    ['base64offset at 2', { 'D|base64offset|contains': 'http://' }, { D: b64('abhttp://x') }, true],
    ['base64offset no', { 'D|base64offset|contains': 'http://' }, { D: b64('abhttq://x') }, false],
    ['wide base64', { 'D|wide|base64': 'ab' }, { D: Buffer.from('ab', 'utf16le').toString('base64') }, true],
    ['utf16le base64', { 'D|utf16le|base64': 'ab' }, { D: 'YQBiAA==' }, true],
    ['utf16be base64', { 'D|utf16be|base64': 'ab' }, { D: 'AGEAYg==' }, true],
    ['utf16 base64 has a BOM', { 'D|utf16|base64': 'ab' }, { D: '//5hAGIA' }, true],
    [
      'wide|base64offset|contains',
      { 'D|wide|base64offset|contains': 'ping' },
      { D: Buffer.from('x ping -n', 'utf16le').toString('base64') },
      true,
    ],
    ['re searches', { 'C|re': 'who?ami' }, { C: 'run whoami now' }, true],
    ['re is cased by default', { 'C|re': 'WHOAMI' }, { C: 'whoami' }, false],
    ['re|i', { 'C|re|i': 'WHOAMI' }, { C: 'whoami' }, true],
    ['re|m', { 'C|re|m': '^b$' }, { C: 'a\nb\nc' }, true],
    ['re without m', { 'C|re': '^b$' }, { C: 'a\nb\nc' }, false],
    ['re|s', { 'C|re|s': 'a.b' }, { C: 'a\nb' }, true],
    ['re without s', { 'C|re': 'a.b' }, { C: 'a\nb' }, false],
    ['re inline (?i)', { 'C|re': '(?i)WHOAMI' }, { C: 'whoami' }, true],
    [
      're \\A is a literal backslash and A',
      { 'C|re': '\\\\AppData\\\\' },
      { C: 'c:\\users\\x\\AppData\\' },
      true,
    ],
    ['re \\A anchors', { 'C|re': '\\Aab\\Z' }, { C: 'ab' }, true],
    ['re \\A anchors at the start', { 'C|re': '\\Aab' }, { C: 'xab' }, false],
    ['re {,n}', { 'C|re': '^a{,2}$' }, { C: 'aa' }, true],
    ['re {,n} bound', { 'C|re': '^a{,2}$' }, { C: 'aaa' }, false],
    ['re (?P<name>)', { 'C|re': '(?P<x>a)b' }, { C: 'ab' }, true],
    ['re keeps backslashes', { 'C|re': '\\\\temp\\\\[a-z]+\\.exe' }, { C: 'c:\\temp\\x.exe' }, true],
    ['lt', { 'N|lt': 5 }, { N: 4 }, true],
    ['lt edge', { 'N|lt': 5 }, { N: 5 }, false],
    ['lte', { 'N|lte': 5 }, { N: '5' }, true],
    ['gt', { 'N|gt': 5 }, { N: 6 }, true],
    ['gte', { 'N|gte': 5 }, { N: 4 }, false],
    ['gt on text', { 'N|gt': 5 }, { N: 'abc' }, false],
    ['hour', { 'T|hour': 3 }, { T: '2024-05-06T03:04:05Z' }, true],
    ['minute', { 'T|minute': 4 }, { T: '2024-05-06T03:04:05Z' }, true],
    ['day', { 'T|day': 6 }, { T: '2024-05-06T03:04:05Z' }, true],
    ['month', { 'T|month': 5 }, { T: '2024-05-06T03:04:05Z' }, true],
    ['year', { 'T|year': 2024 }, { T: '2024-05-06T03:04:05Z' }, true],
    ['week', { 'T|week': 1 }, { T: '2024-01-04T00:00:00Z' }, true],
    ['hour|gte', { 'T|hour|gte': 22 }, { T: '2024-05-06T23:00:00Z' }, true],
    ['cidr v4', { 'Ip|cidr': '10.0.0.0/8' }, { Ip: '10.200.3.4' }, true],
    ['cidr v4 outside', { 'Ip|cidr': '10.0.0.0/8' }, { Ip: '11.0.0.1' }, false],
    ['cidr v4 list', { 'Ip|cidr': ['192.168.0.0/16', '172.16.0.0/12'] }, { Ip: '172.31.255.255' }, true],
    ['cidr /0', { 'Ip|cidr': '0.0.0.0/0' }, { Ip: '8.8.8.8' }, true],
    ['cidr v6', { 'Ip|cidr': 'fe80::/10' }, { Ip: 'FE80::1%12' }, true],
    ['cidr v6 outside', { 'Ip|cidr': 'fe80::/10' }, { Ip: '2001:db8::1' }, false],
    ['cidr v6 loopback', { 'Ip|cidr': '::1/128' }, { Ip: '0:0:0:0:0:0:0:1' }, true],
    ['cidr v6 vs v4 text', { 'Ip|cidr': '::/0' }, { Ip: '1.2.3.4' }, false],
    ['exists', { 'F|exists': true }, { F: '' }, true],
    ['exists false', { 'F|exists': false }, { F: 'x' }, false],
    ['exists false on absent', { 'F|exists': false }, {}, true],
    ['neq', { 'F|neq': 'a' }, { F: 'b' }, true],
    ['neq equal', { 'F|neq': 'a' }, { F: 'A' }, false],
    ['neq differs from every value', { 'F|neq': ['a', 'b'] }, { F: 'b' }, false],
    ['neq needs the field', { 'F|neq': 'a' }, {}, false],
    ['fieldref', { 'A|fieldref': 'B' }, { A: 'X', B: 'x' }, true],
    ['fieldref differs', { 'A|fieldref': 'B' }, { A: 'x', B: 'y' }, false],
    ['fieldref missing', { 'A|fieldref': 'B' }, { A: 'x' }, false],
    ['fieldref|contains', { 'A|fieldref|contains': 'B' }, { A: 'xyz', B: 'Y' }, true],
  ])('%s', (_name, detection, event, expected) => {
    expect(search(detection, event)).toBe(expected)
  })

  it.each<[Record<string, unknown>, string, boolean]>([
    [{ 'F|expand': '%x%' }, 'placeholder', true],
    [{ 'F|nosuch': 'a' }, 'unknown modifier', false],
    [{ 'F|i': 'a' }, 'only applies after |re', false],
    [{ 'F|re': '(' }, 'invalid regex', false],
    [{ 'F|cidr': '10.0.0.0/33' }, 'bad CIDR', false],
    [{ 'F|exists': 'yes' }, 'true or false', false],
    [{ 'F|lt': 'x' }, 'needs a number', false],
    [{ 'F|re|contains': 'a' }, 'cannot follow', false],
    [{ F: [] }, 'empty list', false],
  ])('rejects %j', (detection, reason, unsupported) => {
    expect(() => compileSearch(detection)).toThrow(SigmaCompileError)
    expect(() => compileSearch(detection)).toThrow(expect.objectContaining({ unsupported }))
    expect(() => compileSearch(detection)).toThrow(reason)
  })
})

function b64(text: string): string {
  return Buffer.from(text).toString('base64')
}

describe('|expand with placeholders', () => {
  const placeholders = { known_cdcs: ['dc1', 'dc2*'], admins: ['root'] }
  it.each<[Record<string, unknown>, EventRecord, boolean]>([
    [{ 'A|expand': '%admins%' }, { A: 'ROOT' }, true],
    [{ 'A|contains|expand': '%known_cdcs%' }, { A: 'x cdc: DC1 y' }, true],
    [{ 'A|contains|expand': '%known_cdcs%' }, { A: 'x cdc: dc2-backup' }, true],
    [{ 'A|contains|expand': '%known_cdcs%' }, { A: 'x cdc: dc3' }, false],
    [{ 'A|expand': 'user-%admins%@%known_cdcs%' }, { A: 'user-root@dc1' }, true],
    [{ 'A|expand': '\\%admins%' }, { A: '%admins%' }, true],
    [{ A: '%admins%' }, { A: '%admins%' }, true],
  ])('%j on %j', (detection, event, expected) => {
    expect(compileSearch(detection, { placeholders })(event)).toBe(expected)
  })
  it('reports a placeholder that is not configured as unsupported', () => {
    expect(() => compileSearch({ 'A|expand': '%nope%' }, { placeholders })).toThrow(
      expect.objectContaining({ unsupported: true, reason: 'placeholder %nope% is not configured' }),
    )
  })
})

describe('keywords', () => {
  it.each<[string[] | string | Record<string, unknown>, EventRecord, boolean]>([
    [['mimikatz'], { Message: 'ran MimiKatz.exe' }, true],
    [['a', 'zzz'], { Message: 'xyz' }, false],
    [['a', 'zzz'], { Message: 'xyz', Other: 'abc' }, true],
    ['sekurlsa::*', { Message: 'x sekurlsa::logonpasswords' }, true],
    [{ '|all': ['foo', 'bar'] }, { A: 'foo', B: 'bar' }, true],
    [{ '|all': ['foo', 'bar'] }, { A: 'foo' }, false],
    [['42'], { Port: 4242 }, true],
    [['deep'], { nested: { list: ['a', 'deep one'] } }, true],
  ])('%j in %j', (keywords, event, expected) => {
    expect(search(keywords, event)).toBe(expected)
  })
})

describe('field lookup', () => {
  it('reads the exact key first, then the dotted path', () => {
    expect(fieldReader('a.b')({ 'a.b': 1, a: { b: 2 } })).toBe(1)
    expect(fieldReader('a.b')({ a: { b: 2 } })).toBe(2)
    expect(fieldReader('a.b.c')({ a: { b: 'x' } })).toBeUndefined()
    expect(search({ 'process.name': 'x' }, { process: { name: 'X' } })).toBe(true)
  })
})

describe('conditions over search identifiers', () => {
  const rule = (condition: string, extra = ''): string => `title: t
id: r1
logsource: { product: windows }
detection:
  sel_a: { A: 'a' }
  sel_b: { B: 'b' }
  _helper: { H: 'h' }
${extra}  condition: ${condition}
`
  const run = (condition: string, event: EventRecord): boolean => {
    const { compiled, problems } = loadSigmaFile(rule(condition), 'r.yml')
    expect(problems).toEqual([])
    return compiled[0]!.matches(event)
  }
  it.each<[string, EventRecord, boolean]>([
    ['sel_a and sel_b', { A: 'a', B: 'b' }, true],
    ['sel_a and not sel_b', { A: 'a', B: 'b' }, false],
    ['1 of sel_*', { B: 'b' }, true],
    ['all of sel_*', { B: 'b' }, false],
    ['all of them', { A: 'a', B: 'b' }, true],
    ['1 of them', { H: 'h' }, false],
    ['1 of _*', { H: 'h' }, true],
    ['not (sel_a or sel_b)', {}, true],
  ])('%s on %j', (condition, event, expected) => {
    expect(run(condition, event)).toBe(expected)
  })

  it('ORs a list of conditions', () => {
    const { compiled } = loadSigmaFile(rule('\n    - sel_a\n    - sel_b'), 'r.yml')
    expect(compiled[0]!.matches({ B: 'b' })).toBe(true)
  })

  it('reports an unknown identifier and a bad condition at the condition line', () => {
    expect(loadSigmaFile(rule('sel_c'), 'r.yml').problems).toEqual([
      {
        kind: 'invalid',
        file: 'r.yml',
        line: 8,
        reason: "the condition names 'sel_c', which is not defined",
      },
    ])
    expect(loadSigmaFile(rule('sel_a and'), 'r.yml').problems[0]).toMatchObject({
      line: 8,
      reason: expect.stringContaining('column 10') as string,
    })
    expect(loadSigmaFile(rule('1 of x*'), 'r.yml').problems[0]?.reason).toContain(
      'matches no search identifier',
    )
  })

  it('reports a bad search identifier at its own line', () => {
    expect(loadSigmaFile(rule('sel_a', "  sel_x: { 'F|bogus': 1 }\n"), 'r.yml').problems).toEqual([
      { kind: 'invalid', file: 'r.yml', line: 8, reason: 'F|bogus: unknown modifier |bogus' },
    ])
  })
})

describe('properties', () => {
  const ascii = fc.string({ maxLength: 12 })

  it('contains is includes on lowercase', () => {
    fc.assert(
      fc.property(ascii, ascii, (needle, hay) => {
        const expected = hay.toLowerCase().includes(needle.toLowerCase())
        expect(search({ 'F|contains': escape(needle) }, { F: hay })).toBe(expected)
      }),
    )
  })

  it('startswith and endswith are their string methods on lowercase', () => {
    fc.assert(
      fc.property(ascii, ascii, (needle, hay) => {
        const [n, h] = [needle.toLowerCase(), hay.toLowerCase()]
        expect(search({ 'F|startswith': escape(needle) }, { F: hay })).toBe(h.startsWith(n))
        expect(search({ 'F|endswith': escape(needle) }, { F: hay })).toBe(h.endsWith(n))
      }),
    )
  })

  it('cased equality is ===', () => {
    fc.assert(
      fc.property(ascii, ascii, (a, b) => {
        expect(search({ 'F|cased': escape(a) }, { F: b })).toBe(a === b)
      }),
    )
  })

  // Patterns as parts (literal text, `*`, `?`), written in Sigma syntax and as a reference regex.
  const part = fc.oneof(
    fc.constantFrom('*', '?'),
    fc
      .string({ minLength: 1, maxLength: 3, unit: fc.constantFrom('a', 'B', '\\', '*', '.', '?') })
      .map((s) => ({ literal: s })),
  )
  it('wildcards agree with a reference regex', () => {
    fc.assert(
      fc.property(
        fc.array(part, { maxLength: 5 }),
        fc.string({ maxLength: 8, unit: fc.constantFrom('a', 'b', 'B', '\\', '*', '.', '?', '\n') }),
        (parts, hay) => {
          const sigma = parts.map((p) => (typeof p === 'string' ? p : escape(p.literal))).join('')
          const reference = new RegExp(
            '^' +
              parts
                .map((p) =>
                  p === '*'
                    ? '[\\s\\S]*'
                    : p === '?'
                      ? '[\\s\\S]'
                      : p.literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
                )
                .join('') +
              '$',
            'i',
          )
          expect(search({ F: sigma }, { F: hay })).toBe(reference.test(hay))
        },
      ),
    )
  })

  it('base64offset finds the value at any offset in a base64 text', () => {
    fc.assert(
      fc.property(ascii, fc.string({ minLength: 1, maxLength: 12 }), ascii, (before, value, after) => {
        const encoded = b64(before + value + after)
        expect(search({ 'D|base64offset|contains': escape(value) }, { D: encoded })).toBe(true)
      }),
    )
  })

  it('cidr v4 agrees with shifted integers', () => {
    const ip = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255))
    fc.assert(
      fc.property(ip, ip, fc.integer({ min: 0, max: 32 }), (net, addr, prefix) => {
        const n = (q: number[]): number => q.reduce((acc, octet) => acc * 256 + octet, 0)
        const shift = 2 ** (32 - prefix)
        const expected = Math.floor(n(net) / shift) === Math.floor(n(addr) / shift)
        expect(search({ 'Ip|cidr': `${net.join('.')}/${prefix}` }, { Ip: addr.join('.') })).toBe(expected)
      }),
    )
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { detectAndParse } from './auto'
import { parseCef } from './cef'
import { parseJson } from './json'
import { parseKv } from './kv'
import { parseLeef } from './leef'
import { parseRfc3164 } from './rfc3164'
import { parseRfc5424 } from './rfc5424'
import type { ParseResult } from './types'

const OPTIONS = { now: Date.parse('2026-11-22T00:00:00Z') }
const PARSERS: ReadonlyArray<[string, (line: string) => ParseResult]> = [
  ['rfc5424', parseRfc5424],
  ['rfc3164', (line) => parseRfc3164(line, OPTIONS)],
  ['cef', (line) => parseCef(line, OPTIONS)],
  ['leef', (line) => parseLeef(line, OPTIONS)],
  ['json', parseJson],
  ['kv', parseKv],
  ['auto', (line) => detectAndParse(line, OPTIONS)],
]

/** Prefixes that lead each parser past its first check, so the fuzz reaches the deep paths. */
const PREFIXES = [
  '',
  '<13>',
  '<165>1 ',
  '<34>1 2003-10-11T22:14:15.003Z host app - - [',
  '<189>123: *Mar  1 18:48:50.483 UTC: ',
  '<13>Nov 21 10:00:00 ',
  'CEF:0|',
  'CEF:0|V|P|1|s|n|5|',
  'LEEF:2.0|V|P|1|E|',
  '{"a":',
]
const structural = fc.constantFrom(
  ...' <>[]"=\\|:%-*.T0123456789\t{}\'CEFLZ'.split(''),
  '\ufeff',
  '😀',
  '\ud800',
  '\udc00',
)
const hostile = fc.tuple(
  fc.constantFrom(...PREFIXES),
  fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: structural, maxLength: 60 })),
)

const wellFormed = (result: ParseResult): void => {
  if (result.ok) expect(JSON.parse(JSON.stringify(result))).toMatchObject({ ok: true })
  else expect(result.error).toMatch(/^[a-z0-9]+: column \d+: \S/)
}

describe.each(PARSERS)('%s never throws', (_name, parse) => {
  it('on arbitrary unicode strings', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (line) => wellFormed(parse(line))),
      { numRuns: 5000 },
    )
  })

  it('on hostile near-misses of every format', () => {
    fc.assert(
      fc.property(hostile, ([prefix, rest]) => wellFormed(parse(prefix + rest))),
      { numRuns: 5000 },
    )
  })
})

describe('hostile input', () => {
  it('stays fast on huge lines', () => {
    const lines = [
      `<34>1 - host app - - [a@1 x="${'\\]'.repeat(200_000)}"]`,
      `<34>1 - ${'h'.repeat(1_000_000)} app - - -`,
      `<13>Nov 21 10:00:00 ${'x'.repeat(1_000_000)}`,
      `<13>Nov 21 10:00:00 host app[${'1'.repeat(1_000_000)}`,
      `<13>${'%A-1-'.repeat(200_000)}`,
      `LEEF:1.0|V|P|1|E|${'a=b\t'.repeat(100_000)}`,
      `LEEF:2.0|V|P|1|E|${'x'.repeat(1_000_000)}`,
      `${'a="b" '.repeat(100_000)}`,
      `${'a '.repeat(500_000)}`,
    ]
    for (const line of lines) {
      const started = performance.now()
      detectAndParse(line, OPTIONS)
      expect(performance.now() - started, line.slice(0, 40)).toBeLessThan(1000)
    }
  })

  it('reports JSON nested too deep to locate instead of overflowing the stack', () => {
    expect(parseJson(`{"a":${'['.repeat(200_000)}`)).toEqual({
      ok: false,
      error: expect.stringMatching(/^json: column \d+: /) as string,
    })
  })
})

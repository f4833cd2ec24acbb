import { parse } from 'csv-parse/sync'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { observablesCsv } from './csv'
import { sampleDocument } from './fixtures'
import type { ExportObservable } from './model'
import { patternString } from './stix'
import { checkStixPattern } from './stix-pattern'

const unescapePattern = (literal: string): string => literal.slice(1, -1).replace(/\\(['\\])/g, '$1')

describe('properties', () => {
  it('any string makes a well-formed pattern literal that reads back as itself', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (value) => {
        const literal = patternString(value)
        expect(checkStixPattern(`[file:name = ${literal}]`)).toBeNull()
        expect(unescapePattern(literal)).toBe(value)
      }),
    )
  })

  it('any observables survive an RFC 4180 parser, formula cells defused by one quote', () => {
    const observable = fc.record<ExportObservable>({
      type: fc.constant('file'),
      value: fc.string({ unit: 'binary' }),
      first_seen: fc.constant(null),
      last_seen: fc.constant(null),
      note: fc.option(fc.string({ unit: 'binary' })),
    })
    fc.assert(
      fc.property(fc.array(observable, { maxLength: 5 }), (observables) => {
        const rows: unknown = parse(observablesCsv(sampleDocument({ observables })))
        const guard = (s: string): string => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s)
        expect(rows).toEqual([
          ['type', 'value', 'first_seen', 'last_seen', 'note'],
          ...observables.map((o) => ['file', guard(o.value), '', '', guard(o.note ?? '')]),
        ])
      }),
    )
  })
})

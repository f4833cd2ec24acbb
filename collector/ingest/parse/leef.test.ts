import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseLeef } from './leef'

const key = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyzABCZ0123456789_'.split('')),
  minLength: 1,
})

describe('parseLeef', () => {
  it.each([
    ['\t', ''],
    ['^', '^|'],
    ['|', 'x7C|'],
    [';', '0x3B|'],
    ['\t', 'x09|'],
    ['\t', '|'],
  ])('splits LEEF 2.0 attributes at %j given as %j', (delimiter, field) => {
    fc.assert(
      fc.property(
        fc.uniqueArray(
          fc.tuple(
            key,
            fc
              .string({ unit: 'binary', maxLength: 12 })
              .filter((v) => !v.includes(delimiter) && !v.includes('\t')),
          ),
          { selector: ([k]) => k, minLength: 2, maxLength: 5 },
        ),
        (pairs) => {
          const line = `LEEF:2.0|V|P|1.0|E|${field}${pairs.map(([k, v]) => `${k}=${v}`).join(delimiter)}`
          const result = parseLeef(line)
          expect(result.ok && result.leef?.extensions).toEqual(Object.fromEntries(pairs))
        },
      ),
      { numRuns: 300 },
    )
  })
})

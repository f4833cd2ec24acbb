import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { locateJsonError } from './json-error'

describe('locateJsonError', () => {
  it.each([
    ['{"message": oops}', 1, 13, /expected a value, found "o"/],
    ['{"a":1,}', 1, 8, /expected a "quoted" key/],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, /expected ',' or '}'/],
    ['[1, 2', 1, 6, /found end of input/],
    ['{"a": "line\nbreak"}', 1, 12, /control character/],
    ['{"a": 1} {"b": 2}', 1, 10, /expected end of input/],
    ['{"a": tru}', 1, 7, /expected a value/],
    ['{"a": "\\x"}', 1, 8, /bad escape/],
  ])('%j fails at line %i, column %i', (text, line, column, reason) => {
    const at = locateJsonError(text)
    expect(at).toMatchObject({ line, column })
    expect(at?.reason).toMatch(reason)
  })

  it('agrees with JSON.parse on what is valid', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(locateJsonError(JSON.stringify(value, null, 2))).toBeNull()
      }),
    )
    fc.assert(
      fc.property(
        fc.string({
          unit: fc.constantFrom('{', '}', '[', ']', '"', ':', ',', '1', 'a', ' ', 'n', 'u', 'l', '\\'),
        }),
        (text) => {
          let valid = true
          try {
            JSON.parse(text)
          } catch {
            valid = false
          }
          expect(locateJsonError(text) === null).toBe(valid)
        },
      ),
      { numRuns: 2000 },
    )
  })
})

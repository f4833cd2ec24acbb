import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  anyOfTest,
  base64Offsets,
  equalsTest,
  ONE,
  parseIpv6,
  parsePattern,
  plainText,
  STAR,
  type Pattern,
  type SigmaValue,
} from './modifiers'

const escape = (text: string): string => text.replace(/[*?\\]/g, '\\$&')

describe('parsePattern', () => {
  it.each<[string, Pattern]>([
    ['abc', ['abc']],
    ['*abc*', [STAR, 'abc', STAR]],
    ['a?c', ['a', ONE, 'c']],
    ['a\\*c', ['a*c']],
    ['a\\?c', ['a?c']],
    ['a\\\\*', ['a\\', STAR]],
    ['C:\\Windows\\', ['C:\\Windows\\']],
    ['\\\\\\*', ['\\*']],
    ['', []],
    ['**', [STAR, STAR]],
  ])('%j', (raw, parts) => {
    expect(parsePattern(raw)).toEqual(parts)
  })

  it('reads escaped text back literally', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(plainText(parsePattern(escape(text)))).toBe(text)
        expect(parsePattern(escape(text)).every((part) => typeof part === 'string')).toBe(true)
      }),
    )
  })
})

describe('base64Offsets', () => {
  it('gives the three shifted encodings pySigma documents', () => {
    expect(base64Offsets(Buffer.from('/bin/bash'))).toEqual(['L2Jpbi9iYXNo', '9iaW4vYmFza', 'vYmluL2Jhc2'])
    expect(base64Offsets(Buffer.from('/bin/sh'))).toEqual(['L2Jpbi9za', '9iaW4vc2', 'vYmluL3No'])
  })
})

describe('parseIpv6', () => {
  it.each<[string, bigint | null]>([
    ['::', 0n],
    ['::1', 1n],
    ['1::', 1n << 112n],
    ['2001:db8::ff00:42:8329', 0x20010db8000000000000ff0000428329n],
    ['::ffff:1.2.3.4', 0xffff01020304n],
    ['fe80::1%eth0', (0xfe80n << 112n) | 1n],
    ['1:2:3:4:5:6:7:8', 0x00010002000300040005000600070008n],
    ['1:2:3:4:5:6:7', null],
    ['1::2::3', null],
    ['12345::', null],
    ['1.2.3.4', null],
  ])('%s', (text, expected) => {
    expect(parseIpv6(text)).toBe(expected)
  })
})

describe('anyOfTest', () => {
  // Values of every kind the merged test sorts apart: literals, stars at either end, inner wildcards.
  const unit = fc.constantFrom('a', 'B', 'c', '*', '?', '\\', '.')
  const value: fc.Arbitrary<SigmaValue> = fc.oneof(
    fc.string({ maxLength: 5, unit }).map((raw) => ({ type: 'string', pattern: parsePattern(raw) }) as const),
    fc.integer({ min: 0, max: 20 }).map((n) => ({ type: 'number', value: n }) as const),
    fc.constant({ type: 'null' } as const),
  )
  const event = fc.oneof(
    fc.string({ maxLength: 6, unit: fc.constantFrom('a', 'b', 'C', '*', '?', '\\', '.', '1') }),
    fc.integer({ min: 0, max: 20 }),
    fc.constant(null),
    fc.constant(undefined),
  )
  it('is the OR of the values tested one by one', () => {
    fc.assert(
      fc.property(
        fc.array(value, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        event,
        (values, cased, v) => {
          const expected = values.some((sigma) => equalsTest(sigma, cased)(v))
          expect(anyOfTest(values, cased)(v)).toBe(expected)
        },
      ),
    )
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseKv } from './kv'

const key = fc.string({
  unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz_.-:/@0123456789'.split('')),
  minLength: 1,
  maxLength: 10,
})
const tricky = fc.oneof(
  fc.constantFrom('"', "'", '\\', ' ', '=', '\t'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
)

describe('parseKv', () => {
  it('round-trips quoted values', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(key, fc.string({ unit: tricky, maxLength: 20 }), fc.constantFrom('"', "'")), {
          selector: ([k]) => k,
          minLength: 1,
          maxLength: 6,
        }),
        (pairs) => {
          const line = pairs
            .map(([k, v, q]) => `${k}=${q}${v.replace(/\\/g, '\\\\').replaceAll(q, `\\${q}`)}${q}`)
            .join(' ')
          expect(parseKv(line)).toMatchObject({
            ok: true,
            format: 'kv',
            message: null,
            fields: Object.fromEntries(pairs.map(([k, v]) => [k, v])),
          })
        },
      ),
      { numRuns: 1000 },
    )
  })

  it('keeps the words that are not pairs as the message', () => {
    expect(parseKv('  Login   failed: user=bob ok src=1.2.3.4  ')).toMatchObject({
      message: 'Login failed: ok',
      fields: { user: 'bob', src: '1.2.3.4' },
    })
  })
})

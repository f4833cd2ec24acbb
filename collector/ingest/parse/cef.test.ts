import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseCef } from './cef'

const KEY_CHARS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.[]-'
const key = fc.string({ unit: fc.constantFrom(...KEY_CHARS), minLength: 1, maxLength: 12 })
/** Unicode with the characters CEF escapes (and the space that separates pairs) made common. */
const tricky = fc.oneof(
  fc.constantFrom('=', '\\', '\n', '\r', ' ', '|', ' a=', 'x=y'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
)

const escapeHeader = (value: string): string => value.replace(/[\\|]/g, '\\$&')
const escapeValue = (value: string): string =>
  value.replace(/[\\=\n\r]/g, (c) => (c === '\n' ? '\\n' : c === '\r' ? '\\r' : `\\${c}`))

describe('parseCef', () => {
  it('round-trips header fields and extension values with = \\ newlines escaped', () => {
    fc.assert(
      fc.property(
        fc.array(fc.string({ unit: tricky, maxLength: 10 }), { minLength: 5, maxLength: 5 }),
        fc.uniqueArray(
          // Spaces before the next key separate pairs, so a value cannot end with one.
          fc.tuple(
            key,
            fc.string({ unit: tricky, maxLength: 20 }).map((v) => v.replace(/ +$/, '')),
          ),
          { selector: ([k]) => k, maxLength: 6 },
        ),
        ([vendor, product, version, signature, name], pairs) => {
          const extension = pairs.map(([k, v]) => `${k}=${escapeValue(v)}`).join(' ')
          const header = [vendor, product, version, signature, name].map((f) => escapeHeader(f!)).join('|')
          const line = `CEF:0|${header}|Very-High|${extension}`
          const result = parseCef(line)
          expect(result).toMatchObject({
            ok: true,
            format: 'cef',
            message: line,
            cef: {
              version: 0,
              device_vendor: vendor,
              device_product: product,
              device_version: version,
              signature_id: signature,
              name,
              severity: 'Very-High',
            },
          })
          expect(result.ok && result.cef?.extensions).toEqual(Object.fromEntries(pairs))
        },
      ),
      { numRuns: 2000 },
    )
  })

  it('fills the syslog header fields when CEF is the MSG of an RFC 5424 message', () => {
    expect(
      parseCef('<134>1 2026-11-21T10:00:00Z ids01 snort 77 - [x@1 a="b"] CEF:0|V|P|1|s|n|Low|k=v'),
    ).toMatchObject({
      ok: true,
      format: 'cef',
      priority: 134,
      facility: 16,
      severity: 6,
      version: 1,
      timestamp: '2026-11-21T10:00:00Z',
      hostname: 'ids01',
      appname: 'snort',
      procid: '77',
      structured_data: { 'x@1': { a: 'b' } },
      message: 'CEF:0|V|P|1|s|n|Low|k=v',
      cef: { name: 'n', extensions: { k: 'v' } },
    })
  })

  it.each([
    ['CEF:0|V', "cef: column 8: missing Device Product (found 1 of the 7 '|' separators of the header)"],
    ['CEF:0|V|P|1|s', "cef: column 14: missing Name (found 4 of the 7 '|' separators of the header)"],
    ['CEF:0|V|P|1|s|n', "cef: column 16: missing Severity (found 5 of the 7 '|' separators of the header)"],
    [
      'CEF:0|V|P|1|s|n|5',
      "cef: column 18: missing Extension (found 6 of the 7 '|' separators of the header)",
    ],
    ['CEF:0|V|P|1|s|n|-1|a=b', 'cef: column 17: Severity must be 0-10'],
  ])('%j names the missing field and its column', (line, error) => {
    const result = parseCef(line)
    expect(result.ok ? '' : result.error).toContain(error)
  })

  it('ends a value only at a space before a real key', () => {
    // 'c' has no '=' and '?' is not a key character: both stay inside the value before them.
    const result = parseCef('CEF:0|V|P|1|s|n|5|a=b c d=e ?=x')
    expect(result.ok && result.cef?.extensions).toEqual({ a: 'b c', d: 'e ?=x' })
  })

  it('stays linear on hostile extensions', () => {
    const lines = [
      `CEF:0|V|P|1|s|n|5|a=${' bbbbbbbbbb'.repeat(50_000)}`,
      `CEF:0|V|P|1|s|n|5|a=${'\\'.repeat(200_000)}`,
      `CEF:0|V|P|1|s|n|5|${'a=b '.repeat(50_000)}`,
      `CEF:0|${'\\|'.repeat(100_000)}`,
    ]
    for (const line of lines) {
      const started = performance.now()
      parseCef(line)
      expect(performance.now() - started).toBeLessThan(1000)
    }
  })
})

import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { parseRfc5424 } from './rfc5424'
import { daysInMonth } from './timestamp'

const printable = (min: number, max: number): fc.Arbitrary<string> =>
  fc
    .string({
      unit: fc.integer({ min: 33, max: 126 }).map((c) => String.fromCharCode(c)),
      minLength: min,
      maxLength: max,
    })
    .filter((s) => s !== '-')
const sdName = fc.string({
  unit: fc
    .integer({ min: 33, max: 126 })
    .filter((c) => c !== 0x3d && c !== 0x5d && c !== 0x22)
    .map((c) => String.fromCharCode(c)),
  minLength: 1,
  maxLength: 32,
})
/** Unicode with the characters that need escaping made common. */
const tricky = fc.oneof(
  fc.constantFrom('\\', '"', ']', '[', ' ', '=', '\n'),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 1 }),
)
const pad = (n: number, width: number): string => String(n).padStart(width, '0')

const timestamp = fc
  .record({
    year: fc.integer({ min: 0, max: 9999 }),
    month: fc.integer({ min: 1, max: 12 }),
    day: fc.integer({ min: 1, max: 31 }),
    hour: fc.integer({ min: 0, max: 23 }),
    minute: fc.integer({ min: 0, max: 59 }),
    second: fc.integer({ min: 0, max: 59 }),
    fraction: fc.string({ unit: fc.constantFrom(...'0123456789'), maxLength: 6 }),
    offset: fc.option(fc.integer({ min: -(23 * 60 + 59), max: 23 * 60 + 59 }), { nil: undefined }),
  })
  .map((t) => {
    const day = Math.min(t.day, daysInMonth(t.year, t.month))
    const offset =
      t.offset === undefined
        ? 'Z'
        : `${t.offset < 0 ? '-' : '+'}${pad(Math.floor(Math.abs(t.offset) / 60), 2)}:${pad(Math.abs(t.offset) % 60, 2)}`
    return (
      `${pad(t.year, 4)}-${pad(t.month, 2)}-${pad(day, 2)}T${pad(t.hour, 2)}:${pad(t.minute, 2)}:${pad(t.second, 2)}` +
      `${t.fraction ? `.${t.fraction}` : ''}${offset}`
    )
  })

const structuredData = fc.uniqueArray(
  fc.tuple(sdName, fc.dictionary(sdName, fc.string({ unit: tricky, maxLength: 20 }), { maxKeys: 4 })),
  { selector: ([id]) => id, maxLength: 4 },
)

const escapeParam = (value: string): string => value.replace(/[\\"\]]/g, '\\$&')

describe('parseRfc5424', () => {
  it('reads back every component of any valid message', () => {
    fc.assert(
      fc.property(
        fc.record({
          pri: fc.integer({ min: 0, max: 191 }),
          version: fc.integer({ min: 1, max: 999 }),
          timestamp: fc.option(timestamp),
          hostname: fc.option(printable(1, 255)),
          appname: fc.option(printable(1, 48)),
          procid: fc.option(printable(1, 128)),
          msgid: fc.option(printable(1, 32)),
          sd: fc.option(structuredData.filter((sd) => sd.length > 0)),
          message: fc.option(fc.string({ unit: 'binary', maxLength: 40 })),
          bom: fc.boolean(),
        }),
        (m) => {
          const sd =
            m.sd === null
              ? '-'
              : m.sd
                  .map(
                    ([id, params]) =>
                      `[${id}${Object.entries(params)
                        .map(([name, value]) => ` ${name}="${escapeParam(value)}"`)
                        .join('')}]`,
                  )
                  .join('')
          const header = [
            `<${m.pri}>${m.version}`,
            m.timestamp ?? '-',
            m.hostname ?? '-',
            m.appname ?? '-',
            m.procid ?? '-',
            m.msgid ?? '-',
            sd,
          ].join(' ')
          const line = m.message === null ? header : `${header} ${m.bom ? '\ufeff' : ''}${m.message}`
          const expectedMessage =
            m.message === null || m.bom || !m.message.startsWith('\ufeff') ? m.message : m.message.slice(1)
          expect(parseRfc5424(line)).toEqual({
            ok: true,
            format: 'rfc5424',
            priority: m.pri,
            facility: Math.floor(m.pri / 8),
            severity: m.pri % 8,
            version: m.version,
            timestamp: m.timestamp,
            hostname: m.hostname,
            appname: m.appname,
            procid: m.procid,
            msgid: m.msgid,
            structured_data: m.sd === null ? null : Object.fromEntries(m.sd),
            message: expectedMessage,
          })
        },
      ),
      { numRuns: 2000 },
    )
  })

  it.each([
    ['<34>1 2003-10-11T22:14:15.003Zmymachine su - - -', 'column 31: expected SP after TIMESTAMP'],
    ['<34>1  2003-10-11T22:14:15Z host su - - -', 'column 7: expected a 4-digit year in TIMESTAMP'],
    ['<34>1000 - host su - - -', 'column 8: VERSION has more than 3 digits'],
    ['<34>1 2003-13-11T22:14:15Z host su - - -', 'column 12: month must be 01-12 in TIMESTAMP'],
    ['<34>1 2003-10-11T22:14:15.Z host su - - -', "column 27: expected digits after '.' in TIMESTAMP"],
    ['<34>1 - host su - - [id x="1"', "column 30: expected SP or ']' in SD-ELEMENT"],
    ['<34>1 - host su - - [id x="1" ]', 'column 31: expected PARAM-NAME'],
    ['<34>1 - host su - - [id x]', "column 26: expected '=' after PARAM-NAME"],
    ['<34>1 - host su - - x', "column 21: expected STRUCTURED-DATA ('[' or '-')"],
    ['<34>1 - host su - -', 'column 20: expected SP after MSGID'],
    ['<34>1 - ' + 'h'.repeat(256) + ' su - - -', 'column 264: HOSTNAME is longer than 255 characters'],
    ['<34>1 - host su ' + 'p'.repeat(129) + ' - -', 'column 145: PROCID is longer than 128 characters'],
    ['<34>1 - host  su - - -', "column 14: expected APP-NAME (or '-')"],
    ['<34>1 - host su\t- - -', 'column 16: APP-NAME has a character outside printable US-ASCII'],
    ['<>1 - - - - - -', 'column 2: expected PRI digits after <'],
    ['<1234>1 - - - - - -', 'column 2: PRI has more than 3 digits'],
  ])('%j fails at the right column', (line, error) => {
    const result = parseRfc5424(line)
    expect(result.ok).toBe(false)
    expect(result.ok ? '' : result.error).toContain(`rfc5424: ${error}`)
  })

  it('counts columns in characters, not UTF-16 units', () => {
    expect(parseRfc5424('<34>1 - host su - - [a x="😀😀]"]')).toEqual({
      ok: false,
      error: "rfc5424: column 29: ']' in PARAM-VALUE must be escaped as \\]",
    })
  })

  it('keeps an SD-ID named __proto__ as data', () => {
    const result = parseRfc5424('<34>1 - - - - - [__proto__ __proto__="x"]')
    expect(JSON.stringify(result.ok && result.structured_data)).toBe('{"__proto__":{"__proto__":"x"}}')
  })
})

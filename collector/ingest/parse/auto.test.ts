import { describe, expect, it } from 'vitest'
import { detectAndParse, parseMessage } from './auto'
import { FORMATS } from './types'

const OPTIONS = { now: Date.parse('2026-11-22T00:00:00Z') }

describe('parseMessage', () => {
  it.each([
    ['{"a":1}', 'json'],
    [' \t{"a":1}', 'json'],
    ['<13>1 - - - - - -', 'rfc5424'],
    ['<13>12 - - - - - -', 'rfc5424'],
    ['<13>1- - - - - -', 'rfc3164'],
    ['<13>Nov 21 10:00:00 h a: x', 'rfc3164'],
    ['<13>123: Nov 21 10:00:00: %SYS-5-X: y', 'rfc3164'],
    ['<13>', 'rfc3164'],
    ['<13>Nov 21 10:00:00 h a: CEF:0|V|P|1|s|n|5|k=v', 'cef'],
    ['<13>1 - h a - - - \ufeffCEF:0|V|P|1|s|n|5|k=v', 'cef'],
    ['<13>Nov 21 10:00:00 h LEEF:1.0|V|P|1|E|k=v', 'leef'],
    ['CEF:0|V|P|1|s|n|5|k=v', 'cef'],
    ['LEEF:1.0|V|P|1|E|k=v', 'leef'],
    ['a=1 b=2', 'kv'],
    ['event a=1 b="x y"', 'kv'],
  ])('%j is %s', (line, format) => {
    expect(detectAndParse(line, OPTIONS)).toMatchObject({ ok: true, format })
  })

  it.each([
    ['', /^auto: column 1: unrecognized format/],
    ['a=1', /^auto: column 1: unrecognized format/],
    ['a=1 a=2', /^auto: column 1: unrecognized format/],
    ['a="1 b=2', /^auto: column 1: unrecognized format/],
    ['hello', /^auto: column 1: unrecognized format/],
    ['<13>1 -', /^rfc5424: column 8: expected SP after TIMESTAMP$/],
    ['<13>Nov 21 10:00:00 h CEF:0|V', /^cef: column 30: missing Device Product/],
    ['<13>Nov 21 10:00:00 h LEEF:9|V|P|1|E|', /^leef: column 28: unsupported LEEF version/],
    ['{"a":1', /^json: column 7: expected ',' or '}'/],
  ])('%j is refused: %s', (line, error) => {
    const result = detectAndParse(line, OPTIONS)
    expect(result.ok ? '' : result.error).toMatch(error)
  })

  it('reads a line as the format it is told, and prints every key', () => {
    for (const format of FORMATS) {
      const result = parseMessage('<13>Nov 21 10:00:00 h a: x', format, OPTIONS)
      expect(Object.keys(result)).toEqual(
        result.ok
          ? (expect.arrayContaining([
              'priority',
              'facility',
              'severity',
              'version',
              'timestamp',
              'hostname',
              'appname',
              'procid',
              'msgid',
              'structured_data',
              'message',
            ]) as unknown)
          : ['ok', 'error'],
      )
    }
    expect(parseMessage('<13>Nov 21 10:00:00 h a: x', 'rfc5424')).toEqual({
      ok: false,
      error: 'rfc5424: column 5: expected VERSION (1-999, no leading zero)',
    })
    expect(parseMessage('a=1', 'kv')).toMatchObject({ ok: true, fields: { a: '1' } })
  })

  it('defaults to auto', () => {
    expect(parseMessage('{"a":1}')).toMatchObject({ ok: true, format: 'json' })
  })
})

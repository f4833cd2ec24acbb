import { describe, expect, it } from 'vitest'
import { parseRfc3164 } from './rfc3164'

const now = new Date('2026-01-01T00:30:00Z')

describe('parseRfc3164', () => {
  it('interprets a zoneless stamp in the configured offset', () => {
    const result = parseRfc3164('<13>Nov 21 10:00:00 host app: hi', {
      now: Date.parse('2026-11-22T00:00:00Z'),
      timezoneOffsetMinutes: -300,
    })
    expect(result).toMatchObject({ ok: true, timestamp: '2026-11-21T10:00:00-05:00' })
    expect(
      parseRfc3164('<13>2026-11-21T10:00:00 host app: hi', { timezoneOffsetMinutes: 330 }),
    ).toMatchObject({ ok: true, timestamp: '2026-11-21T10:00:00+05:30' })
  })

  it('keeps a zone the message names over the configured one', () => {
    expect(
      parseRfc3164('<189>1: *Nov 21 10:00:00.123 UTC: %SYS-5-CONFIG_I: x', {
        now,
        timezoneOffsetMinutes: 60,
      }),
    ).toMatchObject({ ok: true, timestamp: '2025-11-21T10:00:00.123Z' })
    expect(
      parseRfc3164('<13>2026-11-21T10:00:00Z host app: hi', { timezoneOffsetMinutes: 60 }),
    ).toMatchObject({ ok: true, timestamp: '2026-11-21T10:00:00Z' })
  })

  it('infers the year across New Year, in the frame of the offset', () => {
    // 00:30 UTC on Jan 1 is still Dec 31 in New York: Dec 31 23:00 there is the past, not next year.
    expect(parseRfc3164('<13>Dec 31 19:00:00 h a: x', { now, timezoneOffsetMinutes: -300 })).toMatchObject({
      timestamp: '2025-12-31T19:00:00-05:00',
    })
    expect(parseRfc3164('<13>Jan  1 00:29:00 h a: x', { now })).toMatchObject({
      timestamp: '2026-01-01T00:29:00Z',
    })
    expect(parseRfc3164('<13>Jan  2 00:30:00 h a: x', { now })).toMatchObject({
      timestamp: '2026-01-02T00:30:00Z',
    })
    expect(parseRfc3164('<13>Jan  2 00:30:01 h a: x', { now })).toMatchObject({
      timestamp: '2025-01-02T00:30:01Z',
    })
    expect(
      parseRfc3164('<13>Feb 29 10:00:00 h a: x', { now: Date.parse('2028-03-01T00:00:00Z') }),
    ).toMatchObject({
      timestamp: '2028-02-29T10:00:00Z',
    })
  })

  it('uses the clock when no now is given', () => {
    const result = parseRfc3164('<13>Jan  1 00:00:00 h a: x')
    const year = new Date().getUTCFullYear()
    expect(result.ok && result.timestamp).toMatch(new RegExp(`^(${year}|${year - 1})-01-01T00:00:00Z$`))
  })

  it.each([
    ['<13>Nov 21 10:00:00 h a: x', 'rfc3164', { hostname: 'h', appname: 'a' }],
    ['<13>Nov 21 10:00:00 h a[1]x', 'rfc3164', { hostname: 'h', appname: null, message: 'a[1]x' }],
    ['<13>Nov 21 10:00:00 h a[]: x', 'rfc3164', { hostname: 'h', appname: null, message: 'a[]: x' }],
    ['<13>Nov 21 10:00:00 h a[7] x', 'rfc3164', { hostname: 'h', appname: 'a', procid: '7', message: 'x' }],
    ['<13>Nov 21 10:00:00 h :x', 'rfc3164', { hostname: 'h', appname: null, message: ':x' }],
    ['<13>Nov  1 10:00:00 h a:', 'rfc3164', { hostname: 'h', appname: 'a', message: null }],
    ['<13>Nov 1 10:00:00 h a: x', 'rfc3164', { timestamp: '2026-11-01T10:00:00Z' }],
    ['<13>nov 21 10:00:00 h a: x', 'rfc3164', { timestamp: '2026-11-21T10:00:00Z' }],
    ['<013>Nov 21 10:00:00 h a: x', 'rfc3164', { priority: 13 }],
    ['<13>Nov 21 10:00:00   h   a: x', 'rfc3164', { hostname: 'h', appname: 'a' }],
    [
      '<13>Nov 21 10:00:00 UTC: x',
      'rfc3164',
      { timestamp: '2026-11-21T10:00:00Z', appname: null, message: 'x' },
    ],
  ])('%j', (line, format, expected) => {
    expect(parseRfc3164(line, { now: Date.parse('2026-11-22T00:00:00Z') })).toMatchObject({
      ok: true,
      format,
      ...expected,
    })
  })
})

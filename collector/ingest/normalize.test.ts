import { describe, expect, it } from 'vitest'
import { normalizeJson, parseTime } from './normalize'

const ctx = { listener: 'http', source: '127.0.0.1', receivedAt: Date.parse('2026-11-22T00:00:00Z') }

describe('normalizeJson', () => {
  it('takes time, host, message and severity from the usual places and keeps the original whole', () => {
    const raw = {
      '@timestamp': '2026-11-21T10:00:00.123+02:00',
      host: { name: 'dc01' },
      message: 'hi',
      log: { level: 'warn' },
    }
    const event = normalizeJson(raw, ctx)
    expect(event).toMatchObject({
      ts: Date.parse('2026-11-21T08:00:00.123Z'),
      received_at: ctx.receivedAt,
      host: 'dc01',
      message: 'hi',
      severity: 'warn',
      listener: 'http',
      source: '127.0.0.1',
    })
    expect(JSON.parse(event.fields)).toEqual(raw)
  })

  it('reads Windows-style native fields', () => {
    const event = normalizeJson({ Computer: 'WS-7', TimeCreated: '2026-01-02T03:04:05Z', EventID: 1 }, ctx)
    expect(event.host).toBe('WS-7')
    expect(event.ts).toBe(Date.parse('2026-01-02T03:04:05Z'))
  })

  it('falls back to the arrival time and a fresh id', () => {
    const a = normalizeJson({ '@timestamp': 'not a time' }, ctx)
    const b = normalizeJson({}, ctx)
    expect(a.ts).toBe(ctx.receivedAt)
    expect(a.id).not.toBe(b.id)
    expect(normalizeJson({ event: { id: 'abc' } }, ctx).id).toBe('abc')
  })

  it.each([
    [1763769600, 1763769600000],
    [1763769600123, 1763769600123],
    ['1763769600', 1763769600000],
    ['2026-11-22T00:00:00Z', Date.parse('2026-11-22T00:00:00Z')],
    ['', null],
    [null, null],
    [Number.NaN, null],
  ])('parseTime(%j) = %j', (input, expected) => {
    expect(parseTime(input)).toBe(expected)
  })
})

import { describe, expect, it } from 'vitest'
import { newEventId } from './event-id'

describe('newEventId', () => {
  it('is a UUIDv7 carrying the millisecond it was made', () => {
    const now = Date.parse('2026-11-22T01:02:03.456Z')
    const id = newEventId(now)
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/)
    expect(Number.parseInt(id.replace(/-/g, '').slice(0, 12), 16)).toBe(now)
  })

  it('sorts by time and does not repeat', () => {
    const ids = Array.from({ length: 20_000 }, (_, i) => newEventId(1_700_000_000_000 + Math.floor(i / 100)))
    expect(new Set(ids).size).toBe(ids.length)
    for (let i = 100; i < ids.length; i += 100) expect(ids[i - 1]! < ids[i]!).toBe(true)
  })
})

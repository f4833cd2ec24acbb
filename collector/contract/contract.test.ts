import { describe, expect, it } from 'vitest'
import {
  CALL_NAMES,
  CORE_CALLS,
  EVENT_NAMES,
  SHELL_CALLS,
  callFromPath,
  callPath,
  calls,
  events,
  parseRequest,
} from '.'

describe('the contract', () => {
  it('declares a request and response schema for every call, and nothing else', () => {
    expect(Object.keys(calls).sort()).toEqual([...CALL_NAMES].sort())
    expect(Object.keys(events).sort()).toEqual([...EVENT_NAMES].sort())
    expect(new Set(CALL_NAMES).size).toBe(CORE_CALLS.length + SHELL_CALLS.length)
  })

  it('names every call domain:verb and maps it to POST /api/domain/verb and back', () => {
    for (const name of CALL_NAMES) {
      expect(name).toMatch(/^[a-z]+:[a-z-]+$/)
      expect(callPath(name)).toBe(`/api/${name.replace(':', '/')}`)
      expect(callFromPath(callPath(name))).toBe(name)
    }
    expect(callFromPath('/api/nope/list')).toBeUndefined()
    expect(callFromPath('/api/events')).toBeUndefined()
    expect(callFromPath('/other/events/list')).toBeUndefined()
  })

  it('fills defaults and rejects bad requests with the field and the reason', () => {
    expect(parseRequest('events:list', {})).toEqual({ ok: true, value: { limit: 100 } })
    expect(parseRequest('events:list', undefined)).toEqual({ ok: true, value: { limit: 100 } })
    const tooBig = parseRequest('events:list', { limit: 5000 })
    expect(tooBig.ok).toBe(false)
    if (!tooBig.ok) {
      expect(tooBig.error.code).toBe('invalid_request')
      expect(tooBig.error.message).toMatch(/^events:list: limit: .*1000/)
    }
    const extra = parseRequest('system:health', { surprise: 1 })
    expect(extra.ok).toBe(false)
    if (!extra.ok) expect(extra.error.message).toContain('surprise')
    const wrongType = parseRequest('events:get', { id: 42 })
    expect(wrongType.ok).toBe(false)
    if (!wrongType.ok) expect(wrongType.error.message).toMatch(/^events:get: id: /)
  })
})

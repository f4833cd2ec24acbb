import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { resolveConflict, type SyncRecord } from './records'

const record = fc.record({
  kind: fc.constant('incident' as const),
  id: fc.constant('inc-1'),
  version: fc.integer({ min: 1, max: 5 }),
  updated_at: fc.constantFrom('2026-12-01T00:00:00.000Z', '2026-12-02T00:00:00.000Z'),
  origin: fc.constantFrom('console-a', 'console-b', 'core'),
  deleted: fc.boolean(),
  body: fc.constant({}),
}) satisfies fc.Arbitrary<SyncRecord>

describe('resolveConflict', () => {
  it('prefers the higher version, then the later time, then the greater origin', () => {
    const base: SyncRecord = {
      kind: 'incident',
      id: 'i',
      version: 2,
      updated_at: '2026-12-01T00:00:00.000Z',
      origin: 'a',
      deleted: false,
      body: {},
    }
    expect(resolveConflict(base, { ...base, version: 3, origin: 'z' }).version).toBe(3)
    expect(resolveConflict({ ...base, updated_at: '2026-12-02T00:00:00.000Z' }, base).updated_at).toBe(
      '2026-12-02T00:00:00.000Z',
    )
    expect(resolveConflict(base, { ...base, origin: 'b' }).origin).toBe('b')
  })

  it('is deterministic: both sides pick the same winner whatever the order', () => {
    fc.assert(
      fc.property(record, record, (a, b) => {
        const one = resolveConflict(a, b)
        const other = resolveConflict(b, a)
        expect([one.version, one.updated_at, one.origin]).toEqual([
          other.version,
          other.updated_at,
          other.origin,
        ])
      }),
    )
  })
})

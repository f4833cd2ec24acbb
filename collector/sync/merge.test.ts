import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { mergeFields, mergeVersions, withUnion } from './merge'
import type { SyncRecord } from './records'

const comment = (id: string, at: string, body = id) => ({ id, at, actor: 'a', body })
const incident = (
  origin: string,
  version: number,
  fields: Record<string, unknown>,
  parts: Record<string, unknown[]> = {},
  updated_at = '2026-12-07T10:00:00.000Z',
): SyncRecord => ({
  kind: 'incident',
  id: 'inc-1',
  version,
  updated_at,
  origin,
  deleted: false,
  body: {
    incident: {
      id: 'inc-1',
      title: 'T',
      status: 'new',
      severity: 'high',
      assignee: null,
      description: '',
      ...fields,
    },
    comments: [],
    observables: [],
    evidence: [],
    timeline: [],
    ...parts,
  },
})
const base = mergeFields('incident', incident('x', 1, {}).body)

describe('mergeVersions', () => {
  it('keeps both sides’ comments and takes a scalar only one side changed', () => {
    const console = incident(
      'console',
      4,
      { assignee: 'alice' },
      { comments: [comment('c1', '2026-12-07T10:01:00Z')] },
    )
    const core = incident(
      'core',
      4,
      { status: 'triage' },
      { comments: [comment('c2', '2026-12-07T10:00:30Z')] },
    )
    const { body, clashes } = mergeVersions(base, console, core)
    expect(clashes).toEqual([])
    expect((body.comments as Array<{ id: string }>).map((c) => c.id)).toEqual(['c2', 'c1'])
    expect(body.incident).toMatchObject({ status: 'triage', assignee: 'alice' })
  })

  it('reports a scalar both sides changed, and takes the resolveConflict winner’s value', () => {
    const console = incident('console', 4, { status: 'contained' }, {}, '2026-12-07T10:05:00.000Z')
    const core = incident('core', 4, { status: 'triage' }, {}, '2026-12-07T10:04:00.000Z')
    const { body, clashes } = mergeVersions(base, core, console)
    expect(clashes).toEqual(['status'])
    // Same version: the later updated_at wins.
    expect((body.incident as { status: string }).status).toBe('contained')
  })

  it('without a base, every scalar the sides disagree on is a clash', () => {
    const a = incident('a', 2, { title: 'A' })
    const b = incident('b', 3, { title: 'B' })
    expect(mergeVersions(null, a, b).clashes).toEqual(['title'])
    expect((mergeVersions(null, a, b).body.incident as { title: string }).title).toBe('B')
  })

  it('withUnion adds only what is missing, and says when nothing is', () => {
    const mine = incident('a', 2, {}, { comments: [comment('c1', '2026-12-07T10:00:00Z')] })
    const theirs = incident('b', 1, {}, { comments: [comment('c1', '2026-12-07T10:00:00Z')] })
    expect(withUnion('incident', mine.body, theirs.body)).toBeNull()
    const more = incident('b', 1, {}, { observables: [{ type: 'ip', value: '10.0.0.9' }] })
    expect(withUnion('incident', mine.body, more.body)?.observables).toEqual([
      { type: 'ip', value: '10.0.0.9' },
    ])
  })
})

// Random concurrent versions: comments and observables drawn from small pools, so sides overlap.
const at = fc.integer({ min: 0, max: 59 }).map((s) => `2026-12-07T10:00:${String(s).padStart(2, '0')}.000Z`)
// A comment never changes once written: the same id is the same comment on every side.
const COMMENTS = ['c1', 'c2', 'c3', 'c4', 'c5'].map((id, i) =>
  comment(id, `2026-12-07T10:00:${String(50 - i * 7).padStart(2, '0')}.000Z`, `said ${id}`),
)
const commentArb = fc.constantFrom(...COMMENTS)
const observableArb = fc.record({
  type: fc.constantFrom('ip', 'domain'),
  value: fc.constantFrom('a', 'b', 'c'),
})
const recordArb = fc
  .record({
    origin: fc.constantFrom('console-1', 'console-2', 'core'),
    version: fc.integer({ min: 1, max: 5 }),
    updated_at: at,
    status: fc.constantFrom('new', 'triage', 'contained'),
    assignee: fc.constantFrom(null, 'alice', 'bob'),
    comments: fc.uniqueArray(commentArb, { selector: (c) => c.id, maxLength: 5 }),
    observables: fc.uniqueArray(observableArb, { selector: (o) => `${o.type}:${o.value}`, maxLength: 4 }),
  })
  .map((r) =>
    incident(
      r.origin,
      r.version,
      { status: r.status, assignee: r.assignee },
      { comments: r.comments, observables: r.observables },
      r.updated_at,
    ),
  )
const baseArb = fc.option(
  fc.record({ status: fc.constantFrom('new', 'triage'), assignee: fc.constantFrom(null, 'alice') }),
  { nil: null },
)
const unionParts = (body: Record<string, unknown>) => ({
  comments: body.comments,
  observables: body.observables,
})
const ids = (list: unknown) =>
  (list as Array<{ id?: string; type?: string; value?: string }>).map((i) => i.id ?? `${i.type}:${i.value}`)

describe('mergeVersions, properties', () => {
  it('is commutative: the same body and clashes whichever side comes first', () => {
    fc.assert(
      fc.property(baseArb, recordArb, recordArb, (b, x, y) => {
        const one = mergeVersions(b, x, y)
        const two = mergeVersions(b, y, x)
        expect(ids(one.body.comments)).toEqual(ids(two.body.comments))
        expect(ids(one.body.observables)).toEqual(ids(two.body.observables))
        expect(one.clashes).toEqual(two.clashes)
        // Distinct versions: the whole body agrees too.
        if (x.version !== y.version || x.updated_at !== y.updated_at || x.origin !== y.origin)
          expect(one.body).toEqual(two.body)
      }),
      { numRuns: 500 },
    )
  })

  it('loses nothing: every comment and observable of either side is in the merge, once', () => {
    fc.assert(
      fc.property(baseArb, recordArb, recordArb, (b, x, y) => {
        const { body } = mergeVersions(b, x, y)
        const expected = new Set([...ids(x.body.comments), ...ids(y.body.comments)])
        expect(new Set(ids(body.comments))).toEqual(expected)
        expect(ids(body.comments)).toHaveLength(expected.size)
      }),
    )
  })

  it('is idempotent: merging the merge with either side again changes nothing', () => {
    fc.assert(
      fc.property(baseArb, recordArb, recordArb, (b, x, y) => {
        const merged = mergeVersions(b, x, y)
        const m: SyncRecord = {
          ...x,
          version: Math.max(x.version, y.version) + 1,
          origin: 'core',
          body: merged.body,
        }
        // The same side again, against the same base: nothing changes, no new clash.
        const again = mergeVersions(b, m, y)
        expect(unionParts(again.body)).toEqual(unionParts(merged.body))
        expect(again.body.incident).toEqual(merged.body.incident)
        for (const field of again.clashes) expect(merged.clashes).toContain(field)
        expect(mergeVersions(b, x, x).body.incident).toEqual(x.body.incident)
      }),
    )
  })
})

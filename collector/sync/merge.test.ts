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

// Removals: observables removed and comments retracted, made by two sides from a common history.
type Side = {
  observables: Map<string, { type: string; value: string; added_at: string }>
  comments: Map<string, { id: string; at: string; actor: string; body: string; retracted: unknown }>
  removed: Array<{ part: string; key: string; upto: string | null; at: string; actor: string }>
}
type Op =
  | { op: 'add'; key: string }
  | { op: 'remove'; key: string }
  | { op: 'comment' }
  | { op: 'retract'; pick: number }
const KEYS = ['ipv4:10.0.0.1', 'ipv4:10.0.0.2', 'domain:evil.example']
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ op: fc.constant('add' as const), key: fc.constantFrom(...KEYS) }),
  fc.record({ op: fc.constant('remove' as const), key: fc.constantFrom(...KEYS) }),
  fc.record({ op: fc.constant('comment' as const) }),
  fc.record({ op: fc.constant('retract' as const), pick: fc.nat(9) }),
)
const tick = (n: number) => new Date(Date.UTC(2026, 11, 7, 10) + n * 1000).toISOString()
/** Plays ops on a side as the case store does (an add of a held observable adds nothing). */
const play = (side: Side, ops: readonly Op[], name: string, clock: { n: number }): void => {
  for (const o of ops) {
    const at = tick(clock.n++)
    if (o.op === 'add' && !side.observables.has(o.key)) {
      const [type, value] = o.key.split(':') as [string, string]
      side.observables.set(o.key, { type, value, added_at: at })
    } else if (o.op === 'remove') {
      const held = side.observables.get(o.key)
      if (!held) continue
      side.observables.delete(o.key)
      side.removed.push({ part: 'observables', key: o.key, upto: held.added_at, at, actor: name })
    } else if (o.op === 'comment') {
      const id = `${name}-${clock.n}`
      side.comments.set(id, { id, at, actor: name, body: `said ${id}`, retracted: null })
    } else if (o.op === 'retract') {
      const open = [...side.comments.values()].filter((c) => c.retracted === null)
      const c = open[o.pick % Math.max(open.length, 1)]
      if (!c) continue
      side.comments.set(c.id, { ...c, body: '', retracted: { at, actor: name } })
      side.removed.push({ part: 'comments', key: c.id, upto: null, at, actor: name })
    }
  }
}
const copy = (s: Side): Side => ({
  observables: new Map(s.observables),
  comments: new Map(s.comments),
  removed: [...s.removed],
})
const asRecord = (s: Side, origin: string, version: number): SyncRecord =>
  incident(
    origin,
    version,
    {},
    {
      observables: [...s.observables.values()],
      comments: [...s.comments.values()],
      removed: s.removed,
    },
  )
type History = { common: Op[]; a: Op[]; b: Op[]; order: boolean }
const historyArb: fc.Arbitrary<History> = fc.record({
  common: fc.array(opArb, { maxLength: 8 }),
  a: fc.array(opArb, { maxLength: 8 }),
  b: fc.array(opArb, { maxLength: 8 }),
  order: fc.boolean(),
})
/** Both sides from one common history, then each its own ops, their clocks interleaved. */
const sides = (h: History) => {
  const clock = { n: 0 }
  const common: Side = { observables: new Map(), comments: new Map(), removed: [] }
  play(common, h.common, 'base', clock)
  const a = copy(common)
  const b = copy(common)
  // Interleaved in time: one side's ops, then the other's, in either order.
  if (h.order) {
    play(a, h.a, 'console', clock)
    play(b, h.b, 'core', clock)
  } else {
    play(b, h.b, 'core', clock)
    play(a, h.a, 'console', clock)
  }
  return { a, b }
}
type Item = {
  type?: string
  value?: string
  added_at?: string
  id?: string
  body?: string
  retracted?: unknown
}
const shown = (body: Record<string, unknown>) => ({
  observables: (body.observables as Item[]).map((o) => `${o.type}:${o.value}@${o.added_at}`).sort(),
  comments: (body.comments as Item[]).map((c) => JSON.stringify([c.id, c.body, c.retracted])).sort(),
  removed: (body.removed as Side['removed']).map((r) => `${r.part}|${r.key}|${r.upto}`).sort(),
})

describe('removals through the merge', () => {
  it('any interleaving of adds and removals on two sides merges to the same result both ways, and nothing removed comes back', () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        const { a, b } = sides(h)
        const x = asRecord(a, 'console-1', 3)
        const y = asRecord(b, 'core', 3)
        const one = mergeVersions(base, x, y).body
        const two = mergeVersions(base, y, x).body
        expect(shown(one)).toEqual(shown(two))
        const removals = [...a.removed, ...b.removed]
        // A removal covers the adds up to its upto: none of them is in the merge.
        for (const o of one.observables as Item[])
          for (const r of removals)
            if (r.part === 'observables' && r.key === `${o.type}:${o.value}`)
              expect(Date.parse(o.added_at!)).toBeGreaterThan(Date.parse(r.upto!))
        // A retracted comment is a tombstone on both sides' merge: no text.
        const retracted = new Set(removals.filter((r) => r.part === 'comments').map((r) => r.key))
        for (const c of one.comments as Item[])
          if (retracted.has(c.id!))
            expect(c).toMatchObject({ body: '', retracted: { at: expect.any(String) as unknown } })
          else expect(c.body).toBe(`said ${c.id}`)
        // Every add no removal covers is kept (its latest add), every comment is kept once.
        const expected = new Map<string, string>()
        for (const side of [a, b])
          for (const [k, o] of side.observables) {
            const covered = removals.some(
              (r) => r.part === 'observables' && r.key === k && Date.parse(o.added_at) <= Date.parse(r.upto!),
            )
            if (!covered && (expected.get(k) ?? '') < o.added_at) expected.set(k, o.added_at)
          }
        expect(shown(one).observables).toEqual([...expected].map(([k, t]) => `${k}@${t}`).sort())
        expect(new Set((one.comments as Item[]).map((c) => c.id))).toEqual(
          new Set([...a.comments.keys(), ...b.comments.keys()]),
        )
        // A key removed on either side and added again by neither afterwards is absent.
        for (const r of removals)
          if (r.part === 'observables' && ![...a.observables.keys(), ...b.observables.keys()].includes(r.key))
            expect(shown(one).observables.some((o) => o.startsWith(`${r.key}@`))).toBe(false)
      }),
      { numRuns: 500 },
    )
  })

  it('a fast-forward (withUnion) agrees with the merge, and merging again changes nothing', () => {
    fc.assert(
      fc.property(historyArb, (h) => {
        const { a, b } = sides(h)
        const x = asRecord(a, 'console-1', 3)
        const y = asRecord(b, 'core', 3)
        const merged = mergeVersions(base, x, y).body
        const forward = withUnion('incident', x.body, y.body) ?? x.body
        expect(shown(forward)).toEqual(shown(merged))
        // Nothing left to add from either side: the fast-forward of the merge is no change.
        expect(withUnion('incident', merged, x.body)).toBeNull()
        expect(withUnion('incident', merged, y.body)).toBeNull()
        const m: SyncRecord = { ...x, version: 4, origin: 'core', body: merged }
        expect(shown(mergeVersions(base, m, y).body)).toEqual(shown(merged))
      }),
      { numRuns: 300 },
    )
  })

  it("a retracted comment's text leaves the timeline too, whichever side's timeline is kept", () => {
    const said = comment('c9', '2026-12-07T10:01:00.000Z', 'secret text')
    const entry = { at: said.at, kind: 'comment', text: 'a: secret text', ref: 'c9' }
    const retraction = {
      part: 'comments',
      key: 'c9',
      upto: null,
      at: '2026-12-07T10:02:00.000Z',
      actor: 'bob',
    }
    // The stale side wins (higher version) and its timeline, holding the text, is the one kept.
    const stale = incident('core', 5, {}, { comments: [said], timeline: [entry] })
    const retracted = incident(
      'console',
      4,
      {},
      {
        comments: [{ ...said, body: '', retracted: { at: retraction.at, actor: 'bob' } }],
        timeline: [{ ...entry, text: 'a: (comment retracted by bob at 2026-12-07T10:02:00.000Z)' }],
        removed: [retraction],
      },
    )
    for (const body of [
      mergeVersions(base, stale, retracted).body,
      withUnion('incident', stale.body, retracted.body)!,
    ])
      expect(JSON.stringify(body)).not.toContain('secret')
    // A timeline that says so already is no change.
    expect(withUnion('incident', retracted.body, stale.body)).toBeNull()
  })

  it('a removal on one side wins over the other side still holding it; a re-add after it is a new add', () => {
    const X = { type: 'ipv4', value: '10.0.0.9', added_at: '2026-12-07T10:00:00.000Z' }
    const removal = {
      part: 'observables',
      key: 'ipv4:10.0.0.9',
      upto: X.added_at,
      at: '2026-12-07T10:05:00.000Z',
      actor: 'alice',
    }
    const stale = incident('core', 3, {}, { observables: [X] })
    const removed = incident('console', 3, {}, { observables: [], removed: [removal] })
    expect(mergeVersions(base, stale, removed).body.observables).toEqual([])
    // The fast-forward does not bring it back from the stored version either.
    expect(withUnion('incident', removed.body, stale.body)).toBeNull()
    expect(withUnion('incident', stale.body, removed.body)?.observables).toEqual([])
    const again = { ...X, added_at: '2026-12-07T10:06:00.000Z' }
    const readded = incident('console', 4, {}, { observables: [again], removed: [removal] })
    expect(mergeVersions(base, stale, readded).body.observables).toEqual([again])
  })
})

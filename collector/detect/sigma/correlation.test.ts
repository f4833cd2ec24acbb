import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { loadSigmaFile, type EventRecord } from './compile'
import {
  createCorrelator,
  MAX_GROUPS,
  MAX_HIT_EVENTS,
  percentile,
  SWEEP_EVERY,
  type CorrelationHit,
} from './correlation'

/** Base rules a, b, c: EventID 1, 2, 3 (named a, b, c; ids rule-a, rule-b, rule-c). */
const BASE = ['a', 'b', 'c']
  .map(
    (name, i) => `title: Rule ${name}
id: rule-${name}
name: ${name}
logsource: { product: test }
detection:
  selection: { EventID: ${i + 1} }
  condition: selection
`,
  )
  .join('---\n')

const setup = (correlations: string) => {
  const { compiled, correlations: parsed, problems } = loadSigmaFile(`${BASE}---\n${correlations}`, 'c.yml')
  expect(problems).toEqual([])
  const correlator = createCorrelator(parsed, compiled)
  expect(correlator.problems).toEqual([])
  /** Feeds events (EventID picks the rule, t the time in seconds); returns the hits in order. */
  const feed = (events: (EventRecord & { t: number })[]): CorrelationHit[] =>
    events.flatMap((event) =>
      correlator.observe(
        compiled.filter((c) => c.matches(event)),
        event,
        event.t * 1000,
      ),
    )
  return { compiled, correlator, feed }
}

const counting = (gte: number, timespan = '10s', groupBy = '[Ip]') => `title: Many a
id: many-a
name: many_a
correlation:
  type: event_count
  rules: [a]
  group-by: ${groupBy}
  timespan: ${timespan}
  condition: { gte: ${gte} }
`

const a = (t: number, more: EventRecord = {}) => ({ EventID: 1, Ip: '10.0.0.1', t, ...more })
const b = (t: number, more: EventRecord = {}) => ({ EventID: 2, Ip: '10.0.0.1', t, ...more })
const c = (t: number, more: EventRecord = {}) => ({ EventID: 3, Ip: '10.0.0.1', t, ...more })

describe('event_count windows', () => {
  it('counts events less than a timespan apart: an event exactly a timespan on is outside', () => {
    expect(setup(counting(3)).feed([a(0), a(5), a(9.999)])).toHaveLength(1)
    expect(setup(counting(3)).feed([a(0), a(5), a(10)])).toEqual([])
    // The window slides: 0 falls out at 10, but 5, 10 and 14 are within 10s.
    expect(
      setup(counting(3))
        .feed([a(0), a(5), a(10), a(14)])
        .map((h) => h.endMs),
    ).toEqual([14_000])
  })

  it('reports the rule, the group, the contributing events and the window', () => {
    const [hit] = setup(counting(2)).feed([a(100, { n: 1 }), a(104, { n: 2 })])
    expect(hit).toMatchObject({
      rule: { id: 'many-a', title: 'Many a' },
      group: { Ip: '10.0.0.1' },
      startMs: 100_000,
      endMs: 104_000,
      value: 2,
    })
    expect(hit!.events.map((e) => e.n)).toEqual([1, 2])
  })

  it('resets the group after it fires, so one burst gives one hit', () => {
    const { feed } = setup(counting(2))
    expect(feed([a(0), a(1), a(2)])).toHaveLength(1)
    expect(feed([a(3)])).toHaveLength(1)
    expect(feed([a(4)])).toHaveLength(0)
  })

  it('keeps groups apart, and groups events without the field together (null)', () => {
    const { feed } = setup(counting(2))
    expect(feed([a(0), a(1, { Ip: '10.0.0.2' })])).toEqual([])
    const hits = feed([a(2, { Ip: '10.0.0.2' }), a(3, { Ip: null }), a(4, { Ip: undefined })])
    expect(hits.map((h) => h.group)).toEqual([{ Ip: '10.0.0.2' }, { Ip: null }])
  })

  it('counts over the whole stream without group-by', () => {
    const { feed } = setup(counting(2, '10s', '[]'))
    expect(feed([a(0, { Ip: 'x' }), a(1, { Ip: 'y' })]).map((h) => h.group)).toEqual([{}])
  })

  it('puts a late event in time order, and drops one a timespan behind', () => {
    expect(
      setup(counting(3))
        .feed([a(0), a(8), a(4)])
        .map((h) => [h.startMs, h.endMs]),
    ).toEqual([[0, 8000]])
    // 20 is the newest; 5 is more than 10s behind it and is dropped.
    expect(setup(counting(2)).feed([a(20), a(10), a(5)]).length).toBe(0)
    // A late event can complete a window that ends after it.
    expect(
      setup(counting(3))
        .feed([a(10), a(19), a(12)])
        .map((h) => h.endMs),
    ).toEqual([19_000])
  })

  it('counts an event matching two listed rules once', () => {
    const { feed } = setup(`title: ab
correlation: { type: event_count, rules: [a, both], group-by: [Ip], timespan: 10s, condition: { gte: 2 } }
---
title: Both
name: both
logsource: { product: test }
detection: { s: { EventID: 1 }, condition: s }
`)
    expect(feed([a(0)])).toEqual([])
    expect(feed([a(1)])).toHaveLength(1)
  })

  it(`caps the groups at ${MAX_GROUPS}, forgetting the least recently updated`, () => {
    const { feed } = setup(counting(2))
    feed([a(0, { Ip: 'first' })])
    feed(Array.from({ length: MAX_GROUPS }, (_, i) => a(1, { Ip: `ip-${i}` })))
    expect(feed([a(2, { Ip: 'first' })])).toEqual([])
    expect(feed([a(3, { Ip: `ip-${MAX_GROUPS - 1}` })])).toHaveLength(1)
  })

  it('sweeps groups idle for two timespans', () => {
    const { feed, correlator } = setup(counting(2))
    feed(Array.from({ length: 1000 }, (_, i) => a(0, { Ip: `old-${i}` })))
    expect(correlator.openGroups()).toBe(1000)
    feed(Array.from({ length: SWEEP_EVERY }, () => a(20, { Ip: 'new' })))
    expect(correlator.openGroups()).toBe(1)
  })

  it('evaluates lt/eq/neq on the window ending at each event', () => {
    const eq = setup(counting(2).replace('{ gte: 2 }', '{ eq: 2 }'))
    expect(eq.feed([a(0), a(1)])).toHaveLength(1)
    const lt = setup(counting(2).replace('{ gte: 2 }', '{ lt: 2 }'))
    expect(lt.feed([a(0)])).toHaveLength(1)
  })
})

describe('temporal and temporal_ordered', () => {
  const temporal = (type: string, extra = '') => `title: T
id: t
correlation:
  type: ${type}
  rules: [a, b, c]
  group-by: [Ip]
  timespan: 1m
${extra}`

  it('temporal: every listed rule within the timespan, in any order', () => {
    expect(setup(temporal('temporal')).feed([c(0), a(10), b(59.9)])).toHaveLength(1)
    expect(setup(temporal('temporal')).feed([c(0), a(10), a(20), b(60)])).toEqual([])
    expect(setup(temporal('temporal')).feed([a(0), b(1), c(2, { Ip: 'other' })])).toEqual([])
  })

  it('temporal with a condition counts the distinct rules seen', () => {
    const { feed } = setup(temporal('temporal', '  condition: { gte: 2 }\n'))
    expect(feed([a(0), a(1)])).toEqual([])
    expect(feed([c(2)])).toHaveLength(1)
  })

  it('temporal_ordered: the listed order, other matches in between allowed', () => {
    expect(setup(temporal('temporal_ordered')).feed([a(0), b(1), c(2)])).toHaveLength(1)
    expect(setup(temporal('temporal_ordered')).feed([a(0), c(1), b(2)])).toEqual([])
    expect(setup(temporal('temporal_ordered')).feed([b(0), a(1), c(2), b(3), a(4), c(5)])).toHaveLength(1)
    expect(setup(temporal('temporal_ordered')).feed([c(0), b(1), a(2)])).toEqual([])
  })

  it('temporal_ordered orders by event time, not arrival', () => {
    expect(setup(temporal('temporal_ordered')).feed([b(10), a(5), c(20)])).toHaveLength(1)
    expect(setup(temporal('temporal_ordered')).feed([a(10), b(5), c(20)])).toEqual([])
  })

  it('reads group-by aliases from each rule its own field', () => {
    const { feed } = setup(`title: Aliased
correlation:
  type: temporal_ordered
  rules: [a, b]
  group-by: [ip]
  timespan: 1m
  aliases:
    ip:
      a: source.ip
      b: destination.ip
`)
    const hits = feed([
      { EventID: 1, t: 0, source: { ip: '1.1.1.1' }, destination: { ip: '9.9.9.9' } },
      { EventID: 2, t: 1, source: { ip: '9.9.9.9' }, destination: { ip: '2.2.2.2' } },
      { EventID: 2, t: 2, 'destination.ip': '1.1.1.1' },
    ])
    expect(hits.map((h) => [h.group, h.events.length])).toEqual([[{ ip: '1.1.1.1' }, 2]])
  })
})

describe('value_count and numeric aggregates', () => {
  const value = (type: string, condition: string) => `title: V
correlation:
  type: ${type}
  rules: [a]
  group-by: [Ip]
  timespan: 1m
  condition: ${condition}
`

  it('value_count counts distinct values of the field', () => {
    const { feed } = setup(value('value_count', '{ field: User, gte: 3 }'))
    expect(feed([a(0, { User: 'x' }), a(1, { User: 'x' }), a(2, { User: 'y' }), a(3)])).toEqual([])
    const [hit] = feed([a(4, { User: 'z' })])
    expect(hit?.value).toBe(3)
  })

  it('value_sum adds the numeric values, numeric strings included, and skips the rest', () => {
    const { feed } = setup(value('value_sum', '{ field: Bytes, gt: 100 }'))
    expect(feed([a(0, { Bytes: 60 }), a(1, { Bytes: 'lots' }), a(2, { Bytes: '40' })])).toEqual([])
    expect(feed([a(3, { Bytes: 0.5 })]).map((h) => h.value)).toEqual([100.5])
  })

  it('value_avg averages the numeric values', () => {
    const { feed } = setup(value('value_avg', '{ field: Bytes, gte: 10 }'))
    expect(feed([a(0, { Bytes: 4 })])).toEqual([])
    expect(feed([a(1, { Bytes: 16 })]).map((h) => h.value)).toEqual([10])
  })

  it('value_percentile interpolates between ranks', () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5)
    expect(percentile([1, 2, 3, 4], 100)).toBe(4)
    expect(percentile([1, 2, 3, 4], 0)).toBe(1)
    expect(percentile([10], 95)).toBe(10)
    const { feed } = setup(value('value_percentile', '{ field: Ms, percentile: 90, gt: 500 }'))
    expect(feed([a(0, { Ms: 100 }), a(1, { Ms: 100 }), a(2, { Ms: 100 })])).toEqual([])
    expect(feed([a(3, { Ms: 2000 })])[0]?.value).toBeCloseTo(1430)
  })

  it('a window without numeric values does not fire', () => {
    const { feed } = setup(value('value_sum', '{ field: Bytes, lt: 10 }'))
    expect(feed([a(0)])).toEqual([])
  })
})

describe('chaining and generate', () => {
  // The correlation specification's example: many failed logins followed by a successful one.
  const CHAIN = `title: Failed then successful
id: chain
level: high
correlation:
  type: temporal_ordered
  rules: [many_failed, b]
  group-by: [User]
  timespan: 10m
---
title: Many failed
id: many-failed
name: many_failed
correlation:
  type: event_count
  rules: [a]
  group-by: [User]
  timespan: 10m
  condition: { gte: 3 }
`
  const failed = (t: number, user = 'bob') => a(t, { User: user })
  const success = (t: number, user = 'bob') => b(t, { User: user })

  it('feeds the hits of one correlation to the correlations naming it', () => {
    const { feed } = setup(CHAIN)
    expect(feed([success(0), failed(1), failed(2)])).toEqual([])
    const hits = feed([failed(3), success(4)])
    expect(hits.map((h) => [h.rule.id, h.endMs])).toEqual([
      ['many-failed', 3000],
      ['chain', 4000],
    ])
    expect(hits[1]!.group).toEqual({ User: 'bob' })
    expect(hits[1]!.events.map((e) => e.EventID)).toEqual([1, 1, 1, 2])
  })

  it('needs the order: a success before the failures does not fire', () => {
    const { feed } = setup(CHAIN)
    expect(feed([success(0), failed(1), failed(2), failed(3)]).map((h) => h.rule.id)).toEqual(['many-failed'])
  })

  it('suppresses the rules and correlations named only by correlations with generate false', () => {
    const { correlator, compiled } = setup(CHAIN)
    expect([...correlator.suppressedRules].map((r) => r.rule.id).sort()).toEqual(['rule-a', 'rule-b'])
    expect([...correlator.suppressedCorrelations].map((r) => r.id)).toEqual(['many-failed'])
    expect(correlator.correlations.map((r) => r.id)).toEqual(['many-failed', 'chain'])
    expect(compiled).toHaveLength(3)
  })

  it('reports the rules of a correlation with generate true', () => {
    const { correlator } = setup(CHAIN.replace('level: high\n', 'level: high\ngenerate: true\n'))
    expect([...correlator.suppressedRules].map((r) => r.rule.id)).toEqual(['rule-a'])
    expect(correlator.suppressedCorrelations.size).toBe(0)
  })

  it('drops correlations naming unknown rules, or chained in a cycle, with a problem each', () => {
    const text = `${BASE}---
title: Unknown
name: unknown
correlation: { type: event_count, rules: [a, nowhere], timespan: 1m, condition: { gte: 1 } }
---
title: Over unknown
correlation: { type: event_count, rules: [unknown], timespan: 1m, condition: { gte: 1 } }
---
title: Loop 1
name: loop1
correlation: { type: event_count, rules: [loop2], timespan: 1m, condition: { gte: 1 } }
---
title: Loop 2
name: loop2
correlation: { type: event_count, rules: [loop1], timespan: 1m, condition: { gte: 1 } }
---
title: Fine
correlation: { type: event_count, rules: [a], timespan: 1m, condition: { gte: 1 } }
`
    const { compiled, correlations } = loadSigmaFile(text, 'c.yml')
    const correlator = createCorrelator(correlations, compiled)
    expect(correlator.correlations.map((c) => c.title)).toEqual(['Fine'])
    expect(correlator.problems.map((p) => [p.line, p.reason])).toEqual([
      [27, 'correlation.rules names nowhere: no such rule loaded'],
      [30, 'correlation.rules names unknown, which did not load'],
      [34, 'correlation.rules chains correlations in a cycle'],
      [38, 'correlation.rules chains correlations in a cycle'],
    ])
  })
})

describe('event_count against a brute-force oracle', () => {
  /** Hit times the specification's semantics give, with the reset after each hit. */
  const oracle = (times: number[], span: number, n: number): number[] => {
    const hits: number[] = []
    let from = 0
    times.forEach((t, i) => {
      const inWindow = times.slice(from, i + 1).filter((u) => u > t - span).length
      if (inWindow >= n) {
        hits.push(t)
        from = i + 1
      }
    })
    return hits
  }

  it('fires exactly when some window of the timespan holds N events of one group', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 8 }), group: fc.integer({ min: 0, max: 2 }) }), {
          maxLength: 60,
        }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 10 }),
        (steps, n, spanSeconds) => {
          const { feed } = setup(counting(n, `${spanSeconds}s`))
          let t = 0
          const events = steps.map(({ gap, group }) => {
            t += gap
            return a(t, { Ip: `g${group}` })
          })
          const hits = feed(events)
          for (const group of [0, 1, 2]) {
            const times = events.filter((e) => e.Ip === `g${group}`).map((e) => e.t * 1000)
            expect(hits.filter((h) => h.group.Ip === `g${group}`).map((h) => h.endMs)).toEqual(
              oracle(times, spanSeconds * 1000, n),
            )
          }
        },
      ),
      { numRuns: 300 },
    )
  })

  it('gives the same first hit when events within a timespan arrive out of order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 4 }), { minLength: 1, maxLength: 30 }),
        fc.integer({ min: 2, max: 4 }),
        fc.integer({ min: 0, max: 1000 }),
        (gaps, n, seed) => {
          const span = 10
          let t = 0
          const times = gaps.map((gap) => (t += gap))
          // Swap neighbours less than a timespan apart, so no event is a timespan late.
          const shuffled = [...times]
          for (let i = seed % 2; i + 1 < shuffled.length; i += 2)
            if (shuffled[i + 1]! - shuffled[i]! < span / 2)
              [shuffled[i], shuffled[i + 1]] = [shuffled[i + 1]!, shuffled[i]!]
          const first = (ordered: number[]) =>
            setup(counting(n, `${span}s`)).feed(ordered.map((u) => a(u)))[0]
          const inOrder = first(times)
          const outOfOrder = first(shuffled)
          // Whether any window holds n events does not depend on arrival order.
          expect(outOfOrder === undefined).toBe(inOrder === undefined)
        },
      ),
      { numRuns: 200 },
    )
  })
})

describe('temporal types against a brute-force oracle', () => {
  const make = (type: string) => `title: T
correlation: { type: ${type}, rules: [a, b, c], group-by: [Ip], timespan: 10s }
`
  /** The time of the first window (t - 10s, t] holding a, b, c (in that order when `ordered`). */
  const firstHit = (events: { id: number; t: number }[], ordered: boolean): number | undefined =>
    events.find((end, i) => {
      const window = events.slice(0, i + 1).filter((e) => e.t > end.t - 10)
      if (!ordered) return [1, 2, 3].every((id) => window.some((e) => e.id === id))
      let next = 1
      for (const e of window) if (e.id === next) next++
      return next === 4
    })?.t

  it.each([
    ['temporal', false],
    ['temporal_ordered', true],
  ])('%s fires first where the oracle says', (type, ordered) => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ gap: fc.integer({ min: 0, max: 6 }), id: fc.integer({ min: 1, max: 3 }) }), {
          maxLength: 40,
        }),
        (steps) => {
          let t = 0
          const events = steps.map(({ gap, id }) => ({ id, t: (t += gap) }))
          const hits = setup(make(type)).feed(events.map((e) => ({ EventID: e.id, Ip: 'x', t: e.t })))
          expect(hits[0]?.endMs).toEqual(
            firstHit(events, ordered) === undefined ? undefined : firstHit(events, ordered)! * 1000,
          )
        },
      ),
      { numRuns: 300 },
    )
  })
})

describe('hit size', () => {
  it('keeps the newest MAX_HIT_EVENTS contributing events', () => {
    const [hit] = setup(counting(150, '1h')).feed(Array.from({ length: 150 }, (_, i) => a(i, { n: i })))
    expect(hit!.value).toBe(150)
    expect(hit!.events).toHaveLength(MAX_HIT_EVENTS)
    expect(hit!.events[0]!.n).toBe(50)
    expect(hit!.events[MAX_HIT_EVENTS - 1]!.n).toBe(149)
    expect(hit!.startMs).toBe(0)
  })
})

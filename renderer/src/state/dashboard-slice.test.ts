import { afterEach, describe, expect, it, vi } from 'vitest'
import type { CallRes } from '../../../collector/contract'
import { stackSeries } from './dashboard-slice'
import { fakeTransport } from './fake-transport'
import { createAppStore } from './store'

const summary = (events = 3): CallRes<'dashboard:summary'> => ({
  interval_ms: 60_000,
  from: 0,
  to: 120_000,
  events,
  by_severity: [
    { severity: 'high', points: [{ t: 0, count: 1 }] },
    {
      severity: 'info',
      points: [
        { t: 0, count: 1 },
        { t: 60_000, count: 1 },
      ],
    },
  ],
  by_listener: [],
  top_sources: [],
  top_hosts: [{ key: 'ws01', count: 3 }],
  top_users: [],
  top_processes: [],
  top_rules: [],
  alerts_by_level: [{ key: 'high', count: 1 }],
  incidents_by_status: [],
  tactics: [{ key: 'execution', count: 1 }],
  took_ms: 2,
})

const matrix = {
  ok: true,
  value: {
    imported: null,
    tactics: [
      { id: 'TA0002', shortname: 'execution', name: 'Execution', techniques: [] },
      { id: '', shortname: '', name: 'Other', techniques: [] },
    ],
  },
} as const

afterEach(() => vi.useRealTimers())

describe('dashboard slice', () => {
  it('asks the summary for the chosen range, small series, and the tactic order once', async () => {
    const { transport, named } = fakeTransport({
      'dashboard:summary': () => ({ ok: true, value: summary() }),
      'attack:matrix': () => matrix,
    })
    const store = createAppStore(transport)
    await store.getState().loadDashboard()
    await store.getState().setDashboardPreset('7d')
    expect(named('dashboard:summary').map((c) => c.req)).toEqual([
      { from: '-24h', buckets: 48, top: 10 },
      { from: '-7d', buckets: 48, top: 10 },
    ])
    expect(named('attack:matrix')).toHaveLength(1)
    expect(store.getState().dashboardTactics).toEqual([{ shortname: 'execution', name: 'Execution' }])
    expect(store.getState().dashboard?.top_hosts[0]?.key).toBe('ws01')
  })

  it('keeps the error and the last summary when a reload fails', async () => {
    let fail = false
    const { transport } = fakeTransport({
      'dashboard:summary': () =>
        fail
          ? { ok: false, error: { code: 'unavailable', message: 'the core is starting' } }
          : { ok: true, value: summary() },
      'attack:matrix': () => matrix,
    })
    const store = createAppStore(transport)
    await store.getState().loadDashboard()
    fail = true
    await store.getState().loadDashboard()
    expect(store.getState().dashboardError).toBe('the core is starting')
    expect(store.getState().dashboard?.events).toBe(3)
  })

  it('stacks per-series points into one row per bucket', () => {
    expect(stackSeries(summary().by_severity.map((s) => ({ name: s.severity, points: s.points })))).toEqual([
      { t: 0, high: 1, info: 1 },
      { t: 60_000, info: 1 },
    ])
  })

  it('pushes reload it at most every 5 s, and only while it is on screen', async () => {
    vi.useFakeTimers()
    let events = 0
    const { transport, named } = fakeTransport({
      'dashboard:summary': () => ({ ok: true, value: summary(++events) }),
      'attack:matrix': () => matrix,
    })
    const store = createAppStore(transport)
    store.getState().dashboardChanged()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(named('dashboard:summary')).toHaveLength(0) // not watched: nothing to refresh

    store.getState().watchDashboard(true)
    await store.getState().loadDashboard()
    for (let i = 0; i < 50; i++) {
      store.getState().dashboardChanged()
      await vi.advanceTimersByTimeAsync(200)
    }
    // 10 s of pushes: the first load plus one every 5 s.
    expect(named('dashboard:summary').length).toBeLessThanOrEqual(3)
    expect(named('dashboard:summary').length).toBeGreaterThanOrEqual(2)
    store.getState().watchDashboard(false)
    const before = named('dashboard:summary').length
    store.getState().dashboardChanged()
    await vi.advanceTimersByTimeAsync(10_000)
    expect(named('dashboard:summary')).toHaveLength(before)
  })
})

import { describe, expect, it, vi } from 'vitest'
import type { Alert, CallName, Incident, Result } from '../../../collector/contract'
import type { Transport } from '../transport'
import { alertMatches, type AlertFilter } from './alerts-slice'
import { createAppStore } from './store'

const alert = (seq: number, patch: Partial<Alert> = {}): Alert => ({
  seq,
  id: `a-${seq}`,
  created_at: new Date(seq * 1000).toISOString(),
  updated_at: new Date(seq * 1000).toISOString(),
  timestamp: new Date(seq * 1000).toISOString(),
  last_timestamp: new Date(seq * 1000).toISOString(),
  origin: 'sigma',
  rule_id: `rule-${seq}`,
  rule_key: `rule-${seq}`,
  title: `Alert ${seq}`,
  level: 'medium',
  tags: ['attack.execution', 'attack.t1059'],
  techniques: ['T1059'],
  tactics: ['execution'],
  author: 'Florian Roth',
  license: 'DRL-1.1',
  host: 'ws-01',
  user: 'alice',
  event_id: `e-${seq}`,
  event_ids: [`e-${seq}`],
  count: 1,
  group: null,
  status: 'new',
  incident_id: null,
  note: null,
  ...patch,
})

const incident = (id: string): Incident => ({
  seq: 1,
  id,
  title: 'Suspicious execution',
  description: '',
  severity: 'high',
  status: 'new',
  created_at: '2026-11-22T10:00:00Z',
  updated_at: '2026-11-22T10:00:00Z',
  first_timestamp: '2026-11-22T10:00:00Z',
  last_timestamp: '2026-11-22T10:00:00Z',
  group: {},
  alert_count: 1,
  origin: 'analyst',
  techniques: [],
  assignee: null,
  tlp: 'amber',
  pap: 'amber',
  operation_id: null,
})

/** A transport whose answers the test hands out, in order, when it chooses. */
const fakeTransport = () => {
  const calls: Array<{ name: CallName; req: unknown; answer: (r: Result<unknown>) => void }> = []
  const transport: Transport = {
    kind: 'http',
    invoke: (name, req) =>
      new Promise((resolve) => calls.push({ name, req, answer: resolve as (r: Result<unknown>) => void })),
    on: () => () => {},
    onConnection: () => () => {},
    upload: () => Promise.resolve({ ok: true, value: { upload_id: 'u' } }),
    pathForFile: () => null,
  }
  return { transport, calls }
}

const loaded = async (alerts: Alert[], filter: Partial<AlertFilter> = {}) => {
  const fake = fakeTransport()
  const store = createAppStore(fake.transport)
  const loading = store.getState().setAlertFilter(filter)
  fake.calls.at(-1)!.answer({ ok: true, value: { alerts, total: alerts.length } })
  await loading
  return { ...fake, store }
}

describe('alert filter', () => {
  const all: AlertFilter = { status: [], minLevel: null, query: '', incidentId: null }
  it('matches status, minimum level, text and incident as the core does', () => {
    expect(alertMatches(alert(1), all)).toBe(true)
    expect(alertMatches(alert(1), { ...all, status: ['acknowledged'] })).toBe(false)
    expect(alertMatches(alert(1, { level: 'high' }), { ...all, minLevel: 'medium' })).toBe(true)
    expect(alertMatches(alert(1, { level: 'low' }), { ...all, minLevel: 'medium' })).toBe(false)
    expect(alertMatches(alert(1), { ...all, query: 'WS-0' })).toBe(true)
    expect(alertMatches(alert(1), { ...all, query: 't1059' })).toBe(true)
    expect(alertMatches(alert(1), { ...all, query: 'bob' })).toBe(false)
    expect(alertMatches(alert(1), { ...all, incidentId: 'i-1' })).toBe(false)
    expect(alertMatches(alert(1, { incident_id: 'i-1' }), { ...all, incidentId: 'i-1' })).toBe(true)
  })
})

describe('alerts slice', () => {
  it('sends the filter to alerts:list', async () => {
    const { calls } = await loaded([], {
      status: ['new', 'acknowledged'],
      minLevel: 'high',
      query: ' psexec ',
    })
    expect(calls[0]!.req).toEqual({
      limit: 200,
      status: ['new', 'acknowledged'],
      min_level: 'high',
      query: 'psexec',
    })
  })

  it('merges raised alerts newest first, folds repeats in place, and skips what the filter hides', async () => {
    const { store } = await loaded([alert(2), alert(1)], { minLevel: 'medium' })
    store.getState().alertsRaised([
      { alerts: [alert(4), alert(3, { level: 'low' })] },
      { alerts: [alert(5)] },
      { alerts: [alert(2, { count: 7 })] }, // folded: same alert, more matches
    ])
    expect(store.getState().alerts.map((a) => a.seq)).toEqual([5, 4, 2, 1])
    expect(store.getState().alerts.find((a) => a.seq === 2)?.count).toBe(7)
    expect(store.getState().alertsTotal).toBe(4)
  })

  it('keeps alerts raised while the first page was loading', async () => {
    const { transport, calls } = fakeTransport()
    const store = createAppStore(transport)
    const loading = store.getState().loadAlerts()
    store.getState().alertsRaised([{ alerts: [alert(3)] }])
    calls[0]!.answer({ ok: true, value: { alerts: [alert(2), alert(1)], total: 2 } })
    await loading
    expect(store.getState().alerts.map((a) => a.seq)).toEqual([3, 2, 1])
    expect(store.getState().alertsTotal).toBe(3)
  })

  it('shows only what a narrower filter returns, not the alerts of the previous one', async () => {
    const { store, calls } = await loaded([alert(2, { level: 'low' }), alert(1, { level: 'critical' })])
    const narrowing = store.getState().setAlertFilter({ minLevel: 'high' })
    calls[1]!.answer({ ok: true, value: { alerts: [alert(1, { level: 'critical' })], total: 1 } })
    await narrowing
    expect(store.getState().alerts.map((a) => a.seq)).toEqual([1])
    expect(store.getState().alertsTotal).toBe(1)
  })

  it('pages older alerts with the before cursor and the same filter', async () => {
    const page = Array.from({ length: 200 }, (_, i) => alert(400 - i))
    const { store, calls } = await loaded(page, { status: ['new'] })
    expect(store.getState().alertsHasOlder).toBe(true)
    const older = store.getState().loadOlderAlerts()
    expect(calls[1]!.req).toEqual({ limit: 200, before: 201, status: ['new'] })
    // One alert moved between pages while scrolling: it is not listed twice.
    calls[1]!.answer({ ok: true, value: { alerts: [alert(201), alert(200), alert(199)], total: 203 } })
    await older
    expect(store.getState().alerts).toHaveLength(202)
    expect(store.getState().alerts.at(-1)?.seq).toBe(199)
    expect(store.getState().alertsHasOlder).toBe(false)
  })

  it('drops the answer to a filter the analyst has already changed', async () => {
    const { transport, calls } = fakeTransport()
    const store = createAppStore(transport)
    const first = store.getState().setAlertFilter({ query: 'a' })
    const second = store.getState().setAlertFilter({ query: 'ab' })
    calls[1]!.answer({ ok: true, value: { alerts: [alert(2)], total: 1 } })
    calls[0]!.answer({ ok: true, value: { alerts: [alert(1), alert(2)], total: 2 } })
    await Promise.all([first, second])
    expect(store.getState().alerts.map((a) => a.seq)).toEqual([2])
  })

  it('applies an update at once and keeps the core answer', async () => {
    const { store, calls } = await loaded([alert(2), alert(1)])
    const updating = store.getState().updateAlerts(['a-1', 'a-2'], 'false_positive', ' test host ')
    expect(store.getState().alerts.map((a) => a.status)).toEqual(['false_positive', 'false_positive'])
    expect(calls[1]!.req).toEqual({ ids: ['a-1', 'a-2'], action: 'false_positive', note: 'test host' })
    calls[1]!.answer({
      ok: true,
      value: {
        alerts: [
          alert(1, { status: 'false_positive', note: 'test host' }),
          alert(2, { status: 'false_positive', note: 'test host' }),
        ],
      },
    })
    expect(await updating).toBe(true)
    expect(store.getState().alerts.map((a) => a.note)).toEqual(['test host', 'test host'])
  })

  it('rolls an optimistic update back when the core refuses it, keeping newer pushes', async () => {
    const { store, calls } = await loaded([alert(2), alert(1)])
    const updating = store.getState().updateAlerts(['a-1', 'a-2'], 'acknowledge')
    // Another analyst closed alert 2 meanwhile.
    store.getState().alertsUpdated([alert(2, { status: 'closed' })])
    calls[1]!.answer({ ok: false, error: { code: 'not_found', message: 'no alert a-9' } })
    expect(await updating).toBe(false)
    expect(store.getState().alerts.map((a) => [a.seq, a.status])).toEqual([
      [2, 'closed'],
      [1, 'new'],
    ])
    expect(store.getState().alertsError).toBe('no alert a-9')
  })

  it('removes updated alerts the status filter no longer shows', async () => {
    const { store } = await loaded([alert(2), alert(1)], { status: ['new'] })
    store.getState().alertsUpdated([alert(1, { status: 'closed' })])
    expect(store.getState().alerts.map((a) => a.seq)).toEqual([2])
    expect(store.getState().alertsTotal).toBe(1)
  })

  it('escalates to a new incident and remembers it; rolls back on failure', async () => {
    const { store, calls } = await loaded([alert(2), alert(1)])
    const escalating = store.getState().escalateAlerts(['a-2'], { title: 'Lateral movement', note: '' })
    expect(store.getState().alerts[0]!.status).toBe('escalated')
    expect(calls[1]!.req).toEqual({ ids: ['a-2'], title: 'Lateral movement' })
    calls[1]!.answer({
      ok: true,
      value: { incident: incident('i-1'), alerts: [alert(2, { status: 'escalated', incident_id: 'i-1' })] },
    })
    expect((await escalating)?.id).toBe('i-1')
    expect(store.getState().incidents.map((i) => i.id)).toEqual(['i-1'])
    expect(store.getState().alerts[0]!.incident_id).toBe('i-1')

    const failing = store.getState().escalateAlerts(['a-1'], { incidentId: 'i-1' })
    expect(store.getState().alerts[1]).toMatchObject({ status: 'escalated', incident_id: 'i-1' })
    calls[2]!.answer({ ok: false, error: { code: 'not_found', message: 'no incident i-1' } })
    expect(await failing).toBeNull()
    expect(store.getState().alerts[1]).toMatchObject({ status: 'new', incident_id: null })
  })

  it('fetches the matching events of the focused alert, dropping answers for one no longer focused', async () => {
    const { store, calls } = await loaded([alert(2, { event_ids: ['e-2', 'e-3'] }), alert(1)])
    const first = store.getState().focusAlert('a-2')
    const second = store.getState().focusAlert('a-1')
    expect(calls.slice(1).map((c) => c.req)).toEqual([{ id: 'e-2' }, { id: 'e-3' }, { id: 'e-1' }])
    const stored = (id: string) => ({
      ok: true as const,
      value: {
        event: {
          seq: 1,
          id,
          kind: 'event',
          timestamp: '2026-11-22T10:00:00Z',
          received_at: '2026-11-22T10:00:00Z',
          listener: 'http',
          source: null,
          host: 'ws-01',
          severity: null,
          message: id,
          fields: {},
        },
      },
    })
    calls[3]!.answer(stored('e-1'))
    calls[1]!.answer(stored('e-2'))
    calls[2]!.answer(stored('e-3'))
    await Promise.all([first, second])
    expect(store.getState().focusedAlertEvents.map((e) => e.id)).toEqual(['e-1'])
  })

  it('refetches the detail events when a fold adds matches to the focused alert', async () => {
    const { store, calls } = await loaded([alert(1)])
    void store.getState().focusAlert('a-1')
    expect(calls.slice(1).map((c) => c.req)).toEqual([{ id: 'e-1' }])
    store.getState().alertsRaised([{ alerts: [alert(1, { count: 2, event_ids: ['e-1', 'e-9'] })] }])
    expect(calls.slice(2).map((c) => c.req)).toEqual([{ id: 'e-1' }, { id: 'e-9' }])
    store.getState().alertsUpdated([alert(1, { count: 2, event_ids: ['e-1', 'e-9'], status: 'closed' })])
    expect(calls).toHaveLength(4) // a status change alone fetches nothing
  })

  it('reloads incidents once per burst of alerts that belong to one, once the view wanted them', async () => {
    vi.useFakeTimers()
    try {
      const { transport, calls } = fakeTransport()
      const store = createAppStore(transport)
      const grouped = alert(1, { incident_id: 'i-1' })
      store.getState().alertsRaised([{ alerts: [grouped] }])
      await vi.advanceTimersByTimeAsync(500)
      expect(calls).toHaveLength(0) // nobody has asked for incidents yet
      const loading = store.getState().loadIncidents()
      calls[0]!.answer({ ok: true, value: { incidents: [] } })
      await loading
      store.getState().alertsRaised([{ alerts: [alert(2)] }]) // in no incident
      store.getState().alertsRaised([{ alerts: [alert(3, { incident_id: 'i-1' })] }])
      store.getState().alertsUpdated([alert(1, { incident_id: 'i-2', status: 'escalated' })])
      await vi.advanceTimersByTimeAsync(500)
      expect(calls.map((c) => c.name)).toEqual(['incidents:list', 'incidents:list'])
      calls[1]!.answer({ ok: true, value: { incidents: [incident('i-1'), incident('i-2')] } })
      await vi.advanceTimersByTimeAsync(0)
      expect(store.getState().incidents.map((i) => i.id)).toEqual(['i-1', 'i-2'])
    } finally {
      vi.useRealTimers()
    }
  })

  it('counts new alerts for the nav once per burst of pushes', async () => {
    vi.useFakeTimers()
    try {
      const { transport, calls } = fakeTransport()
      const store = createAppStore(transport)
      for (let i = 0; i < 10; i++) store.getState().countNewAlerts()
      await vi.advanceTimersByTimeAsync(500)
      expect(calls.map((c) => [c.name, c.req])).toEqual([['alerts:list', { limit: 1, status: ['new'] }]])
      calls[0]!.answer({ ok: true, value: { alerts: [alert(7)], total: 7 } })
      await vi.advanceTimersByTimeAsync(0)
      expect(store.getState().newAlertsCount).toBe(7)
    } finally {
      vi.useRealTimers()
    }
  })
})

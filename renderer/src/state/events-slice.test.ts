import { describe, expect, it } from 'vitest'
import type { CallName, EventSummary, Result } from '../../../collector/contract'
import type { Transport } from '../transport'
import { MAX_EVENTS_IN_VIEW } from './events-slice'
import { createAppStore } from './store'

const ev = (seq: number): EventSummary => ({
  seq,
  id: `id-${seq}`,
  kind: 'event',
  timestamp: new Date(seq * 1000).toISOString(),
  received_at: new Date(seq * 1000).toISOString(),
  listener: 'http',
  source: null,
  host: null,
  severity: null,
  message: `m${seq}`,
})
const newestFirst = (from: number, to: number): EventSummary[] =>
  Array.from({ length: to - from + 1 }, (_, i) => ev(to - i))

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

describe('events slice', () => {
  it('merges pushed batches newest first, ignoring duplicates', () => {
    const store = createAppStore(fakeTransport().transport)
    store.getState().eventsAppended([{ total: 2, events: [ev(2), ev(1)] }])
    store.getState().eventsAppended([
      { total: 4, events: [ev(4), ev(3)] },
      { total: 5, events: [ev(5)] },
      { total: 5, events: [ev(5), ev(2)] }, // a replay after reconnect
    ])
    expect(store.getState().events.map((e) => e.seq)).toEqual([5, 4, 3, 2, 1])
    expect(store.getState().eventsTotal).toBe(5)
  })

  it('keeps pushes that arrived while the first page was loading', async () => {
    const { transport, calls } = fakeTransport()
    const store = createAppStore(transport)
    const loading = store.getState().loadEvents()
    store.getState().eventsAppended([{ total: 11, events: [ev(11)] }])
    calls[0]!.answer({ ok: true, value: { events: newestFirst(1, 10), total: 10 } })
    await loading
    expect(store.getState().events.map((e) => e.seq)).toEqual([11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1])
    expect(store.getState().eventsTotal).toBe(11)
  })

  it('pages older events with the before cursor', async () => {
    const { transport, calls } = fakeTransport()
    const store = createAppStore(transport)
    const first = store.getState().loadEvents()
    calls[0]!.answer({ ok: true, value: { events: newestFirst(201, 400), total: 400 } })
    await first
    expect(store.getState().hasOlder).toBe(true)
    const older = store.getState().loadOlderEvents()
    expect(calls[1]!.req).toEqual({ limit: 200, before: 201 })
    calls[1]!.answer({ ok: true, value: { events: newestFirst(1, 200), total: 400 } })
    await older
    expect(store.getState().events).toHaveLength(400)
    expect(store.getState().events.at(-1)?.seq).toBe(1)
  })

  it('holds a bounded window of events however many are pushed', () => {
    const store = createAppStore(fakeTransport().transport)
    for (let batch = 0; batch < 30; batch++) {
      store
        .getState()
        .eventsAppended([
          { total: (batch + 1) * 500, events: newestFirst(batch * 500 + 1, batch * 500 + 500) },
        ])
    }
    expect(store.getState().events).toHaveLength(MAX_EVENTS_IN_VIEW)
    expect(store.getState().events[0]?.seq).toBe(15000)
    expect(store.getState().eventsTotal).toBe(15000)
  })

  it('shows a failed call as an error, and drops a detail answer the analyst no longer wants', async () => {
    const { transport, calls } = fakeTransport()
    const store = createAppStore(transport)
    const loading = store.getState().loadEvents()
    calls[0]!.answer({ ok: false, error: { code: 'unavailable', message: 'cannot reach Outpost' } })
    await loading
    expect(store.getState().eventsError).toBe('cannot reach Outpost')

    const a = store.getState().selectEvent('a')
    const b = store.getState().selectEvent('b')
    calls[2]!.answer({ ok: true, value: { event: { ...ev(2), id: 'b', fields: {} } } })
    calls[1]!.answer({ ok: true, value: { event: { ...ev(1), id: 'a', fields: {} } } })
    await Promise.all([a, b])
    expect(store.getState().selectedEvent?.id).toBe('b')
  })
})

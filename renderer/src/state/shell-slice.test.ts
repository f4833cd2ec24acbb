import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Result, SearchHit } from '../../../collector/contract'
import { fakeTransport } from './fake-transport'
import { ruleLicenses, TOAST_MS } from './shell-slice'
import { createAppStore } from './store'

const hit = (title: string): SearchHit => ({
  kind: 'operation',
  id: title,
  title,
  detail: null,
  route: { view: 'operations', params: { id: title } },
})

describe('palette search', () => {
  it('asks the core for a few of each kind and keeps only the latest answer', async () => {
    const pending: Array<(r: Result<unknown>) => void> = []
    const { transport } = fakeTransport({})
    transport.invoke = () => new Promise((resolve) => pending.push(resolve as never))
    const store = createAppStore(transport)
    const first = store.getState().searchGlobal('nig')
    const second = store.getState().searchGlobal('nightjar')
    // The later search answers first; the earlier, slower answer must not overwrite it.
    pending[1]!({ ok: true, value: { hits: [hit('Op NIGHTJAR')] } })
    await second
    pending[0]!({ ok: true, value: { hits: [hit('stale')] } })
    await first
    expect(store.getState().searchHits.map((h) => h.title)).toEqual(['Op NIGHTJAR'])
  })

  it('sends the trimmed text and clears the hits for an empty one without asking', async () => {
    const { transport, named } = fakeTransport({
      'search:global': () => ({ ok: true, value: { hits: [hit('x')] } }),
    })
    const store = createAppStore(transport)
    await store.getState().searchGlobal('  ws01 ')
    expect(named('search:global').map((c) => c.req)).toEqual([{ text: 'ws01', limit: 5 }])
    await store.getState().searchGlobal('   ')
    expect(named('search:global')).toHaveLength(1)
    expect(store.getState().searchHits).toEqual([])
  })

  it('shows the core’s refusal', async () => {
    const { transport } = fakeTransport({
      'search:global': () => ({ ok: false, error: { code: 'invalid_request', message: 'too long' } }),
    })
    const store = createAppStore(transport)
    await store.getState().searchGlobal('x')
    expect(store.getState().searchError).toBe('too long')
  })
})

describe('toasts and counters', () => {
  beforeEach(() => {
    vi.useFakeTimers()
  })
  afterEach(() => {
    vi.useRealTimers()
  })

  it('results dismiss themselves; errors stay until dismissed; at most four at once', () => {
    const store = createAppStore(fakeTransport({}).transport)
    store.getState().toast('ok', 'Report exported')
    store.getState().toast('error', 'Export failed: disk full')
    vi.advanceTimersByTime(TOAST_MS + 1)
    expect(store.getState().toasts.map((t) => t.text)).toEqual(['Export failed: disk full'])
    store.getState().dismissToast(store.getState().toasts[0]!.id)
    expect(store.getState().toasts).toEqual([])
    for (let i = 0; i < 6; i++) store.getState().toast('info', `t${i}`)
    expect(store.getState().toasts.map((t) => t.text)).toEqual(['t2', 't3', 't4', 't5'])
  })

  it('counts open incidents and pending approvals, once for a burst of pushes', async () => {
    const { transport, named } = fakeTransport({
      'incidents:list': () => ({
        ok: true,
        value: { incidents: [{ status: 'new' }, { status: 'closed' }, { status: 'triage' }] },
      }),
      'actions:list': () => ({ ok: true, value: { actions: [{}, {}] } }),
    })
    const store = createAppStore(transport)
    for (let i = 0; i < 10; i++) store.getState().countShell()
    await vi.advanceTimersByTimeAsync(1000)
    expect(named('incidents:list')).toHaveLength(1)
    expect(named('actions:list').map((c) => c.req)).toEqual([{ status: 'proposed', limit: 1000 }])
    expect(store.getState()).toMatchObject({ openIncidents: 2, pendingApprovals: 2 })
  })
})

describe('rule attribution', () => {
  it('groups rules by license with their authors, for the About view', () => {
    expect(
      ruleLicenses([
        { license: 'DRL-1.1', author: 'Florian Roth (Nextron Systems), Markus Neis' },
        { license: 'DRL-1.1', author: 'Markus Neis' },
        { license: null, author: null },
      ]),
    ).toEqual([
      { license: 'DRL-1.1', rules: 2, authors: ['Florian Roth (Nextron Systems)', 'Markus Neis'] },
      { license: 'unstated', rules: 1, authors: [] },
    ])
  })
})

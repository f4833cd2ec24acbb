import { describe, expect, it, vi } from 'vitest'
import type { TaxiiSource, WatchlistIndicator } from '../../../collector/contract'
import { fakeTransport } from './fake-transport'
import { HITS_RELOAD_MS, WATCHLIST_LIMIT } from './intel-feeds-slice'
import { connectStore, createAppStore } from './store'

const source = (patch: Partial<TaxiiSource> = {}): TaxiiSource => ({
  name: 'partner-feed',
  url: 'https://taxii.example/api1/collections/c1/objects/',
  interval_s: 3600,
  added_after: null,
  last_pull_at: null,
  last_ok_at: null,
  last_error: null,
  last_stored: 0,
  last_skipped: {},
  indicators: 0,
  running: false,
  ...patch,
})

const indicator: WatchlistIndicator = {
  list: 'taxii:partner-feed',
  type: 'domain',
  value: 'evil.example',
  source: 'indicator--1',
  valid_from: null,
  valid_until: null,
  version: '2026-12-07T10:00:00.000Z',
  level: null,
  hits: 0,
  last_hit_at: null,
}

describe('intel feeds slice', () => {
  it('loads the sources and the watchlist, and says what failed', async () => {
    const fake = fakeTransport({
      'taxii:sources': () => ({ ok: true, value: { sources: [source()] } }),
      'watchlist:list': () => ({
        ok: false,
        error: { code: 'internal', message: 'watchlist:list failed: disk' },
      }),
    })
    const store = createAppStore(fake.transport)
    await store.getState().loadIntelFeeds()
    expect(store.getState().taxiiSources).toEqual([source()])
    expect(store.getState().watchlist).toEqual([])
    expect(store.getState().intelError).toBe('watchlist:list failed: disk')
    expect(fake.named('watchlist:list')[0]!.req).toEqual({ limit: WATCHLIST_LIMIT })
  })

  it('pulls one source, reports what the pull did, then reloads both lists', async () => {
    let pulled = false
    const fake = fakeTransport({
      'taxii:sources': () => ({ ok: true, value: { sources: [source({ indicators: pulled ? 1 : 0 })] } }),
      'watchlist:list': () => ({
        ok: true,
        value: { indicators: pulled ? [indicator] : [], total: pulled ? 1 : 0 },
      }),
      'taxii:pull-now': () => {
        pulled = true
        return {
          ok: true,
          value: {
            results: [{ source: 'partner-feed', stored: 1, removed: 0, skipped: {}, pages: 1, error: null }],
          },
        }
      },
    })
    const store = createAppStore(fake.transport)
    await store.getState().taxiiPullNow('partner-feed')
    expect(fake.named('taxii:pull-now')[0]!.req).toEqual({ source: 'partner-feed' })
    expect(store.getState()).toMatchObject({
      taxiiPulling: null,
      intelNotice: 'Pulled: 1 stored, 0 removed',
      watchlist: [indicator],
      watchlistTotal: 1,
      taxiiSources: [source({ indicators: 1 })],
    })
  })

  it("checks an indicator before sending it, each problem by its field, and names the core's refusal", async () => {
    const fake = fakeTransport({
      'taxii:sources': () => ({ ok: true, value: { sources: [] } }),
      'watchlist:list': () => ({ ok: true, value: { indicators: [], total: 0 } }),
      'watchlist:add': () => ({
        ok: false,
        error: { code: 'internal', message: 'watchlist:add failed: disk full' },
      }),
    })
    const store = createAppStore(fake.transport)
    const bad = await store.getState().watchlistSave({
      type: 'sha256',
      value: 'abc',
      valid_from: '2026-12-02T00:00:00Z',
      valid_until: '2026-12-01T00:00:00Z',
      level: '',
    })
    expect(bad).toEqual({
      ok: false,
      errors: {
        value: '"abc" is not 64 hex digits (sha256; it has 3 characters)',
        valid_until:
          'valid_until (2026-12-01T00:00:00.000Z) must be after valid_from (2026-12-02T00:00:00.000Z)',
      },
    })
    expect(fake.named('watchlist:add')).toHaveLength(0)
    const refused = await store.getState().watchlistSave({ type: 'ip', value: '203.0.113.7' })
    expect(refused).toEqual({ ok: false, errors: { form: 'watchlist:add failed: disk full' } })
    expect(fake.named('watchlist:add')[0]!.req).toEqual({ type: 'ip', value: '203.0.113.7' })
  })

  it('saves, removes and sorts through the contract, reloading the list each time', async () => {
    const saved = { ...indicator, list: 'analyst', source: null, level: 'critical' as const, hits: 3 }
    const fake = fakeTransport({
      'taxii:sources': () => ({ ok: true, value: { sources: [] } }),
      'watchlist:list': () => ({ ok: true, value: { indicators: [saved], total: 1 } }),
      'watchlist:add': () => ({ ok: true, value: { indicator: saved, watchlist_size: 1, updated: true } }),
      'watchlist:remove': () => ({ ok: true, value: { removed: true, watchlist_size: 0 } }),
    })
    const store = createAppStore(fake.transport)
    expect(
      await store.getState().watchlistSave({
        type: 'Domain',
        value: ' Evil.Example ',
        level: 'critical',
        valid_until: '2030-01-01T00:00:00Z',
        source: '',
      }),
    ).toEqual({ ok: true, updated: true })
    expect(fake.named('watchlist:add')[0]!.req).toEqual({
      type: 'domain',
      value: 'evil.example',
      level: 'critical',
      valid_until: '2030-01-01T00:00:00.000Z',
    })
    expect(store.getState()).toMatchObject({
      watchlistNotice: 'Saved domain evil.example',
      watchlist: [saved],
    })
    await store.getState().watchlistRemove('domain', 'evil.example')
    expect(fake.named('watchlist:remove')[0]!.req).toEqual({ type: 'domain', value: 'evil.example' })
    expect(store.getState().watchlistNotice).toBe('Removed domain evil.example')
    await store.getState().setWatchlistSort('hits')
    expect(fake.named('watchlist:list').at(-1)!.req).toEqual({ limit: WATCHLIST_LIMIT, sort: 'hits' })
  })

  it('reloads the watchlist once for a stream of alert pushes while the panel is shown, never when hidden', async () => {
    vi.useFakeTimers()
    try {
      const { transport, named, emit } = fakeTransport({
        'taxii:sources': () => ({ ok: true, value: { sources: [] } }),
        'watchlist:list': () => ({ ok: true, value: { indicators: [indicator], total: 1 } }),
      })
      const store = createAppStore(transport)
      const stop = connectStore(store, transport)
      await store.getState().loadIntelFeeds()
      store.getState().watchIntel(true)
      for (let i = 0; i < 20; i++) emit('alerts:updated', { alerts: [] })
      await vi.advanceTimersByTimeAsync(HITS_RELOAD_MS)
      expect(named('watchlist:list')).toHaveLength(2)
      store.getState().watchIntel(false)
      emit('alerts:updated', { alerts: [] })
      await vi.advanceTimersByTimeAsync(HITS_RELOAD_MS * 2)
      expect(named('watchlist:list')).toHaveLength(2)
      stop()
    } finally {
      vi.useRealTimers()
    }
  })
})

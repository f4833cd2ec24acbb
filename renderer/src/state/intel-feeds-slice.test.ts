import { describe, expect, it } from 'vitest'
import type { TaxiiSource, WatchlistIndicator } from '../../../collector/contract'
import { fakeTransport } from './fake-transport'
import { WATCHLIST_LIMIT } from './intel-feeds-slice'
import { createAppStore } from './store'

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
})

import { afterEach, describe, expect, it, vi } from 'vitest'
import type { Asset, CallRes } from '../../../collector/contract'
import { fakeTransport } from './fake-transport'
import { createAppStore } from './store'

const asset = (patch: Partial<Asset> = {}): Asset => ({
  id: 'host:ws01',
  kind: 'host',
  value: 'WS01',
  first_seen: '2026-01-01T00:00:00Z',
  last_seen: '2026-01-02T00:00:00Z',
  events: 12,
  alerts: 1,
  owner: null,
  criticality: null,
  role: null,
  tags: [],
  note: null,
  updated_at: null,
  ...patch,
})

const page = (assets: Asset[], total = assets.length) =>
  ({ ok: true, value: { assets, total, kinds: { host: total } } }) as const

const detail = (a: Asset): CallRes<'assets:get'> => ({
  asset: a,
  links: [],
  alerts: [],
  incidents: [],
  events: [],
})

afterEach(() => vi.useRealTimers())

describe('assets slice', () => {
  it('sends only the filters set, and keeps counts per kind', async () => {
    const { transport, named } = fakeTransport({ 'assets:list': () => page([asset()]) })
    const store = createAppStore(transport)
    await store.getState().setAssetsFilter({ query: '  ws ', kind: 'host' })
    expect(named('assets:list').at(-1)?.req).toEqual({
      limit: 1000,
      offset: 0,
      sort: 'last_seen',
      query: 'ws',
      kind: 'host',
    })
    expect(store.getState().assetKinds).toEqual({ host: 1 })
    expect(store.getState().assetsLoaded).toBe(true)
  })

  it('pages on from where the list ends, without duplicates, and stops at the total', async () => {
    const first = Array.from({ length: 3 }, (_, i) => asset({ id: `ip:10.0.0.${i}`, kind: 'ip' }))
    let calls = 0
    const { transport, named } = fakeTransport({
      'assets:list': () =>
        ++calls === 1 ? page(first, 4) : page([first[2]!, asset({ id: 'ip:10.0.0.9' })], 4),
    })
    const store = createAppStore(transport)
    await store.getState().loadAssets()
    await store.getState().loadMoreAssets()
    expect(named('assets:list').at(-1)?.req).toMatchObject({ offset: 3 })
    expect(store.getState().assets.map((a) => a.id)).toEqual([
      'ip:10.0.0.0',
      'ip:10.0.0.1',
      'ip:10.0.0.2',
      'ip:10.0.0.9',
    ])
    await store.getState().loadMoreAssets()
    expect(named('assets:list')).toHaveLength(2)
  })

  it('saves manual fields into the page and the list; a refusal is kept for the form', async () => {
    const stored = asset()
    const { transport } = fakeTransport({
      'assets:list': () => page([stored]),
      'assets:get': () => ({ ok: true, value: detail(stored) }),
      'assets:update': (req) =>
        (req as { owner?: string }).owner === 'x'.repeat(300)
          ? { ok: false, error: { code: 'invalid_request', message: 'assets:update: owner: too long' } }
          : {
              ok: true,
              value: { asset: { ...stored, ...(req as object), updated_at: '2026-01-03T00:00:00Z' } },
            },
    })
    const store = createAppStore(transport)
    await store.getState().loadAssets()
    await store.getState().openAsset('host:ws01')
    expect(await store.getState().updateAsset('host:ws01', { owner: 'SOC', criticality: 'high' })).toBe(true)
    expect(store.getState().assetDetail?.asset.owner).toBe('SOC')
    expect(store.getState().assets[0]?.criticality).toBe('high')
    expect(await store.getState().updateAsset('host:ws01', { owner: 'x'.repeat(300) })).toBe(false)
    expect(store.getState().assetSaveError).toContain('owner')
    expect(store.getState().assetDetail?.asset.owner).toBe('SOC')
  })

  it('an unknown asset shows the error, not the previous page', async () => {
    const { transport } = fakeTransport({
      'assets:get': (req) =>
        (req as { id: string }).id === 'host:ws01'
          ? { ok: true, value: detail(asset()) }
          : { ok: false, error: { code: 'not_found', message: 'no asset user:nobody' } },
    })
    const store = createAppStore(transport)
    await store.getState().openAsset('host:ws01')
    await store.getState().openAsset('user:nobody')
    expect(store.getState().assetDetail).toBeNull()
    expect(store.getState().assetDetailError).toBe('no asset user:nobody')
  })

  it('asks the graph with the query kept between calls', async () => {
    const { transport, named } = fakeTransport({
      'graph:get': () => ({ ok: true, value: { nodes: [], edges: [], truncated: false } }),
    })
    const store = createAppStore(transport)
    await store.getState().loadGraph({ center: 'host:ws01', depth: 1 })
    await store.getState().loadGraph({ kinds: ['ip'] })
    expect(named('graph:get').map((c) => c.req)).toEqual([
      { depth: 1, alerts: true, limit: 2000, center: 'host:ws01' },
      { depth: 1, alerts: true, limit: 2000, center: 'host:ws01', kinds: ['ip'] },
    ])
  })

  it('coalesces assets:changed pushes into one refresh of what is shown', async () => {
    vi.useFakeTimers()
    const { transport, named } = fakeTransport({
      'assets:list': () => page([asset()]),
      'assets:get': () => ({ ok: true, value: detail(asset()) }),
    })
    const store = createAppStore(transport)
    await store.getState().loadAssets()
    await store.getState().openAsset('host:ws01')
    for (let i = 0; i < 10; i++) store.getState().assetsChanged()
    await vi.advanceTimersByTimeAsync(2500)
    expect(named('assets:list')).toHaveLength(2)
    expect(named('assets:get')).toHaveLength(2)
  })
})

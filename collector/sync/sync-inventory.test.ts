import { afterEach, describe, expect, it } from 'vitest'
import { NatsConfig } from './nats/config'
import { syncServices } from './test-sync-service'

const services = syncServices()
afterEach(() => services.release())

const service = (nats?: NatsConfig) => {
  const { sync, db } = services.console({
    loaders: { asset: (id) => ({ asset: { id, value: id.slice(5) } }) },
    inventory: { intervalMs: 20, batch: 2 },
    ...(nats ? { nats } : {}),
  })
  const assetEntries = (): Array<{ object_id: string; version: number }> =>
    (
      db
        .prepare("SELECT object_id, record FROM sync_outbox WHERE kind = 'asset' ORDER BY seq")
        .all() as Array<{ object_id: string; record: string }>
    ).map((r) => ({ object_id: r.object_id, version: (JSON.parse(r.record) as { version: number }).version }))
  // As the asset indexer does: inside its flush's transaction.
  const flush = (ids: string[]): void => db.transaction(() => sync.onInventory(ids))()
  return { db, sync, assetEntries, flush }
}

describe('inventory changes to the outbox', () => {
  it('marks each asset once however many flushes, and drains a bounded batch at a time, coalesced', () => {
    const { sync, assetEntries, flush } = service()
    for (let i = 0; i < 100; i++) flush(['host:a', 'host:b', 'host:c'])
    expect(sync.store.dirtyCount()).toBe(3)
    expect(assetEntries()).toEqual([])
    expect(sync.drainInventory()).toBe(2)
    expect(sync.drainInventory()).toBe(1)
    expect(sync.drainInventory()).toBe(0)
    expect(assetEntries().map((e) => e.object_id)).toEqual(['host:a', 'host:b', 'host:c'])
    // Counted again before anything was delivered: still one entry per asset, a newer version.
    flush(['host:a'])
    sync.drainInventory()
    expect(assetEntries()).toEqual([
      { object_id: 'host:b', version: 1 },
      { object_id: 'host:c', version: 1 },
      { object_id: 'host:a', version: 2 },
    ])
  })

  it('waits in sync_dirty while no channel is configured; with NATS on, drains by itself', async () => {
    const off = service()
    off.sync.start()
    off.flush(['host:x', 'host:y'])
    await new Promise((r) => setTimeout(r, 150))
    expect(off.assetEntries()).toEqual([])
    expect(off.sync.store.dirtyCount()).toBe(2)

    const on = service(NatsConfig.parse({ enabled: true, servers: ['nats://127.0.0.1:1'] }))
    on.sync.start()
    on.flush(['host:x', 'host:y', 'host:z'])
    await new Promise((r) => setTimeout(r, 150))
    expect(on.assetEntries().map((e) => e.object_id)).toEqual(['host:x', 'host:y', 'host:z'])
    expect(on.sync.store.dirtyCount()).toBe(0)
    expect(on.sync.status().nats.queue_depth).toBe(3)
  })
})

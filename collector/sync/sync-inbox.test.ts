import { afterEach, describe, expect, it } from 'vitest'
import type { SyncRecord } from './records'
import { syncServices } from './test-sync-service'

const services = syncServices()
afterEach(() => services.release())

const list = (version: number): SyncRecord => ({
  kind: 'watchlist',
  id: 'iocs',
  version,
  updated_at: `2026-12-07T10:00:0${version}.000Z`,
  origin: 'core',
  deleted: false,
  body: { name: 'iocs', indicators: [] },
})

describe('pulled records waiting in sync_inbox', () => {
  it('are applied once an applier is registered, in pull order, and leave the inbox; refused ones stay', () => {
    const { sync } = services.console()
    // Pulled by an Outpost that had no applier for them.
    sync.store.putInbox(list(1))
    sync.store.putInbox({ ...list(2), kind: 'rule-pack', id: 'team' })
    sync.store.putInbox(list(3))
    const applied: number[] = []
    sync.registerApplier('watchlist', (record) => {
      applied.push(record.version)
      return true
    })
    sync.registerApplier('rule-pack', () => false)
    sync.start({ loop: false })
    expect(applied).toEqual([1, 3])
    expect(sync.store.inbox('watchlist')).toEqual([])
    expect(sync.store.inbox('rule-pack').map((r) => r.id)).toEqual(['team'])
  })

  it('a refused version waits until a newer one of the object is applied, which supersedes it', () => {
    const { sync } = services.console()
    const applied: number[] = []
    // Version 1 does not hold up; the others do.
    sync.registerApplier('watchlist', (record) => {
      if (record.version === 1) return false
      applied.push(record.version)
      return true
    })
    sync.connector.take(list(1))
    sync.connector.take({ ...list(1), id: 'other' })
    expect(sync.store.inbox('watchlist').map((r) => `${r.id}@${r.version}`)).toEqual(['iocs@1', 'other@1'])
    sync.connector.take(list(2))
    expect(applied).toEqual([2])
    // Never applied over version 2 at the next start; another object's refusal still waits.
    expect(sync.store.inbox('watchlist').map((r) => `${r.id}@${r.version}`)).toEqual(['other@1'])
  })
})

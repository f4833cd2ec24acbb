import Database from 'better-sqlite3'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { migrate } from '../store/sqlite/migrate'
import { migrations } from '../store/sqlite/migrations'
import type { SyncRecord } from './records'
import { createSyncService, type SyncService } from './sync-service'

const dirs: string[] = []
const services: SyncService[] = []
afterEach(async () => {
  for (const s of services.splice(0)) await s.stop()
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

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
    const dir = mkdtempSync(join(tmpdir(), 'outpost-sync-inbox-'))
    dirs.push(dir)
    const db = new Database(':memory:')
    migrate(db, migrations, ':memory:')
    const sync = createSyncService({
      db,
      role: 'console',
      dataDir: dir,
      connector: { url: null, token: null, ca_file: null, cert_file: null, key_file: null, interval_s: 60 },
      loaders: {},
      evidenceDir: join(dir, 'evidence'),
      maxEvidenceBytes: 1024,
      changed: () => undefined,
      log: () => undefined,
    })
    services.push(sync)
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
    const dir = mkdtempSync(join(tmpdir(), 'outpost-sync-inbox-'))
    dirs.push(dir)
    const db = new Database(':memory:')
    migrate(db, migrations, ':memory:')
    const sync = createSyncService({
      db,
      role: 'console',
      dataDir: dir,
      connector: { url: null, token: null, ca_file: null, cert_file: null, key_file: null, interval_s: 60 },
      loaders: {},
      evidenceDir: join(dir, 'evidence'),
      maxEvidenceBytes: 1024,
      changed: () => undefined,
      log: () => undefined,
    })
    services.push(sync)
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

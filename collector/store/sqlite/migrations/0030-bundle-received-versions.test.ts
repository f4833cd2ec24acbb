import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { coreMerger } from '../../../sync/core/core-merger'
import { RecordStore } from '../../../sync/core/record-store'
import type { SyncRecord } from '../../../sync/records'
import { migrate } from '../migrate'
import { migrations } from './index'

// Before 0027 a bundle's records carried `outpost-<key id>` and a version counted per export.
const KEY_ORIGIN = 'outpost-0123456789abcdef'
const NODE = 'outpost-6f1c2a52-9a43-4a9e-8d5f-2b7e3c1d0a99'

const incident = (fields: Record<string, unknown>) => ({
  incident: { id: 'inc-1', title: 'Beacon', status: 'triage', severity: 'high', assignee: null, ...fields },
  comments: [],
})
const asset = (events: number) => ({
  asset: {
    id: 'host:ws-1',
    kind: 'host',
    value: 'ws-1',
    owner: null,
    criticality: null,
    role: null,
    note: null,
    tags: [],
    events,
    alerts: 0,
    first_seen: '2026-11-01T00:00:00.000Z',
    last_seen: '2026-11-20T00:00:00.000Z',
  },
  links: [],
})

/** A core's data dir at the 0026 schema with what old bundles brought, migrated to now. */
const upgraded = (): Database.Database => {
  const db = new Database(':memory:')
  migrate(
    db,
    migrations.filter((m) => m.version <= 26),
    'x.sqlite',
  )
  const received = db.prepare(
    `INSERT INTO sync_received (kind, id, origin, version, updated_at, deleted, body, bundle_id, received_at)
     VALUES (?, ?, ?, ?, '2026-11-20T00:00:00.000Z', 0, ?, 'b-1', 1)`,
  )
  // Exported often: the bundle counter is far above the console's online version line.
  received.run('incident', 'inc-1', KEY_ORIGIN, 6, JSON.stringify(incident({ description: 'one host' })))
  received.run('report', 'rep-1', KEY_ORIGIN, 5, JSON.stringify({ title: 'Sitrep, old' }))
  received.run('asset', 'host:ws-1', KEY_ORIGIN, 4, JSON.stringify(asset(10)))
  // A version pushed online, by another console: left as it is.
  db.prepare(
    `INSERT INTO sync_records (kind, id, version, updated_at, origin, deleted, body, stored_at)
     VALUES ('report', 'rep-2', 3, '2026-11-21T00:00:00.000Z', ?, 0, '{"title":"online"}', 1)`,
  ).run(NODE.replace('99', '98'))
  migrate(db, migrations, 'x.sqlite')
  return db
}

const fromConsole = (kind: SyncRecord['kind'], id: string, version: number, body: Record<string, unknown>) =>
  ({
    kind,
    id,
    version,
    base: version - 1,
    updated_at: '2026-12-01T00:00:00.000Z',
    origin: NODE,
    deleted: false,
    body,
  }) satisfies SyncRecord

describe('migration 0030 (versions old bundles brought)', () => {
  it('puts them below the online line: a console version after them supersedes or merges', () => {
    const db = upgraded()
    const rows = db.prepare('SELECT kind, id, version, origin FROM sync_records ORDER BY id').all()
    expect(rows).toEqual([
      { kind: 'asset', id: 'host:ws-1', version: 1, origin: KEY_ORIGIN },
      { kind: 'incident', id: 'inc-1', version: 1, origin: KEY_ORIGIN },
      { kind: 'report', id: 'rep-1', version: 1, origin: KEY_ORIGIN },
      { kind: 'report', id: 'rep-2', version: 3, origin: NODE.replace('99', '98') },
    ])
    const records: RecordStore = new RecordStore(
      db,
      Date.now,
      undefined,
      coreMerger(
        () => records,
        () => 'core',
      ),
    )

    // The console's next report (version 3 on its line) is newer than the old bundle's.
    const report = records.apply(fromConsole('report', 'rep-1', 3, { title: 'Sitrep, new' }), 'k-1')
    expect(report.outcome).toBe('applied')
    expect(records.get('report', 'rep-1')!.record.body).toEqual({ title: 'Sitrep, new' })

    // Its incident edit: the new description is kept, not the bundle's stale one.
    records.apply(
      fromConsole('incident', 'inc-1', 3, incident({ description: 'two hosts', assignee: 'ann' })),
      'k-2',
    )
    const merged = records.get('incident', 'inc-1')!.record
    expect(merged.body.incident).toMatchObject({ description: 'two hosts', assignee: 'ann' })
    expect(merged.version).toBeGreaterThan(3)

    // Its asset: its own counters (which include what the bundle counted) are not added to the bundle's.
    records.apply(fromConsole('asset', 'host:ws-1', 2, asset(15)), 'k-3')
    expect(records.get('asset', 'host:ws-1')!.record.body.asset).toMatchObject({ events: 15 })
    db.close()
  })
})

import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { migrate } from '../migrate'
import { migrations } from './index'

describe('migration 0027 (bundle outbox)', () => {
  it('moves received bundle records into the record store: a higher version replaces the stored one', () => {
    const db = new Database(':memory:')
    migrate(
      db,
      migrations.filter((m) => m.version < 27),
      'x.sqlite',
    )
    const received = db.prepare(
      `INSERT INTO sync_received (kind, id, origin, version, updated_at, deleted, body, bundle_id, received_at)
       VALUES (?, ?, 'console-a', ?, '2026-12-01T00:00:00.000Z', 0, ?, 'b-1', 1)`,
    )
    const stored = db.prepare(
      `INSERT INTO sync_records (kind, id, version, updated_at, origin, deleted, body, stored_at)
       VALUES (?, ?, ?, '2026-11-01T00:00:00.000Z', 'console-b', 0, ?, 1)`,
    )
    received.run('report', 'only-received', 2, '{"title":"received"}')
    received.run('report', 'newer-received', 5, '{"title":"received v5"}')
    stored.run('report', 'newer-received', 3, '{"title":"stored v3"}')
    received.run('report', 'older-received', 1, '{"title":"received v1"}')
    stored.run('report', 'older-received', 4, '{"title":"stored v4"}')
    db.prepare(
      `INSERT INTO bundle_versions (kind, id, version, body_hash, updated_at, export_seq)
       VALUES ('report', 'x', 7, 'h', '2026-12-01T00:00:00.000Z', 1)`,
    ).run()

    migrate(db, migrations, 'x.sqlite')
    const rows = db.prepare('SELECT id, version, origin, body FROM sync_records ORDER BY id').all()
    expect(rows).toEqual([
      { id: 'newer-received', version: 5, origin: 'console-a', body: '{"title":"received v5"}' },
      { id: 'older-received', version: 4, origin: 'console-b', body: '{"title":"stored v4"}' },
      { id: 'only-received', version: 2, origin: 'console-a', body: '{"title":"received"}' },
    ])
    const tables = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all()
    expect(tables).not.toContain('sync_received')
    expect(tables).not.toContain('bundle_versions')
    expect(tables).toContain('bundle_carried')
    const columns = db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all('sync_versions')
    expect(columns).toEqual(expect.arrayContaining(['updated_at', 'base']))
  })
})

import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { migrate } from '../migrate'
import { migrations } from './index'

describe('migration 0028 (nats relay)', () => {
  const at27 = (): Database.Database => {
    const db = new Database(':memory:')
    migrate(
      db,
      migrations.filter((m) => m.version < 28),
      'x.sqlite',
    )
    db.prepare("INSERT INTO sync_state (key, value) VALUES ('node_id', 'core-x')").run()
    const record = db.prepare(
      `INSERT INTO sync_records (kind, id, version, updated_at, origin, deleted, body, stored_at)
       VALUES (?, ?, ?, '2026-12-01T00:00:00.000Z', ?, ?, ?, 1)`,
    )
    const key = db.prepare(
      "INSERT INTO sync_record_keys (key, kind, id, outcome, stored_at) VALUES (?, ?, ?, 'applied', 1)",
    )
    // seq 1: made here, published; seq 2: a console's; seq 3, 4: made here, not published yet.
    record.run('operation', 'op-1', 1, 'core-x', 0, '{"name":"Lantern"}')
    key.run('core-x:operation:op-1:1', 'operation', 'op-1')
    record.run('incident', 'inc-1', 1, 'console-a', 0, '{"incident":{"title":"Beacon"}}')
    key.run('console-a:7', 'incident', 'inc-1')
    record.run('operation', 'op-2', 2, 'core-x', 1, '{}')
    key.run('core-x:operation:op-2:2', 'operation', 'op-2')
    record.run('mission', 'm-1', 1, 'core-x', 0, '{"name":"Sweep"}')
    key.run('core-x:mission:m-1:1', 'mission', 'm-1')
    return db
  }

  it("queues a replica's own versions its publisher had not reached, in order, and drops the old cursor", () => {
    const db = at27()
    db.prepare("INSERT INTO sync_state (key, value) VALUES ('core_nats_cursor', '1')").run()
    migrate(db, migrations, 'x.sqlite')
    const rows = db.prepare('SELECT key, record, holder FROM sync_relay ORDER BY seq').all() as Array<{
      key: string
      record: string
      holder: string | null
    }>
    expect(rows.map((r) => r.key)).toEqual(['core-x:operation:op-2:2', 'core-x:mission:m-1:1'])
    expect(JSON.parse(rows[0]!.record)).toEqual({
      kind: 'operation',
      id: 'op-2',
      version: 2,
      updated_at: '2026-12-01T00:00:00.000Z',
      origin: 'core-x',
      deleted: true,
      body: {},
    })
    expect(JSON.parse(rows[1]!.record)).toMatchObject({ deleted: false, body: { name: 'Sweep' } })
    expect(db.prepare("SELECT count(*) FROM sync_state WHERE key = 'core_nats_cursor'").pluck().get()).toBe(0)
  })

  it('queues nothing on a data dir that never published to NATS', () => {
    const db = at27()
    migrate(db, migrations, 'x.sqlite')
    expect(db.prepare('SELECT count(*) FROM sync_relay').pluck().get()).toBe(0)
  })
})

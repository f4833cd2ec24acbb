import type { Migration } from '../migrate'

export const migration0028: Migration = {
  version: 28,
  name: 'nats relay',
  sql: `
    -- What a core replica with nats.enabled publishes to the stream, in the order it stored it:
    -- the versions it made itself and every record that reached it another way than the stream
    -- (a console's push over HTTP, a bundle import), each under the key it was stored with, so the
    -- other replicas apply the same records. Written in the transaction that stored the record;
    -- a row leaves once the stream acknowledged it (collector/sync/nats/core-queue.ts). holder:
    -- the console that pushed it, so every replica sends it that console's later versions.
    CREATE TABLE sync_relay (
      seq    INTEGER PRIMARY KEY AUTOINCREMENT,
      key    TEXT NOT NULL,
      record TEXT NOT NULL,
      holder TEXT
    );

    -- A replica's own versions not yet published under the cursor this table replaces.
    INSERT INTO sync_relay (key, record)
      SELECT r.origin || ':' || r.kind || ':' || r.id || ':' || r.version,
             json_object('kind', r.kind, 'id', r.id, 'version', r.version, 'updated_at', r.updated_at,
                         'origin', r.origin, 'deleted', json(CASE r.deleted WHEN 1 THEN 'true' ELSE 'false' END),
                         'body', json(r.body))
      FROM sync_records r
      WHERE r.seq > coalesce((SELECT CAST(value AS INTEGER) FROM sync_state WHERE key = 'core_nats_cursor'), 0)
        AND r.origin = (SELECT value FROM sync_state WHERE key = 'node_id')
        AND EXISTS (SELECT 1 FROM sync_record_keys k
                    WHERE k.key = r.origin || ':' || r.kind || ':' || r.id || ':' || r.version)
        AND EXISTS (SELECT 1 FROM sync_state WHERE key = 'core_nats_cursor')
      ORDER BY r.seq;
    DELETE FROM sync_state WHERE key = 'core_nats_cursor';
  `,
}

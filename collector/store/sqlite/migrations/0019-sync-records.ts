import type { Migration } from '../migrate'

export const migration0019: Migration = {
  version: 19,
  name: 'sync records',
  sql: `
    -- The core's store of synced records: the winning version of each (kind, id), and a
    -- per-store seq that rises with every stored change, so pulls and feeds page with a cursor.
    CREATE TABLE sync_records (
      seq        INTEGER PRIMARY KEY AUTOINCREMENT,
      kind       TEXT    NOT NULL,
      id         TEXT    NOT NULL,
      version    INTEGER NOT NULL,
      updated_at TEXT    NOT NULL,
      origin     TEXT    NOT NULL,
      deleted    INTEGER NOT NULL CHECK (deleted IN (0, 1)),
      body       TEXT    NOT NULL CHECK (json_valid(body)),
      stored_at  INTEGER NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX sync_records_object ON sync_records (kind, id);
    CREATE INDEX sync_records_kind_seq ON sync_records (kind, seq);

    -- Each idempotency key once, with the outcome it got, so a retry gets the same answer.
    CREATE TABLE sync_record_keys (
      key       TEXT    PRIMARY KEY,
      kind      TEXT    NOT NULL,
      id        TEXT    NOT NULL,
      outcome   TEXT    NOT NULL CHECK (outcome IN ('applied', 'conflict')),
      stored_at INTEGER NOT NULL
    ) STRICT;
  `,
}

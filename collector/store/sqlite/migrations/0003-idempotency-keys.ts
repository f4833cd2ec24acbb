import type { Migration } from '../migrate'

export const migration0003: Migration = {
  version: 3,
  name: 'idempotency keys',
  sql: `
    -- A batch's Idempotency-Key, written in the same transaction as its events: a retry after a
    -- lost answer finds it and is not stored again. Pruned after a day.
    CREATE TABLE idempotency_keys (
      key        TEXT    PRIMARY KEY,
      listener   TEXT    NOT NULL,
      created_at INTEGER NOT NULL,
      events     INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX idempotency_keys_created ON idempotency_keys (created_at);
  `,
}

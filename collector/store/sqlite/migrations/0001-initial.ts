import type { Migration } from '../migrate'

export const migration0001: Migration = {
  version: 1,
  name: 'initial',
  sql: `
    CREATE TABLE events (
      seq         INTEGER PRIMARY KEY,       -- insert order, the paging cursor
      id          TEXT    NOT NULL UNIQUE,
      ts          INTEGER NOT NULL,          -- event time, ms since the epoch (UTC)
      received_at INTEGER NOT NULL,          -- ms since the epoch (UTC)
      listener    TEXT    NOT NULL,
      source      TEXT,
      host        TEXT,
      severity    TEXT,
      message     TEXT,
      fields      TEXT    NOT NULL           -- the source's original event, JSON
    ) STRICT;
    CREATE INDEX events_ts ON events (ts);
  `,
}

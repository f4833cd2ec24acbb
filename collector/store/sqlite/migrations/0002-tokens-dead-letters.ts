import type { Migration } from '../migrate'

export const migration0002: Migration = {
  version: 2,
  name: 'ingest tokens and dead letters',
  sql: `
    -- Tokens forwarders present (HEC, HTTP). Kept in clear like Splunk does: the data dir is 0700
    -- and operators need to read them back to configure forwarders.
    CREATE TABLE ingest_tokens (
      id           TEXT    PRIMARY KEY,
      name         TEXT    NOT NULL UNIQUE,
      token        TEXT    NOT NULL UNIQUE,
      created_at   INTEGER NOT NULL,
      revoked_at   INTEGER,
      last_used_at INTEGER
    ) STRICT;

    -- Input refused with a reason, kept for inspection (bounded: the payload is truncated).
    CREATE TABLE dead_letters (
      id            INTEGER PRIMARY KEY,
      received_at   INTEGER NOT NULL,
      listener      TEXT    NOT NULL,
      source        TEXT,
      reason        TEXT    NOT NULL,
      payload       BLOB,
      payload_bytes INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX dead_letters_received ON dead_letters (received_at);
  `,
}

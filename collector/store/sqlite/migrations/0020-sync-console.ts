import type { Migration } from '../migrate'

export const migration0020: Migration = {
  version: 20,
  name: 'sync console',
  sql: `
    -- Small settings of the sync side: this data dir's node id, the pull cursor, last success…
    CREATE TABLE sync_state (
      key   TEXT PRIMARY KEY,
      value TEXT NOT NULL
    ) STRICT;

    -- Each synced object's version here: bumped in the transaction of every local change;
    -- synced_version is the last version the core agreed (pushed and applied, or pulled).
    CREATE TABLE sync_versions (
      kind           TEXT    NOT NULL,
      id             TEXT    NOT NULL,
      version        INTEGER NOT NULL,
      synced_version INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (kind, id)
    ) STRICT;

    -- Every syncable change, queued in the transaction that makes it, pushed in seq order.
    CREATE TABLE sync_outbox (
      seq             INTEGER PRIMARY KEY AUTOINCREMENT,
      kind            TEXT    NOT NULL,
      object_id       TEXT    NOT NULL,
      key             TEXT    UNIQUE,
      record          TEXT    NOT NULL CHECK (json_valid(record)),
      attempts        INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER NOT NULL DEFAULT 0,
      last_error      TEXT,
      created_at      INTEGER NOT NULL
    ) STRICT;

    -- Versions that lost to another side's, kept for the analyst to review and resolve.
    CREATE TABLE sync_conflicts (
      id          INTEGER PRIMARY KEY AUTOINCREMENT,
      kind        TEXT    NOT NULL,
      object_id   TEXT    NOT NULL,
      local       TEXT    NOT NULL CHECK (json_valid(local)),
      remote      TEXT    NOT NULL CHECK (json_valid(remote)),
      winner      TEXT    NOT NULL CHECK (winner IN ('local', 'remote')),
      detected_at INTEGER NOT NULL,
      resolved_at INTEGER,
      resolution  TEXT    CHECK (resolution IN ('local', 'remote'))
    ) STRICT;
    CREATE INDEX sync_conflicts_open ON sync_conflicts (resolved_at, id);

    -- Pulled records nothing applies here yet (rule packs, watchlists, content): kept for the
    -- engine that will, keyed by kind/id/version.
    CREATE TABLE sync_inbox (
      kind       TEXT    NOT NULL,
      id         TEXT    NOT NULL,
      version    INTEGER NOT NULL,
      record     TEXT    NOT NULL CHECK (json_valid(record)),
      pulled_at  INTEGER NOT NULL,
      applied_at INTEGER,
      PRIMARY KEY (kind, id, version)
    ) STRICT;

    -- On a core: the consoles allowed to sync, each with a role. Only the token's SHA-256 is kept.
    CREATE TABLE sync_consoles (
      id         TEXT    PRIMARY KEY,
      name       TEXT    NOT NULL UNIQUE COLLATE NOCASE,
      role       TEXT    NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
      token_hash TEXT    NOT NULL UNIQUE,
      created_at INTEGER NOT NULL,
      revoked_at INTEGER,
      last_seen_at INTEGER
    ) STRICT;
  `,
}

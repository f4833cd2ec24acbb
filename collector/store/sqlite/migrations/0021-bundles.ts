import type { Migration } from '../migrate'

export const migration0021: Migration = {
  version: 21,
  name: 'bundles',
  sql: `
    -- Public keys whose signed bundles this installation accepts. This installation's own private
    -- key is a file in the data dir (keys/signing.key), never a row: dumps and exports leave it out.
    CREATE TABLE trusted_keys (
      name       TEXT    PRIMARY KEY,
      key_id     TEXT    NOT NULL UNIQUE,          -- first 16 hex of SHA-256 of the raw public key
      public_key TEXT    NOT NULL,                 -- the raw 32 bytes, base64
      scope      TEXT    NOT NULL CHECK (scope IN ('records', 'content', 'both')),
      added_at   INTEGER NOT NULL
    ) STRICT;

    -- Records bundles this installation wrote, numbered: \`bundle export --since N\` carries what
    -- changed after bundle N.
    CREATE TABLE bundle_exports (
      seq       INTEGER PRIMARY KEY,
      bundle_id TEXT    NOT NULL UNIQUE,
      file      TEXT    NOT NULL,
      at        INTEGER NOT NULL,
      records   INTEGER NOT NULL
    ) STRICT;

    -- The version this installation last exported of each object: it rises by one whenever the
    -- object's body changes between exports (bundles carry it as SyncRecord.version), and
    -- export_seq is the number of the bundle that first carried that version.
    CREATE TABLE bundle_versions (
      kind       TEXT    NOT NULL,
      id         TEXT    NOT NULL,
      version    INTEGER NOT NULL,
      body_hash  TEXT    NOT NULL,
      updated_at TEXT    NOT NULL,
      export_seq INTEGER NOT NULL,
      PRIMARY KEY (kind, id)
    ) STRICT, WITHOUT ROWID;

    -- Records received from other installations (bundles), the winning version of each object.
    CREATE TABLE sync_received (
      kind        TEXT    NOT NULL,
      id          TEXT    NOT NULL,
      origin      TEXT    NOT NULL,
      version     INTEGER NOT NULL,
      updated_at  TEXT    NOT NULL,
      deleted     INTEGER NOT NULL CHECK (deleted IN (0, 1)),
      body        TEXT    NOT NULL,                -- JSON
      bundle_id   TEXT    NOT NULL,
      received_at INTEGER NOT NULL,
      PRIMARY KEY (kind, id)
    ) STRICT, WITHOUT ROWID;

    -- Bundles imported, by id: a bundle imported again is recognised.
    CREATE TABLE bundle_imports (
      bundle_id   TEXT    PRIMARY KEY,
      kind        TEXT    NOT NULL CHECK (kind IN ('records', 'content')),
      signer      TEXT    NOT NULL,
      origin      TEXT    NOT NULL,
      imported_at INTEGER NOT NULL,
      new_count   INTEGER NOT NULL,
      changed     INTEGER NOT NULL
    ) STRICT;

    -- Content installed from bundles (rule packs, ATT&CK, watchlists): every version is kept with
    -- its payload so a rollback can restore the previous one. One active version per type and name.
    CREATE TABLE content_versions (
      type         TEXT    NOT NULL CHECK (type IN ('rule-pack', 'attack', 'watchlist')),
      name         TEXT    NOT NULL,
      version      TEXT    NOT NULL,
      bundle_id    TEXT    NOT NULL,
      signer       TEXT    NOT NULL,
      payload      BLOB    NOT NULL,               -- gzipped JSON of the bundle's content entries
      installed_at INTEGER NOT NULL,
      active       INTEGER NOT NULL DEFAULT 0 CHECK (active IN (0, 1)),
      PRIMARY KEY (type, name, version)
    ) STRICT;

    -- IOC watchlists: indicators from content bundles (or, later, typed in).
    CREATE TABLE watchlist_indicators (
      list        TEXT    NOT NULL,                -- the watchlist's name
      type        TEXT    NOT NULL CHECK (type IN ('ip', 'cidr', 'domain', 'url', 'md5', 'sha1', 'sha256', 'email', 'filename')),
      value       TEXT    NOT NULL,
      source      TEXT,
      valid_until TEXT,                            -- ISO-8601; null: no expiry
      version     TEXT    NOT NULL,
      PRIMARY KEY (list, type, value)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX watchlist_value ON watchlist_indicators (value);
  `,
}

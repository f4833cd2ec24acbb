import type { Migration } from '../migrate'

export const migration0012: Migration = {
  version: 12,
  name: 'assets',
  sql: `
    -- The passive inventory: what stored events name (hosts, addresses, accounts, programs,
    -- services), counted by the asset indexer from its own cursor (detect_cursor 'assets'), plus
    -- what an analyst adds by hand. key is the value normalized (lowercase; IPs canonical), so
    -- WS01 and ws01 are one host; value is as first seen.
    CREATE TABLE assets (
      id          INTEGER PRIMARY KEY,
      kind        TEXT    NOT NULL CHECK (kind IN ('host', 'ip', 'user', 'process', 'service')),
      key         TEXT    NOT NULL,
      value       TEXT    NOT NULL,
      first_seen  INTEGER NOT NULL,          -- event time, ms since the epoch (UTC)
      last_seen   INTEGER NOT NULL,
      events      INTEGER NOT NULL DEFAULT 0,
      owner       TEXT,
      criticality TEXT    CHECK (criticality IN ('low', 'medium', 'high', 'critical')),
      role        TEXT,
      tags        TEXT    NOT NULL DEFAULT '[]', -- JSON array of strings
      note        TEXT,
      updated_at  INTEGER,                   -- last manual change
      UNIQUE (kind, key)
    ) STRICT;
    CREATE INDEX assets_last_seen ON assets (last_seen);
    CREATE INDEX assets_events ON assets (events);
    CREATE INDEX assets_kind_last_seen ON assets (kind, last_seen);

    -- Two assets one event names together, e.g. host -> process 'ran'; a is the source.
    CREATE TABLE asset_links (
      a          INTEGER NOT NULL REFERENCES assets (id),
      b          INTEGER NOT NULL REFERENCES assets (id),
      relation   TEXT    NOT NULL
                         CHECK (relation IN ('address', 'logon', 'ran', 'spawned', 'connected', 'service')),
      first_seen INTEGER NOT NULL,
      last_seen  INTEGER NOT NULL,
      events     INTEGER NOT NULL DEFAULT 0,
      PRIMARY KEY (a, b, relation)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX asset_links_b ON asset_links (b);

    -- The newest events naming each asset (about 50 per asset, pruned by the indexer).
    CREATE TABLE asset_events (
      asset INTEGER NOT NULL REFERENCES assets (id),
      seq   INTEGER NOT NULL,
      PRIMARY KEY (asset, seq)
    ) STRICT, WITHOUT ROWID;

    -- An asset's alerts are those naming its host or user, matched case-insensitively.
    CREATE INDEX alerts_host_nocase ON alerts (host COLLATE NOCASE);
    CREATE INDEX alerts_user_nocase ON alerts (user COLLATE NOCASE);
  `,
}

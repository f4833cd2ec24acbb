import type { Migration } from '../migrate'

export const migration0018: Migration = {
  version: 18,
  name: 'taxii-indicators',
  sql: `
    -- Indicators pulled from configured TAXII 2.1 collections (collector/sync/taxii/client.ts).
    -- One row per (source, STIX indicator id), its latest version; a revoked one is removed.
    CREATE TABLE taxii_indicators (
      source      TEXT    NOT NULL,
      stix_id     TEXT    NOT NULL,
      modified    TEXT    NOT NULL,
      type        TEXT    NOT NULL CHECK (type IN ('ipv4', 'ipv6', 'domain', 'url', 'email',
                                                   'md5', 'sha1', 'sha256')),
      value       TEXT    NOT NULL,
      name        TEXT,
      valid_from  TEXT,
      valid_until TEXT,
      pulled_at   INTEGER NOT NULL,
      PRIMARY KEY (source, stix_id)
    ) STRICT;
    CREATE INDEX taxii_indicators_value ON taxii_indicators (type, value);

    -- Each source's cursor (the last date added it served) and how its last pull went.
    CREATE TABLE taxii_sources (
      name         TEXT    PRIMARY KEY,
      added_after  TEXT,
      last_pull_at INTEGER,
      last_ok_at   INTEGER,
      last_error   TEXT,
      last_stored  INTEGER NOT NULL DEFAULT 0,
      last_skipped TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(last_skipped))
    ) STRICT;
  `,
}

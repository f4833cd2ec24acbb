import type { Migration } from '../migrate'

const TLP = `('clear', 'green', 'amber', 'amber+strict', 'red')`

export const migration0009: Migration = {
  version: 9,
  name: 'reports',
  sql: `
    -- Observables: one row per (type, value), shared by reports and, later, incidents.
    CREATE TABLE observables (
      id         TEXT    PRIMARY KEY,
      type       TEXT    NOT NULL CHECK (type IN ('ipv4', 'ipv6', 'domain', 'url', 'md5', 'sha1',
                                                  'sha256', 'email', 'user', 'host', 'file')),
      value      TEXT    NOT NULL,
      first_seen INTEGER,
      last_seen  INTEGER,
      note       TEXT,
      created_at INTEGER NOT NULL,
      UNIQUE (type, value)
    ) STRICT;

    -- Intelligence reports; every saved change is kept as a version.
    CREATE TABLE reports (
      seq        INTEGER PRIMARY KEY,
      id         TEXT    NOT NULL UNIQUE,
      title      TEXT    NOT NULL,
      body       TEXT    NOT NULL,
      status     TEXT    NOT NULL DEFAULT 'draft' CHECK (status IN ('draft', 'review', 'published')),
      tlp        TEXT    NOT NULL CHECK (tlp IN ${TLP}),
      author     TEXT    NOT NULL,
      techniques TEXT    NOT NULL DEFAULT '[]',   -- JSON array of ATT&CK ids
      labels     TEXT    NOT NULL DEFAULT '[]',
      version    INTEGER NOT NULL DEFAULT 1,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT;
    CREATE TABLE report_observables (
      report_id     TEXT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
      observable_id TEXT NOT NULL REFERENCES observables (id),
      PRIMARY KEY (report_id, observable_id)
    ) STRICT;
    CREATE TABLE report_versions (
      report_id  TEXT    NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
      version    INTEGER NOT NULL,
      title      TEXT    NOT NULL,
      body       TEXT    NOT NULL,
      status     TEXT    NOT NULL,
      tlp        TEXT    NOT NULL,
      saved_at   INTEGER NOT NULL,
      actor      TEXT    NOT NULL,
      PRIMARY KEY (report_id, version)
    ) STRICT;
  `,
}

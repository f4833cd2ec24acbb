import type { Migration } from '../migrate'

export const migration0011: Migration = {
  version: 11,
  name: 'operations',
  sql: `
    -- Operations hold missions, incidents and reports; missions are tasks inside one.
    CREATE TABLE operations (
      seq            INTEGER PRIMARY KEY,
      id             TEXT    NOT NULL UNIQUE,
      name           TEXT    NOT NULL,
      objective      TEXT    NOT NULL,
      status         TEXT    NOT NULL DEFAULT 'planned'
                             CHECK (status IN ('planned', 'active', 'suspended', 'closed')),
      starts_at      INTEGER,
      ends_at        INTEGER,
      lead           TEXT,
      classification TEXT,
      tlp            TEXT    NOT NULL CHECK (tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red')),
      created_at     INTEGER NOT NULL,
      updated_at     INTEGER NOT NULL,
      CHECK (ends_at IS NULL OR starts_at IS NULL OR ends_at >= starts_at)
    ) STRICT;
    CREATE TABLE missions (
      seq          INTEGER PRIMARY KEY,
      id           TEXT    NOT NULL UNIQUE,
      operation_id TEXT    NOT NULL REFERENCES operations (id),
      title        TEXT    NOT NULL,
      objective    TEXT    NOT NULL,
      assignee     TEXT,
      priority     TEXT    NOT NULL CHECK (priority IN ('low', 'medium', 'high', 'critical')),
      due_at       INTEGER,
      status       TEXT    NOT NULL DEFAULT 'todo' CHECK (status IN ('todo', 'in_progress', 'blocked', 'done')),
      checklist    TEXT    NOT NULL DEFAULT '[]',   -- JSON [{text, done}]
      incidents    TEXT    NOT NULL DEFAULT '[]',   -- JSON array of incident ids
      assets       TEXT    NOT NULL DEFAULT '[]',   -- JSON array of asset names (hosts, IPs…)
      created_at   INTEGER NOT NULL,
      updated_at   INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX missions_operation ON missions (operation_id);
    ALTER TABLE incidents ADD COLUMN operation_id TEXT REFERENCES operations (id);
    ALTER TABLE reports ADD COLUMN operation_id TEXT REFERENCES operations (id);
  `,
}

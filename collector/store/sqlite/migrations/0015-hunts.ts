import type { Migration } from '../migrate'

export const migration0015: Migration = {
  version: 15,
  name: 'hunts',
  sql: `
    -- Saved hunts: a filter-bar query and a time range, run on demand or every schedule_minutes.
    CREATE TABLE hunts (
      seq              INTEGER PRIMARY KEY,
      id               TEXT    NOT NULL UNIQUE,
      name             TEXT    NOT NULL,
      query            TEXT    NOT NULL,
      range_from       TEXT,                -- as saved: relative (-24h) or ISO-8601
      range_to         TEXT,
      schedule_minutes INTEGER CHECK (schedule_minutes IS NULL OR schedule_minutes > 0),
      last_run_at      INTEGER,
      last_count       INTEGER,
      created_at       INTEGER NOT NULL,
      updated_at       INTEGER NOT NULL
    ) STRICT;
  `,
}

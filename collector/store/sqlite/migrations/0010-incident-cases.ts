import type { Migration } from '../migrate'

export const migration0010: Migration = {
  version: 10,
  name: 'incident-cases',
  sql: `
    -- Incidents become cases: who works them, how they may be shared, what was said and seen.
    ALTER TABLE incidents ADD COLUMN assignee TEXT;
    ALTER TABLE incidents ADD COLUMN tlp TEXT NOT NULL DEFAULT 'amber'
      CHECK (tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red'));
    ALTER TABLE incidents ADD COLUMN pap TEXT NOT NULL DEFAULT 'amber'
      CHECK (pap IN ('clear', 'green', 'amber', 'red'));
    CREATE TABLE incident_comments (
      id          TEXT    PRIMARY KEY,
      incident_id TEXT    NOT NULL REFERENCES incidents (id),
      at          INTEGER NOT NULL,
      actor       TEXT    NOT NULL,
      body        TEXT    NOT NULL
    ) STRICT;
    CREATE INDEX incident_comments_incident ON incident_comments (incident_id, at);
    CREATE TABLE incident_observables (
      incident_id   TEXT    NOT NULL REFERENCES incidents (id),
      observable_id TEXT    NOT NULL REFERENCES observables (id),
      added_at      INTEGER NOT NULL,
      PRIMARY KEY (incident_id, observable_id)
    ) STRICT;
  `,
}

import type { Migration } from '../migrate'

export const migration0013: Migration = {
  version: 13,
  name: 'evidence',
  sql: `
    -- Files attached to incidents. The bytes live once per content in <data dir>/evidence/<sha256>;
    -- a row says which incident holds them under which name. The same bytes once per incident.
    CREATE TABLE evidence (
      id          TEXT    PRIMARY KEY,
      incident_id TEXT    NOT NULL REFERENCES incidents (id),
      name        TEXT    NOT NULL,
      media_type  TEXT    NOT NULL,
      size        INTEGER NOT NULL CHECK (size >= 0),
      sha256      TEXT    NOT NULL CHECK (length(sha256) = 64),
      note        TEXT,
      actor       TEXT    NOT NULL,
      added_at    INTEGER NOT NULL
    ) STRICT;
    CREATE UNIQUE INDEX evidence_incident_sha256 ON evidence (incident_id, sha256);
    CREATE INDEX evidence_sha256 ON evidence (sha256);
  `,
}

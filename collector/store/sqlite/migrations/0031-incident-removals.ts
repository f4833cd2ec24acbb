import type { Migration } from '../migrate'

export const migration0031: Migration = {
  version: 31,
  name: 'incident-removals',
  sql: `
    -- Observables removed from an incident and comments retracted: tombstones, kept so that sync's
    -- union of both sides' parts never brings a removed item back (collector/sync/merge.ts).
    -- An observable's key is 'type:value' and its removal covers the adds up to 'upto' (a later
    -- add is a new one); a comment's key is its id, upto NULL (a retraction is permanent).
    CREATE TABLE incident_removals (
      incident_id TEXT    NOT NULL REFERENCES incidents (id),
      part        TEXT    NOT NULL CHECK (part IN ('observables', 'comments')),
      key         TEXT    NOT NULL,
      upto        INTEGER NOT NULL DEFAULT 0,
      at          INTEGER NOT NULL,
      actor       TEXT    NOT NULL,
      PRIMARY KEY (incident_id, part, key, upto)
    ) STRICT;
  `,
}

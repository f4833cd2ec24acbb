import type { Migration } from '../migrate'

export const migration0004: Migration = {
  version: 4,
  name: 'artifacts and source heartbeats',
  sql: `
    -- Security artifacts (POST /v1/artifacts) live beside events, told apart by kind.
    ALTER TABLE events ADD COLUMN kind TEXT NOT NULL DEFAULT 'event' CHECK (kind IN ('event', 'artifact'));

    -- A source saying it is alive (POST /v1/heartbeat). One row per source, the latest beat.
    CREATE TABLE source_heartbeats (
      source     TEXT    PRIMARY KEY,
      host       TEXT,
      peer       TEXT,
      interval_s INTEGER NOT NULL,
      last_seen  INTEGER NOT NULL,
      details    TEXT    NOT NULL
    ) STRICT;
  `,
}

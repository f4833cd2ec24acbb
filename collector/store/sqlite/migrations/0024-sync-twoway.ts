import type { Migration } from '../migrate'

export const migration0024: Migration = {
  version: 24,
  name: 'sync-twoway',
  sql: `
    -- An incident's own description (markdown; empty when none was written).
    ALTER TABLE incidents ADD COLUMN description TEXT NOT NULL DEFAULT '';

    -- The scalar fields of each version of a synced incident or alert a core stored: the common
    -- base when a console's edit and the core's meet (three-way merge). Small, kept per version.
    CREATE TABLE sync_merge_bases (
      kind TEXT NOT NULL,
      id TEXT NOT NULL,
      version INTEGER NOT NULL,
      fields TEXT NOT NULL,
      PRIMARY KEY (kind, id, version)
    ) WITHOUT ROWID;

    -- Which console pushed which incident or alert: the versions of them it pulls back (an admin
    -- console pulls every one).
    CREATE TABLE sync_object_consoles (
      console TEXT NOT NULL,
      kind TEXT NOT NULL,
      id TEXT NOT NULL,
      PRIMARY KEY (console, kind, id)
    ) WITHOUT ROWID;

    -- Timeline entries of an incident written on another installation (its analysts' actions):
    -- shown with the local ones; never merged into the local, hash-chained audit log.
    CREATE TABLE incident_synced_timeline (
      incident_id TEXT NOT NULL,
      key TEXT NOT NULL,
      at INTEGER NOT NULL,
      kind TEXT NOT NULL,
      text TEXT NOT NULL,
      ref TEXT,
      PRIMARY KEY (incident_id, key)
    ) WITHOUT ROWID;

    -- The matched events a console sent with an alert it pushed, for the alert's detail on a core
    -- that does not hold them: apart from the events table, so detection and the inventory never
    -- see them twice.
    CREATE TABLE synced_alert_events (
      alert_id TEXT NOT NULL,
      event_id TEXT NOT NULL,
      ts INTEGER NOT NULL,
      event TEXT NOT NULL,
      PRIMARY KEY (alert_id, event_id)
    ) WITHOUT ROWID;
  `,
}

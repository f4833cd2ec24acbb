import type { Migration } from '../migrate'

export const migration0027: Migration = {
  version: 27,
  name: 'bundle outbox',
  sql: `
    -- Bundles carry the online version line: the header of each object's latest local version
    -- (the updated_at and base its outbox record got), so a selection export repeats exactly the
    -- record online sync sent. NULL for versions made before this migration or pulled from a core.
    ALTER TABLE sync_versions ADD COLUMN updated_at TEXT;
    ALTER TABLE sync_versions ADD COLUMN base INTEGER;

    -- bundle_versions counted versions of its own; replaced by which sync version each object's
    -- last bundle carried and the number of the bundle that first carried it (export --since N).
    DROP TABLE bundle_versions;
    CREATE TABLE bundle_carried (
      kind       TEXT    NOT NULL,
      id         TEXT    NOT NULL,
      version    INTEGER NOT NULL,
      updated_at TEXT    NOT NULL,
      export_seq INTEGER NOT NULL,
      PRIMARY KEY (kind, id)
    ) STRICT, WITHOUT ROWID;

    -- Records received by bundle now go through the record store like online pushes: the rows
    -- kept so far move there (a higher version replaces the stored one), and the table goes.
    DELETE FROM sync_records WHERE EXISTS (
      SELECT 1 FROM sync_received r
      WHERE r.kind = sync_records.kind AND r.id = sync_records.id AND r.version > sync_records.version);
    INSERT INTO sync_records (kind, id, version, updated_at, origin, deleted, body, stored_at)
      SELECT kind, id, version, updated_at, origin, deleted, body, received_at FROM sync_received r
      WHERE NOT EXISTS (SELECT 1 FROM sync_records s WHERE s.kind = r.kind AND s.id = r.id)
      ORDER BY received_at;
    DROP TABLE sync_received;
  `,
}

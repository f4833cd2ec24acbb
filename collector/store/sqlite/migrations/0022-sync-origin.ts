import type { Migration } from '../migrate'

export const migration0022: Migration = {
  version: 22,
  name: 'sync origin',
  sql: `
    -- Objects made or changed here by a record from another installation (pushed to a core,
    -- replicated over NATS, or imported from a bundle): which version was applied and whose it
    -- was. A later record applies only if it wins against this one (resolveConflict), and views
    -- can tell a console's incident from one made here.
    CREATE TABLE sync_applied (
      kind       TEXT    NOT NULL,
      id         TEXT    NOT NULL,
      origin     TEXT    NOT NULL,
      version    INTEGER NOT NULL,
      updated_at TEXT    NOT NULL,
      deleted    INTEGER NOT NULL CHECK (deleted IN (0, 1)),
      applied_at INTEGER NOT NULL,
      PRIMARY KEY (kind, id)
    ) STRICT, WITHOUT ROWID;
  `,
}

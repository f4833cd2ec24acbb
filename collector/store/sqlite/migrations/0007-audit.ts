import type { Migration } from '../migrate'

export const migration0007: Migration = {
  version: 7,
  name: 'audit',
  sql: `
    -- The audit log: append-only, each entry hash-chained to the previous (SHA-256 over the
    -- previous hash and this entry's canonical JSON). Verified by outpost audit verify.
    CREATE TABLE audit_log (
      seq         INTEGER PRIMARY KEY,
      at          INTEGER NOT NULL,
      actor       TEXT    NOT NULL,
      action      TEXT    NOT NULL,
      object_type TEXT    NOT NULL,
      object_id   TEXT,
      details     TEXT    NOT NULL,
      prev_hash   TEXT    NOT NULL,
      hash        TEXT    NOT NULL
    ) STRICT;
    CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
    CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
      BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
  `,
}

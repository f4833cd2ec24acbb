import type { Migration } from '../migrate'

export const migration0025: Migration = {
  version: 25,
  name: 'sync outbox channels',
  sql: `
    -- A new version of an object replaces its queued one (coalescing): found by object.
    CREATE INDEX sync_outbox_object ON sync_outbox (kind, object_id);

    -- Objects changed by something other than an analyst (the asset inventory counting events),
    -- queued here in the change's transaction, one row per object, and moved to the outbox at a
    -- bounded rate.
    CREATE TABLE sync_dirty (
      kind     TEXT    NOT NULL,
      id       TEXT    NOT NULL,
      since    INTEGER NOT NULL,
      PRIMARY KEY (kind, id)
    ) STRICT;
  `,
}

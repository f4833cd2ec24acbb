import type { Migration } from '../migrate'

export const migration0014: Migration = {
  version: 14,
  name: 'report-links',
  sql: `
    -- What a report draws on (incidents) and concerns (assets, by inventory id; possibly not seen yet).
    CREATE TABLE report_links (
      report_id TEXT NOT NULL REFERENCES reports (id),
      kind      TEXT NOT NULL CHECK (kind IN ('incident', 'asset')),
      ref       TEXT NOT NULL,
      PRIMARY KEY (report_id, kind, ref)
    ) STRICT, WITHOUT ROWID;
    CREATE INDEX report_links_ref ON report_links (kind, ref);
    CREATE INDEX reports_operation ON reports (operation_id);
  `,
}

import type { Migration } from '../migrate'

export const migration0032: Migration = {
  version: 32,
  name: 'taxii-tlp',
  sql: `
    -- The most restricted TLP marking a pulled TAXII indicator carries (its object_marking_refs,
    -- TLP 2.0 or 1.0 definitions); NULL: unmarked. A core publishes to its consoles only what is
    -- at or below taxii.serve_max_tlp (collector/sync/taxii-watchlist-sync.ts).
    ALTER TABLE taxii_indicators ADD COLUMN tlp TEXT
      CHECK (tlp IS NULL OR tlp IN ('clear', 'green', 'amber', 'amber+strict', 'red'));
  `,
}

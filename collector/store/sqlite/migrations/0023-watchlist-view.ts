import type { Migration } from '../migrate'

export const migration0023: Migration = {
  version: 23,
  name: 'watchlist-view',
  sql: `
    -- One watchlist: the lists installed from content bundles, and what the TAXII sources pulled
    -- (as list "taxii:<source>", the STIX id as its source, the STIX modified time as its version).
    CREATE VIEW watchlist AS
      SELECT list, type, value, source, valid_until, version FROM watchlist_indicators
      UNION ALL
      SELECT 'taxii:' || source AS list,
             CASE type WHEN 'ipv4' THEN 'ip' WHEN 'ipv6' THEN 'ip' ELSE type END AS type,
             value, stix_id AS source, valid_until, modified AS version
      FROM taxii_indicators;
  `,
}

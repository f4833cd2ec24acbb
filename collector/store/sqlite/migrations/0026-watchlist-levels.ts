import type { Migration } from '../migrate'

export const migration0026: Migration = {
  version: 26,
  name: 'watchlist-levels',
  sql: `
    -- The alert level a watchlist indicator raises when an event matches it (collector/detect/ioc/);
    -- null: detection.ioc.default_level. TAXII indicators carry none (STIX has no severity).
    ALTER TABLE watchlist_indicators ADD COLUMN level TEXT
      CHECK (level IS NULL OR level IN ('informational', 'low', 'medium', 'high', 'critical'));

    DROP VIEW watchlist;
    CREATE VIEW watchlist AS
      SELECT list, type, value, source, valid_until, version, level FROM watchlist_indicators
      UNION ALL
      SELECT 'taxii:' || source AS list,
             CASE type WHEN 'ipv4' THEN 'ip' WHEN 'ipv6' THEN 'ip' ELSE type END AS type,
             value, stix_id AS source, valid_until, modified AS version, NULL AS level
      FROM taxii_indicators;
  `,
}

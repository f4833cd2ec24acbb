import type { Migration } from '../migrate'

export const migration0029: Migration = {
  version: 29,
  name: 'watchlist-lifecycle',
  sql: `
    -- When an indicator starts to count (ISO-8601; null: from the start). Compared, like
    -- valid_until, with the time of the event being matched (collector/detect/ioc/).
    ALTER TABLE watchlist_indicators ADD COLUMN valid_from TEXT;

    -- How often each indicator matched and the time of the last matching event (ms since the
    -- epoch). Keyed as the watchlist view names an indicator; written in detection's commits.
    CREATE TABLE watchlist_hits (
      list        TEXT    NOT NULL,
      type        TEXT    NOT NULL,
      value       TEXT    NOT NULL,
      hits        INTEGER NOT NULL DEFAULT 0,
      last_hit_at INTEGER,
      PRIMARY KEY (list, type, value)
    ) STRICT, WITHOUT ROWID;

    DROP VIEW watchlist;
    CREATE VIEW watchlist AS
      SELECT list, type, value, source, valid_from, valid_until, version, level FROM watchlist_indicators
      UNION ALL
      SELECT 'taxii:' || source AS list,
             CASE type WHEN 'ipv4' THEN 'ip' WHEN 'ipv6' THEN 'ip' ELSE type END AS type,
             value, stix_id AS source, valid_from, valid_until, modified AS version, NULL AS level
      FROM taxii_indicators;
  `,
}

import type { Migration } from '../migrate'

export const migration0005: Migration = {
  version: 5,
  name: 'alerts',
  sql: `
    -- Detections: raised directly by sources that already detect (Wazuh), later by the Sigma
    -- engine and the agents. The event that raised it is in events (event_id).
    CREATE TABLE alerts (
      seq        INTEGER PRIMARY KEY,
      id         TEXT    NOT NULL UNIQUE,
      created_at INTEGER NOT NULL,
      ts         INTEGER NOT NULL,
      origin     TEXT    NOT NULL,
      rule_id    TEXT,
      title      TEXT    NOT NULL,
      level      TEXT    NOT NULL CHECK (level IN ('informational', 'low', 'medium', 'high', 'critical')),
      tags       TEXT    NOT NULL,          -- JSON array
      techniques TEXT    NOT NULL,          -- JSON array of ATT&CK ids
      host       TEXT,
      event_id   TEXT    NOT NULL,
      status     TEXT    NOT NULL DEFAULT 'new'
    ) STRICT;
    CREATE INDEX alerts_ts ON alerts (ts);
  `,
}

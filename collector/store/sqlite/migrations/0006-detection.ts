import type { Migration } from '../migrate'

const LEVELS = `('informational', 'low', 'medium', 'high', 'critical')`

export const migration0006: Migration = {
  version: 6,
  name: 'detection',
  sql: `
    -- The rule store: Sigma files as the analyst imported or wrote them, whole. Rules are compiled
    -- from these at start and on change; a file's rules share its origin and license.
    CREATE TABLE rule_files (
      path       TEXT    PRIMARY KEY,          -- folder/name.yml inside the store
      text       TEXT    NOT NULL,
      origin     TEXT    NOT NULL CHECK (origin IN ('imported', 'user', 'example')),
      license    TEXT,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT;
    -- Per rule (Sigma id, else file#n): enabled and how often it fired. Kept when a file is
    -- re-imported, so toggles and counts survive an update of the rule set.
    CREATE TABLE rule_state (
      key      TEXT    PRIMARY KEY,
      enabled  INTEGER NOT NULL DEFAULT 1,
      hits     INTEGER NOT NULL DEFAULT 0,
      last_hit INTEGER
    ) STRICT;
    -- How far the engine has evaluated stored events: it resumes here after a restart.
    CREATE TABLE detect_cursor (
      name TEXT    PRIMARY KEY,
      seq  INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE incidents (
      seq        INTEGER PRIMARY KEY,
      id         TEXT    NOT NULL UNIQUE,
      title      TEXT    NOT NULL,
      severity   TEXT    NOT NULL CHECK (severity IN ${LEVELS}),
      status     TEXT    NOT NULL DEFAULT 'new'
                         CHECK (status IN ('new', 'triage', 'contained', 'eradicated', 'closed')),
      origin     TEXT    NOT NULL CHECK (origin IN ('grouping', 'analyst')),
      group_key  TEXT,                     -- the dispatcher's grouping key, null for analyst-made
      group_json TEXT    NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL,
      first_ts   INTEGER NOT NULL,
      last_ts    INTEGER NOT NULL,
      alert_count INTEGER NOT NULL DEFAULT 0,
      techniques TEXT    NOT NULL DEFAULT '[]'
    ) STRICT;
    CREATE INDEX incidents_group ON incidents (group_key, last_ts);

    -- Alerts gain what triage needs: suppression (dedup_key, count, last_ts), the rule's author
    -- and license (DRL 1.1), correlation groups, all matching events, status and incident.
    CREATE TABLE alerts_v6 (
      seq         INTEGER PRIMARY KEY,
      id          TEXT    NOT NULL UNIQUE,
      created_at  INTEGER NOT NULL,
      updated_at  INTEGER NOT NULL,
      ts          INTEGER NOT NULL,
      last_ts     INTEGER NOT NULL,
      origin      TEXT    NOT NULL,
      rule_id     TEXT,
      rule_key    TEXT,
      title       TEXT    NOT NULL,
      level       TEXT    NOT NULL CHECK (level IN ${LEVELS}),
      tags        TEXT    NOT NULL,          -- JSON array
      techniques  TEXT    NOT NULL,          -- JSON array of ATT&CK ids
      tactics     TEXT    NOT NULL DEFAULT '[]',
      author      TEXT,
      license     TEXT,
      host        TEXT,
      user        TEXT,
      event_id    TEXT    NOT NULL,
      event_ids   TEXT    NOT NULL,          -- JSON array, at most 100
      count       INTEGER NOT NULL DEFAULT 1,
      group_json  TEXT,
      dedup_key   TEXT,
      status      TEXT    NOT NULL DEFAULT 'new'
                          CHECK (status IN ('new', 'acknowledged', 'escalated', 'false_positive', 'closed')),
      incident_id TEXT,
      note        TEXT
    ) STRICT;
    INSERT INTO alerts_v6 (seq, id, created_at, updated_at, ts, last_ts, origin, rule_id, title, level,
                           tags, techniques, host, event_id, event_ids)
      SELECT seq, id, created_at, created_at, ts, ts, origin, rule_id, title, level,
             tags, techniques, host, event_id, json_array(event_id)
      FROM alerts;
    DROP TABLE alerts;
    ALTER TABLE alerts_v6 RENAME TO alerts;
    CREATE INDEX alerts_ts ON alerts (ts);
    CREATE INDEX alerts_dedup ON alerts (dedup_key, last_ts);
    CREATE INDEX alerts_incident ON alerts (incident_id);
  `,
}

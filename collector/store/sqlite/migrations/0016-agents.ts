import type { Migration } from '../migrate'

export const migration0016: Migration = {
  version: 16,
  name: 'agents',
  sql: `
    -- The automation agents' settings: one row per agent, written when it is first changed
    -- (defaults live in the code, so a new default reaches agents nobody has touched).
    CREATE TABLE agent_settings (
      name       TEXT    PRIMARY KEY CHECK (name IN ('monitor', 'analyzer', 'executor')),
      enabled    INTEGER NOT NULL CHECK (enabled IN (0, 1)),
      interval_s INTEGER NOT NULL CHECK (interval_s BETWEEN 60 AND 604800),
      options    TEXT    NOT NULL,          -- JSON: thresholds, expected silence interval…
      updated_at INTEGER NOT NULL
    ) STRICT;

    -- Each run, kept bounded per agent (AgentsRepo keeps the newest 500).
    CREATE TABLE agent_runs (
      id          INTEGER PRIMARY KEY,
      agent       TEXT    NOT NULL,
      started_at  INTEGER NOT NULL,
      finished_at INTEGER,                   -- null while it runs (or when Outpost died mid-run)
      duration_ms INTEGER,
      outcome     TEXT CHECK (outcome IS NULL OR outcome IN ('ok', 'warning', 'failed')),
      summary     TEXT    NOT NULL DEFAULT '',
      output      TEXT    NOT NULL DEFAULT '{}',
      alerts      INTEGER NOT NULL DEFAULT 0,
      actions     INTEGER NOT NULL DEFAULT 0,
      trigger     TEXT    NOT NULL CHECK (trigger IN ('schedule', 'manual'))
    ) STRICT;
    CREATE INDEX agent_runs_agent ON agent_runs (agent, id);

    -- Conditions an agent has raised an alert for and that still hold: it raises again only once
    -- a condition has cleared and come back.
    CREATE TABLE agent_conditions (
      agent    TEXT    NOT NULL,
      key      TEXT    NOT NULL,
      since    INTEGER NOT NULL,
      alert_id TEXT,
      PRIMARY KEY (agent, key)
    ) STRICT;
  `,
}

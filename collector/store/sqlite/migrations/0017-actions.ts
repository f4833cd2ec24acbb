import type { Migration } from '../migrate'

export const migration0017: Migration = {
  version: 17,
  name: 'actions',
  sql: `
    -- Response actions. One row per action, its status moved only along the state machine in
    -- collector/actions/lifecycle.ts; each move is a row in action_steps (and an audit entry).
    CREATE TABLE actions (
      id              TEXT    PRIMARY KEY,
      idempotency_key TEXT    NOT NULL UNIQUE,
      type            TEXT    NOT NULL,
      params          TEXT    NOT NULL CHECK (json_valid(params)),
      incident_id     TEXT    REFERENCES incidents (id),
      proposed_by     TEXT    NOT NULL,
      proposed_source TEXT    NOT NULL CHECK (proposed_source IN ('user', 'rule', 'agent')),
      status          TEXT    NOT NULL,
      preview         TEXT    CHECK (preview IS NULL OR json_valid(preview)),
      approved_by     TEXT,
      attempts        INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER,
      last_error      TEXT,
      created_at      INTEGER NOT NULL,
      updated_at      INTEGER NOT NULL
    ) STRICT;
    CREATE INDEX actions_incident ON actions (incident_id, created_at);
    CREATE INDEX actions_due ON actions (status, next_attempt_at);

    CREATE TABLE action_steps (
      seq         INTEGER PRIMARY KEY AUTOINCREMENT,
      action_id   TEXT    NOT NULL REFERENCES actions (id),
      at          INTEGER NOT NULL,
      from_status TEXT,
      to_status   TEXT    NOT NULL,
      actor       TEXT    NOT NULL,
      note        TEXT,
      evidence_id TEXT,
      sha256      TEXT
    ) STRICT;
    CREATE INDEX action_steps_action ON action_steps (action_id, seq);

    CREATE TABLE action_dead_letters (
      id        INTEGER PRIMARY KEY AUTOINCREMENT,
      action_id TEXT    NOT NULL REFERENCES actions (id),
      attempts  INTEGER NOT NULL,
      reason    TEXT    NOT NULL,
      at        INTEGER NOT NULL
    ) STRICT;

    -- Local operators: who proposes and approves under the two-person rule (scrypt hashes).
    CREATE TABLE operators (
      name       TEXT    PRIMARY KEY COLLATE NOCASE,
      salt       TEXT    NOT NULL,
      hash       TEXT    NOT NULL,
      created_at INTEGER NOT NULL
    ) STRICT;

    CREATE TABLE webhook_subscriptions (
      id         TEXT    PRIMARY KEY,
      name       TEXT    NOT NULL,
      url        TEXT    NOT NULL,
      events     TEXT    NOT NULL CHECK (json_valid(events)),
      secret     TEXT    NOT NULL,
      enabled    INTEGER NOT NULL,
      created_at INTEGER NOT NULL,
      updated_at INTEGER NOT NULL
    ) STRICT;

    -- Every POST owed to a subscription; status 'dead' is the dead-letter list (with the reason).
    CREATE TABLE webhook_deliveries (
      id              INTEGER PRIMARY KEY AUTOINCREMENT,
      subscription_id TEXT    NOT NULL REFERENCES webhook_subscriptions (id) ON DELETE CASCADE,
      event           TEXT    NOT NULL,
      payload         TEXT    NOT NULL,
      status          TEXT    NOT NULL CHECK (status IN ('pending', 'delivered', 'dead')),
      attempts        INTEGER NOT NULL DEFAULT 0,
      next_attempt_at INTEGER,
      last_error      TEXT,
      response_status INTEGER,
      created_at      INTEGER NOT NULL,
      delivered_at    INTEGER
    ) STRICT;
    CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);

    CREATE TABLE notifications (
      id          INTEGER PRIMARY KEY AUTOINCREMENT,
      at          INTEGER NOT NULL,
      kind        TEXT    NOT NULL,
      title       TEXT    NOT NULL,
      body        TEXT    NOT NULL,
      ref_type    TEXT    NOT NULL,
      ref_id      TEXT    NOT NULL,
      incident_id TEXT,
      read_at     INTEGER
    ) STRICT;
    CREATE INDEX notifications_unread ON notifications (read_at, id);
  `,
}

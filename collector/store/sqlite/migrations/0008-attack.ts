import type { Migration } from '../migrate'

export const migration0008: Migration = {
  version: 8,
  name: 'attack',
  sql: `
    -- MITRE ATT&CK as imported from a STIX bundle (attack:import). An import replaces all three
    -- tables in one transaction; revoked and deprecated objects are left out when parsing.
    CREATE TABLE attack_tactics (
      id         TEXT    PRIMARY KEY,          -- TA0002
      shortname  TEXT    NOT NULL UNIQUE,      -- execution (the kill_chain_phases phase_name)
      name       TEXT    NOT NULL,
      position   INTEGER NOT NULL              -- order in the matrix's tactic_refs
    ) STRICT;
    CREATE TABLE attack_techniques (
      id              TEXT    PRIMARY KEY,     -- T1059, T1059.001
      name            TEXT    NOT NULL,
      tactics         TEXT    NOT NULL,        -- JSON array of tactic shortnames
      is_subtechnique INTEGER NOT NULL,
      parent          TEXT                     -- T1059 for T1059.001
    ) STRICT;
    CREATE TABLE attack_meta (
      id          INTEGER PRIMARY KEY CHECK (id = 1),
      version     TEXT    NOT NULL,
      imported_at INTEGER NOT NULL,
      tactics     INTEGER NOT NULL,
      techniques  INTEGER NOT NULL
    ) STRICT;
  `,
}

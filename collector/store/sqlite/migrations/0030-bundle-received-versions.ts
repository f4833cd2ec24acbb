import type { Migration } from '../migrate'

// `outpost-` and a signing key id (16 hex digits): the origin bundles carried before 0027. Node
// ids, the origin of every version on the online line, are `outpost-` and a UUID.
const KEY_ORIGIN = `'outpost-${'[0-9a-f]'.repeat(16)}'`

export const migration0030: Migration = {
  version: 30,
  name: 'bundle received versions',
  sql: `
    -- 0027 moved the records old bundles brought (sync_received) into the record store with their
    -- origin and version as they were: a bundle counter of the exporting console's own, not its
    -- online version line, and an origin naming its key, not its node. Compared with the line, a
    -- stale one could win (a console's next, newer push lost as a conflict; merged scalars taken
    -- from it), be pulled back over the console's newer version, and an asset's inventory counted
    -- twice (once under the key, once under the node). Each becomes version 1, below every later
    -- version of the object, so the next one from a console supersedes or merges with it, and it
    -- is never newer than what a console agreed on; an asset's counters are left to its console
    -- (an empty inventory map: the console's own, which include these, count).
    UPDATE sync_records SET version = 1 WHERE origin GLOB ${KEY_ORIGIN};
    UPDATE sync_records SET body = json_set(body, '$.inventory', json('{}'))
      WHERE kind = 'asset' AND origin GLOB ${KEY_ORIGIN} AND json_type(body, '$.inventory') IS NULL;
  `,
}

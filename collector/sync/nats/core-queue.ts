import type { OutboxRow, SyncStore } from '../connector/sync-store'
import type { RecordStore } from '../core/record-store'
import { localKey } from '../core/record-store'
import type { NatsQueue } from './outbox-publisher'

/** sync_state key: the last record-store seq a core replica published. */
const CORE_NATS_CURSOR = 'core_nats_cursor'

/**
 * What a core replica publishes to the stream: the versions it made itself (operations and
 * missions it publishes, its analysts' edits of consoles' incidents and alerts), read from its
 * record store in seq order after its cursor, each under the key it stored it with. What it
 * applied (a console's records, another replica's, the merges it made of them) is not published:
 * every replica gets those from the stream itself, so nothing echoes between replicas. A version
 * replaced before it was published is skipped; its successor goes out.
 */
export const coreNatsQueue = (records: () => RecordStore, store: SyncStore, nodeId: string): NatsQueue => {
  const cursor = (): number => Number(store.state(CORE_NATS_CURSOR) ?? 0)
  return {
    natsDue: (limit) =>
      records()
        .madeHere(nodeId, cursor(), limit)
        .map(({ seq, record }): OutboxRow => ({
          seq,
          kind: record.kind,
          object_id: record.id,
          key: localKey(record.origin, record.kind, record.id, record.version),
          record,
          attempts: 0,
          next_attempt_at: 0,
          last_error: null,
        })),
    natsDelivered: (seq) => {
      if (seq > cursor()) store.setState(CORE_NATS_CURSOR, String(seq))
    },
    natsDepth: () => records().madeHereCount(nodeId, cursor()),
    state: (key) => store.state(key),
    setState: (key, value) => store.setState(key, value),
    clearState: (key) => store.clearState(key),
  }
}

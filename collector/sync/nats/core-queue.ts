import type { Database } from 'better-sqlite3'
import type { OutboxRow, SyncStore } from '../connector/sync-store'
import type { SyncRecord } from '../records'
import type { NatsQueue } from './outbox-publisher'

/**
 * What a core replica publishes to the stream: sync_relay, in order (RecordStore.relayForStream
 * fills it in the transaction that stored each record): the versions it made itself (operations
 * and missions it publishes, its analysts' edits of consoles' incidents and alerts) and every
 * record that reached it another way than the stream (a console's push over HTTP, a bundle
 * import), each under the key it was stored with. So every replica applies the same records,
 * whichever replica a console reaches. What it consumed from the stream, and the merges it made,
 * are not published: every replica reads the first from the stream and makes the same merges
 * (core-merger.ts), so nothing echoes.
 */
export const coreNatsQueue = (db: Database, store: SyncStore): NatsQueue => {
  const due = db.prepare('SELECT seq, key, record, holder FROM sync_relay ORDER BY seq LIMIT ?')
  const delivered = db.prepare('DELETE FROM sync_relay WHERE seq <= ?')
  const depth = db.prepare('SELECT count(*) AS n FROM sync_relay')
  return {
    natsDue: (limit) =>
      (due.all(limit) as Array<{ seq: number; key: string; record: string; holder: string | null }>).map(
        ({ seq, key, record, holder }): OutboxRow => {
          const parsed = JSON.parse(record) as SyncRecord
          return {
            seq,
            kind: parsed.kind,
            object_id: parsed.id,
            key,
            record: parsed,
            attempts: 0,
            next_attempt_at: 0,
            last_error: null,
            ...(holder === null ? {} : { holder }),
          }
        },
      ),
    natsDelivered: (seq) => {
      delivered.run(seq)
    },
    natsDepth: () => (depth.get() as { n: number }).n,
    state: (key) => store.state(key),
    setState: (key, value) => store.setState(key, value),
    clearState: (key) => store.clearState(key),
  }
}

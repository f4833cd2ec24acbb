import type { JetStreamClient } from '@nats-io/jetstream'
import type { SyncRecord } from '../records'
import { recordProblem } from '../core/record-store'
import { subjectFor } from './stream'

/**
 * What a message carries: the record and the key it is applied under; `holder`, on a record a core
 * replica relays, the console that pushed it there.
 */
export type RecordMessage = { key: string; record: SyncRecord; holder?: string }

export type Published = { seq: number; duplicate: boolean }

/**
 * Publishes synced records for a site. Message id = idempotency key: a publish retried within
 * the stream's duplicate window is acknowledged as a duplicate and stored once.
 */
export class NatsPublisher {
  constructor(
    private readonly js: JetStreamClient,
    private readonly site: string,
  ) {}

  async publish(record: SyncRecord, key: string, holder?: string): Promise<Published> {
    const problem = recordProblem(record)
    if (problem) throw new RangeError(`record ${record.kind}/${record.id}: ${problem}`)
    if (key.length === 0 || key.length > 300) throw new RangeError('idempotency key must be 1-300 characters')
    const message: RecordMessage = holder === undefined ? { key, record } : { key, record, holder }
    const ack = await this.js.publish(subjectFor(this.site, record.kind), JSON.stringify(message), {
      msgID: key,
    })
    return { seq: ack.seq, duplicate: ack.duplicate }
  }
}

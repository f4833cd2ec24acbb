import type { ConsumerMessages, JetStreamClient, JsMsg } from '@nats-io/jetstream'
import type { Logger } from '../../host/log'
import type { SyncRecord } from '../records'
import { recordProblem } from '../core/record-store'
import type { RecordMessage } from './publisher'
import { STREAM } from './stream'

/** Where a replica applies what it consumes: the core's RecordStore (idempotent by key). */
export type RecordSink = { apply(record: SyncRecord, key: string, holder?: string): unknown }

export type ReplicaStats = { applied: number; rejected: number; failed: number }

const parse = (msg: JsMsg): RecordMessage | string => {
  let value: unknown
  try {
    value = msg.json()
  } catch {
    return 'not JSON'
  }
  if (value === null || typeof value !== 'object') return 'not an object'
  const { key, record, holder } = value as Partial<RecordMessage>
  if (typeof key !== 'string' || key === '') return 'no idempotency key'
  if (record === null || typeof record !== 'object') return 'no record'
  if (holder !== undefined && (typeof holder !== 'string' || holder === '')) return 'holder is not a name'
  const problem = recordProblem(record)
  return problem ?? (holder === undefined ? { key, record } : { key, record, holder })
}

/**
 * One core replica's consumer: applies each record to the sink, and acks only once `apply` has
 * committed. A crash between the two redelivers the record; the sink's key makes that a duplicate.
 * A message that is not a record is terminated (never redelivered) and counted.
 */
export class NatsReplica {
  readonly stats: ReplicaStats = { applied: 0, rejected: 0, failed: 0 }
  private messages: ConsumerMessages | undefined
  private loop: Promise<void> | undefined
  private stopping = false

  constructor(
    private readonly options: {
      js: JetStreamClient
      durable: string
      sink: RecordSink
      log: Logger
      /** A failed apply (the database busy, full) is redelivered after this long. */
      retryMs?: number
    },
  ) {}

  async start(): Promise<void> {
    if (this.loop) return
    this.stopping = false
    const consumer = await this.options.js.consumers.get(STREAM, this.options.durable)
    const messages = await consumer.consume({ max_messages: 256 })
    this.messages = messages
    this.loop = (async () => {
      for await (const msg of messages) {
        // Messages already fetched are left unacked once stopping: redelivered after the restart.
        if (this.stopping) break
        await this.handle(msg)
      }
    })()
  }

  private async handle(msg: JsMsg): Promise<void> {
    const { sink, log } = this.options
    const parsed = parse(msg)
    if (typeof parsed === 'string') {
      this.stats.rejected++
      log.warn('nats: not a record, dropped', { subject: msg.subject, seq: msg.seq, reason: parsed })
      msg.term(parsed)
      return
    }
    try {
      sink.apply(parsed.record, parsed.key, parsed.holder)
    } catch (error) {
      this.stats.failed++
      log.error('nats: apply failed, redelivered later', {
        key: parsed.key,
        error: (error as Error).message,
      })
      msg.nak(this.options.retryMs ?? 1000)
      return
    }
    this.stats.applied++
    try {
      await msg.ackAck()
    } catch (error) {
      // The server went away before confirming the ack: the record comes again and the sink's
      // key makes it a duplicate. The loop goes on (the client reconnects by itself).
      log.warn('nats: ack not confirmed, the record may be redelivered', {
        key: parsed.key,
        error: (error as Error).message,
      })
    }
  }

  /** Stops consuming; what is not acked yet is redelivered to this durable consumer later. */
  async stop(): Promise<void> {
    this.stopping = true
    const messages = this.messages
    this.messages = undefined
    if (messages) await messages.close()
    await this.loop?.catch(() => undefined)
    this.loop = undefined
  }
}

/**
 * Synced records over NATS JetStream: one stream, OUTPOST_RECORDS, on subjects
 * outpost.<site>.<kind>, file storage, replicated in the NATS cluster; a record's message id is
 * its idempotency key, so JetStream drops a retried publish within the duplicate window.
 */
import { AckPolicy, DeliverPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream'
import { nanos } from '@nats-io/transport-node'
import { SYNC_KINDS } from '../core/record-store'
import type { SyncKind } from '../records'
import type { NatsConfig } from './config'

export const STREAM = 'OUTPOST_RECORDS'
export const SUBJECTS = 'outpost.>'

const TOKEN = /^[A-Za-z0-9_-]{1,64}$/

/** The subject a record of `kind` from `site` is published on. */
export const subjectFor = (site: string, kind: SyncKind): string => {
  if (!TOKEN.test(site))
    throw new RangeError(`site "${site}": letters, digits, dashes and underscores only (one subject token)`)
  if (!SYNC_KINDS.includes(kind))
    throw new RangeError(`kind "${String(kind)}" is not one of ${SYNC_KINDS.join(', ')}`)
  return `outpost.${site}.${kind}`
}

export type StreamOptions = {
  replicas: number
  duplicateWindowS: number
  /** Retention, 0 or absent = unlimited. */
  maxAgeDays?: number
  maxBytes?: number
  maxMsgs?: number
  /** false: an existing stream is left as it is (only created when missing). */
  update?: boolean
}

/** The StreamOptions of a NatsConfig. */
export const streamOptions = (config: NatsConfig): StreamOptions => ({
  replicas: config.replicas,
  duplicateWindowS: config.duplicate_window_s,
  maxAgeDays: config.max_age_days,
  maxBytes: config.max_bytes,
  maxMsgs: config.max_msgs,
})

/**
 * Creates the stream, or brings an existing one to these replicas, window and limits (each
 * start applies the configuration: a changed limit takes effect on the running stream).
 */
export const ensureStream = async (jsm: JetStreamManager, options: StreamOptions): Promise<void> => {
  const config = {
    subjects: [SUBJECTS],
    storage: StorageType.File,
    num_replicas: options.replicas,
    duplicate_window: nanos(options.duplicateWindowS * 1000),
    // JetStream's unlimited is 0 for max_age and -1 for the counts.
    max_age: nanos(Math.round((options.maxAgeDays ?? 0) * 86_400_000)),
    max_bytes: options.maxBytes ? options.maxBytes : -1,
    max_msgs: options.maxMsgs ? options.maxMsgs : -1,
  }
  try {
    await jsm.streams.info(STREAM)
  } catch {
    await jsm.streams.add({ name: STREAM, ...config })
    return
  }
  if (options.update !== false) await jsm.streams.update(STREAM, config)
}

/** The durable consumer of one core replica: explicit acks, from the first record on. */
export const ensureConsumer = async (
  jsm: JetStreamManager,
  replica: string,
  options: { ackWaitMs: number },
): Promise<string> => {
  if (!TOKEN.test(replica))
    throw new RangeError(`replica "${replica}": letters, digits, dashes and underscores only`)
  const durable = `replica-${replica}`
  await jsm.consumers.add(STREAM, {
    durable_name: durable,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    ack_wait: nanos(options.ackWaitMs),
    max_ack_pending: 1000,
  })
  return durable
}

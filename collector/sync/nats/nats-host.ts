import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import type { Logger } from '../../host/log'
import type { NatsConfig } from './config'
import { NatsReplica, type RecordSink, type ReplicaStats } from './replica'
import { ensureConsumer, ensureStream, streamOptions } from './stream'

const RETRY_MS = 5000

export type NatsHost = {
  /** Resolves once the stream and this replica's consumer are set up and consuming. */
  ready: Promise<void>
  stats(): ReplicaStats
  stop(): Promise<void>
}

/**
 * A core as one replica of a team core: connects (retrying until the cluster answers, without
 * holding up the core's start), makes sure of the stream and its durable consumer, and applies
 * every record to the sink.
 */
export const startNatsReplica = (options: {
  config: NatsConfig
  sink: RecordSink
  log: Logger
  /** Once consuming, with the connection (the shared evidence bucket opens on it). */
  connected?: (nc: NatsConnection) => Promise<void>
}): NatsHost => {
  const { config, sink, log } = options
  let nc: NatsConnection | undefined
  let replica: NatsReplica | undefined
  let stopped = false
  let wake: (() => void) | undefined
  const pause = (): Promise<void> =>
    new Promise<void>((resolve) => {
      wake = resolve
      setTimeout(resolve, RETRY_MS).unref()
    })
  /** Runs `step` until it succeeds or the host stops, warning once with what failed. */
  const retried = async (what: string, step: () => Promise<void>): Promise<boolean> => {
    for (let attempt = 1; !stopped; attempt++) {
      try {
        await step()
        return true
      } catch (error) {
        if (attempt === 1)
          log.warn(`nats: ${what} failed, retrying every 5 s`, {
            servers: config.servers.join(','),
            error: (error as Error).message,
          })
        await pause()
      }
    }
    return false
  }
  const ready = (async () => {
    // Until the cluster answers, retry here (not in the client), so stop() is never stuck; a
    // cluster that answers but cannot take the stream yet (no JetStream leader, no quorum for its
    // replicas) is retried the same way.
    const connected = await retried('connecting', async () => {
      nc = await connect({
        servers: config.servers,
        name: `outpost-${config.replica}`,
        timeout: 5000,
        maxReconnectAttempts: -1,
      })
    })
    if (!connected || !nc) return
    const conn = nc
    let durable = ''
    const consuming = await retried('setting up the stream and consumer', async () => {
      const jsm = await jetstreamManager(conn)
      await ensureStream(jsm, streamOptions(config))
      durable = await ensureConsumer(jsm, config.replica, { ackWaitMs: 30_000 })
    })
    if (!consuming) return
    replica = new NatsReplica({ js: jetstream(conn), durable, sink, log })
    await retried('consuming', () => replica!.start())
    if (stopped) return
    log.info('nats replica consuming', { servers: config.servers.join(','), replica: config.replica })
    const attach = options.connected
    if (attach) await retried('opening the shared evidence bucket', () => attach(conn))
  })()
  ready.catch((error: unknown) =>
    log.error('nats replica failed to start', { error: (error as Error).message }),
  )
  return {
    ready,
    stats: () => replica?.stats ?? { applied: 0, rejected: 0, failed: 0 },
    async stop() {
      stopped = true
      wake?.()
      await ready.catch(() => undefined)
      await replica?.stop()
      await nc?.close()
    },
  }
}

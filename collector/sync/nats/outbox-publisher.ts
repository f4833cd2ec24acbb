import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { backoffMs } from '../connector/connector'
import type { SyncStore } from '../connector/sync-store'
import type { NatsConfig } from './config'
import { NatsPublisher } from './publisher'
import { ensureStream, streamOptions } from './stream'

export type NatsPublishingStatus = {
  enabled: boolean
  connected: boolean
  servers: string[]
  site: string
  queue_depth: number
  last_success: string | null
  last_error: string | null
  next_retry: string | null
}

/** What the publisher reads and moves on: a console's outbox (SyncStore), or a core's own records. */
export type NatsQueue = Pick<
  SyncStore,
  'natsDue' | 'natsDelivered' | 'natsDepth' | 'state' | 'setState' | 'clearState'
>

export type NatsOutboxDeps = {
  store: NatsQueue
  /** The client's name on the server (outpost-console-<site> by default). */
  name?: string
  config: NatsConfig
  changed?: () => void
  log?: (message: string, fields?: Record<string, string | number | boolean | null | undefined>) => void
  now?: () => number
  random?: () => number
  /** First retry after about this long, doubling per failure up to maxDelayMs (with jitter). */
  baseDelayMs?: number
  maxDelayMs?: number
  /** Looks at the outbox this often even unwoken (another process, the CLI, may have queued). */
  pollMs?: number
}

const LAST_SUCCESS = 'nats_last_success'
const LAST_ERROR = 'nats_last_error'
const CHANGED_MS = 500

/**
 * A console's NATS channel: publishes the outbox to JetStream in seq order, one record at a time,
 * on outpost.<site>.<kind> with the record's idempotency key as Nats-Msg-Id (a retried publish is
 * stored once within the stream's duplicate window), and moves its cursor only after the PubAck.
 * While no server answers it retries with backoff and jitter; the cursor is in SQLite, so a
 * restart resumes after the last acknowledged record. It runs beside the UI and never blocks it:
 * callers only wake it.
 */
export class NatsOutboxPublisher {
  private nc: NatsConnection | undefined
  private publisher: NatsPublisher | undefined
  private loop: Promise<void> | undefined
  private stopped = false
  private connected = false
  private failures = 0
  private nextRetry: number | null = null
  private wakeUp: ((force?: boolean) => void) | undefined
  private woken = false
  private lastNotify = -Infinity
  private notifyTimer: NodeJS.Timeout | undefined
  private readonly now: () => number
  private readonly random: () => number

  constructor(private readonly deps: NatsOutboxDeps) {
    this.now = deps.now ?? Date.now
    this.random = deps.random ?? Math.random
  }

  /** Starts connecting and publishing in the background. */
  start(): void {
    if (this.loop || !this.deps.config.enabled) return
    this.stopped = false
    this.loop = this.run().catch((error: unknown) =>
      this.deps.log?.('nats publishing stopped on an error', { error: (error as Error).message }),
    )
  }

  /** A change was queued: publish it soon. */
  wake(): void {
    this.woken = true
    this.wakeUp?.()
  }

  status(): NatsPublishingStatus {
    const { store, config } = this.deps
    return {
      enabled: config.enabled,
      connected: this.connected,
      servers: config.servers,
      site: config.site,
      queue_depth: config.enabled ? store.natsDepth() : 0,
      last_success: store.state(LAST_SUCCESS),
      last_error: store.state(LAST_ERROR),
      next_retry: this.nextRetry === null ? null : new Date(this.nextRetry).toISOString(),
    }
  }

  async stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.notifyTimer)
    this.notifyTimer = undefined
    this.wakeUp?.()
    // A connect to a server that does not answer may take its 5 s timeout: not waited for (the
    // loop closes that connection and touches nothing else once stopped).
    const loop = this.loop
    this.loop = undefined
    let timer: NodeJS.Timeout | undefined
    await Promise.race([loop, new Promise((resolve) => (timer = setTimeout(resolve, 1000)))])
    clearTimeout(timer)
    const nc = this.nc
    this.nc = undefined
    this.publisher = undefined
    this.connected = false
    await nc?.close().catch(() => undefined)
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      try {
        const publisher = this.publisher ?? (await this.open())
        if (this.stopped) break
        const rows = this.deps.store.natsDue(100)
        if (rows.length === 0) {
          await this.sleep(this.deps.pollMs ?? 5000)
          continue
        }
        for (const row of rows) {
          if (this.stopped) break
          try {
            await publisher.publish(row.record, row.key, row.holder)
          } catch (error) {
            // A record no core would take (RangeError from the publisher): skipped here, kept for HTTP.
            if (!(error instanceof RangeError)) throw error
            this.deps.log?.('nats: record not published', { key: row.key, error: error.message })
          }
          this.deps.store.natsDelivered(row.seq)
          if (this.failures > 0) {
            this.failures = 0
            this.deps.store.clearState(LAST_ERROR)
          }
        }
        // Once per batch: the cursor alone is written per record.
        this.deps.store.setState(LAST_SUCCESS, new Date(this.now()).toISOString())
        if (this.deps.store.state(LAST_ERROR) !== null) this.deps.store.clearState(LAST_ERROR)
        this.notify()
      } catch (error) {
        if (this.stopped) break
        const message = (error as Error).message
        const delay = backoffMs(
          this.failures++,
          this.deps.baseDelayMs ?? 1000,
          this.deps.maxDelayMs ?? 30_000,
          this.random,
        )
        this.nextRetry = this.now() + delay
        this.deps.store.setState(LAST_ERROR, message)
        if (this.failures === 1) this.deps.log?.('nats publish failed, retrying', { error: message })
        this.notify()
        await this.sleep(delay, false)
        this.nextRetry = null
      }
    }
  }

  /** Connects (the client then reconnects by itself) and makes sure the stream exists. */
  private async open(): Promise<NatsPublisher> {
    const { config } = this.deps
    if (!this.nc) {
      const nc = await connect({
        servers: config.servers,
        name: this.deps.name ?? `outpost-console-${config.site}`,
        timeout: 5000,
        maxReconnectAttempts: -1,
        reconnectTimeWait: 1000,
      })
      if (this.stopped) {
        await nc.close()
        throw new Error('stopped')
      }
      this.nc = nc
      this.connected = true
      this.notify()
      void this.watch(nc)
    }
    // A console creates the stream when the team has none yet; the cores own its limits.
    await ensureStream(await jetstreamManager(this.nc), { ...streamOptions(config), update: false })
    this.publisher = new NatsPublisher(jetstream(this.nc, { timeout: 5000 }), config.site)
    return this.publisher
  }

  private async watch(nc: NatsConnection): Promise<void> {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' || s.type === 'reconnect') {
        this.connected = s.type === 'reconnect'
        this.notify()
        // Back: the backoff under way is cut short.
        if (this.connected) this.wakeUp?.(true)
      }
    }
  }

  /**
   * Tells the host the status changed, at most every CHANGED_MS (the status counts the queue,
   * and a busy publisher finishes a batch many times a second); the last change is never lost.
   */
  private notify(): void {
    if (!this.deps.changed || this.notifyTimer) return
    const wait = this.lastNotify + CHANGED_MS - this.now()
    const run = (): void => {
      this.notifyTimer = undefined
      this.lastNotify = this.now()
      if (!this.stopped) this.deps.changed?.()
    }
    if (wait <= 0) run()
    else {
      this.notifyTimer = setTimeout(run, wait)
      this.notifyTimer.unref()
    }
  }

  /** Waits `ms`, or less when woken (unless `wakeable` is false: a backoff is kept). */
  private sleep(ms: number, wakeable = true): Promise<void> {
    if (wakeable && this.woken) {
      this.woken = false
      return Promise.resolve()
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms)
      timer.unref()
      this.wakeUp = (force = false) => {
        if (!wakeable && !force && !this.stopped) return
        clearTimeout(timer)
        resolve()
      }
    }).finally(() => {
      this.wakeUp = undefined
      this.woken = false
    })
  }
}

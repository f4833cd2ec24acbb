import type { Socket } from 'node:net'
import type { Logger } from '../host/log'
import { submitPatiently, type IngestPipeline } from './pipeline'
import type { SourceStats } from './source-stats'
import type { SyslogDecode } from './syslog-event'
import { SyslogFrameDecoder } from './syslog-framing'
import { TcpListener } from './tcp-server'

export type SyslogTcpOptions = { host: string; port: number; maxMessageBytes: number; idleTimeoutMs: number }

// Frames that arrive while a batch is being stored wait for the next batch, up to this many bytes.
// Past it the connection is paused, so a slow disk slows the sender (TCP flow control) instead of
// growing memory. Reading on meanwhile matters for TLS: Node hands over one TLS record per 'data'
// event, and many senders (loggen, rsyslog) write one message per record.
const MAX_QUEUED_BYTES = 1024 * 1024

/**
 * RFC 6587 syslog over TCP, framing detected per connection. Frames are stored in batches: all
 * that arrived while the previous batch was committing go in one submission.
 */
export class SyslogTcpListener extends TcpListener {
  readonly name: string = 'syslog_tcp'

  constructor(
    protected readonly options: SyslogTcpOptions,
    private readonly pipeline: IngestPipeline,
    private readonly decode: SyslogDecode,
    protected readonly stats: SourceStats,
    log: Logger,
  ) {
    super(options, log)
  }

  protected override refused(peer: string): void {
    this.stats.rejected(this.name, peer, 'peer not in allow_cidrs')
  }

  protected accept(socket: Socket, source: string): void {
    const decoder = new SyslogFrameDecoder(this.options.maxMessageBytes)
    let queue: Buffer[] = []
    let queuedBytes = 0
    let paused = false
    let storing = false
    let stored: Promise<void> = Promise.resolve()

    // One loop per connection at a time; `storing` is cleared in the same step the loop ends in, so
    // frames queued after that start a new one.
    const storeQueued = async (): Promise<void> => {
      try {
        await storeBatches()
      } finally {
        storing = false
      }
    }
    const storeBatches = async (): Promise<void> => {
      while (queue.length > 0) {
        const frames = queue
        queue = []
        queuedBytes = 0
        if (paused) {
          paused = false
          socket.resume()
        }
        const receivedAt = Date.now()
        const events = frames.map((frame) => this.decode(frame, { listener: this.name, source, receivedAt }))
        // Over rate_limit_eps: stop reading for as long as it takes. Slowed, never dropped.
        const wait = this.guard.take(source, events.length)
        if (wait > 0) {
          paused = true
          socket.pause()
          await new Promise((resolve) => setTimeout(resolve, wait))
        }
        try {
          await submitPatiently(this.pipeline, events)
          this.stats.stored(this.name, source, events.length)
        } catch (error) {
          // Storage failed: stop reading; the sender keeps what it has not yet sent.
          this.stats.dropped(this.name, source, events.length + queue.length, (error as Error).message)
          queue = []
          socket.destroy()
        }
      }
    }
    const store = (frames: Buffer[]): void => {
      if (frames.length === 0) return
      for (const frame of frames) {
        queue.push(frame)
        queuedBytes += frame.length
      }
      if (queuedBytes > MAX_QUEUED_BYTES && !paused) {
        paused = true
        socket.pause()
      }
      if (!storing) {
        storing = true
        stored = storeQueued()
      }
    }

    socket.on('data', (chunk: Buffer) => {
      this.stats.received(this.name, source, chunk.length)
      const { frames, error } = decoder.push(chunk)
      store(frames)
      if (error) {
        this.stats.rejected(this.name, source, `${this.name}: ${error}`, chunk)
        socket.destroy()
      }
    })
    socket.on('end', () => {
      const { frames, error } = decoder.end()
      store(frames)
      if (error) this.stats.rejected(this.name, source, `${this.name}: ${error}`)
      void stored.finally(() => socket.end())
    })
  }
}

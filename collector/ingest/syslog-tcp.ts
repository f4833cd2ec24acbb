import type { Socket } from 'node:net'
import type { Logger } from '../host/log'
import type { IngestPipeline } from './pipeline'
import type { SourceStats } from './source-stats'
import type { SyslogDecode } from './syslog-event'
import { SyslogFrameDecoder } from './syslog-framing'
import { TcpListener } from './tcp-server'

export type SyslogTcpOptions = { host: string; port: number; maxMessageBytes: number; idleTimeoutMs: number }

/**
 * RFC 6587 syslog over TCP, framing detected per connection. A connection is paused while its
 * previous batch is being stored, so a slow disk slows the sender (TCP flow control) instead of
 * growing memory.
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

  protected accept(socket: Socket, source: string): void {
    const decoder = new SyslogFrameDecoder(this.options.maxMessageBytes)
    let inFlight: Promise<void> = Promise.resolve()

    const store = (frames: Buffer[]): void => {
      if (frames.length === 0) return
      const receivedAt = Date.now()
      const events = frames.map((frame) => this.decode(frame, { listener: this.name, source, receivedAt }))
      socket.pause()
      inFlight = this.pipeline.submit(events).then(
        () => {
          this.stats.stored(this.name, source, events.length)
          if (!socket.destroyed) socket.resume()
        },
        (error: unknown) => {
          // Storage failed: stop reading; the sender keeps what it has not yet sent.
          this.stats.dropped(this.name, source, events.length, (error as Error).message)
          socket.destroy()
        },
      )
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
      void inFlight.finally(() => socket.end())
    })
  }
}

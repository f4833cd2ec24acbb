import { createServer, type Server, type Socket } from 'node:net'
import type { Endpoint } from '../contract'
import type { Logger } from '../host/log'
import type { Listener } from './listener'
import type { IngestPipeline } from './pipeline'
import type { SourceStats } from './source-stats'
import type { SyslogDecode } from './syslog-event'
import { SyslogFrameDecoder } from './syslog-framing'

export type SyslogTcpOptions = { host: string; port: number; maxMessageBytes: number; idleTimeoutMs: number }

/**
 * RFC 6587 syslog over TCP, framing detected per connection. A connection is paused while its
 * previous batch is being stored, so a slow disk slows the sender (TCP flow control) instead of
 * growing memory.
 */
export class SyslogTcpListener implements Listener {
  readonly name: string = 'syslog_tcp'
  private server: Server | undefined
  private readonly sockets = new Set<Socket>()

  constructor(
    protected readonly options: SyslogTcpOptions,
    private readonly pipeline: IngestPipeline,
    private readonly decode: SyslogDecode,
    private readonly stats: SourceStats,
    protected readonly log: Logger,
  ) {}

  protected createServer(onConnection: (socket: Socket) => void): Server {
    return createServer(onConnection)
  }

  async start(): Promise<Endpoint> {
    const server = this.createServer((socket) => this.accept(socket))
    server.on('error', (error) => this.log.error(`${this.name} server error`, { error: error.message }))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.server = server
    const address = server.address()
    return {
      host: this.options.host,
      port: typeof address === 'object' && address ? address.port : this.options.port,
    }
  }

  private accept(socket: Socket): void {
    const source = socket.remoteAddress ?? 'unknown'
    const decoder = new SyslogFrameDecoder(this.options.maxMessageBytes)
    this.sockets.add(socket)
    socket.setTimeout(this.options.idleTimeoutMs)
    socket.on('timeout', () => socket.end())
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
    socket.on('error', (error) =>
      this.log.debug(`${this.name} connection error`, { source, error: error.message }),
    )
    socket.on('close', () => this.sockets.delete(socket))
  }

  async stop(): Promise<void> {
    const server = this.server
    this.server = undefined
    if (!server) return
    for (const socket of this.sockets) socket.end()
    const force = setTimeout(() => {
      for (const socket of this.sockets) socket.destroy()
    }, 3000)
    await new Promise<void>((resolve) => server.close(() => resolve()))
    clearTimeout(force)
  }
}

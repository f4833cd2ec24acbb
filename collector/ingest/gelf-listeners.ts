import type { Socket as UdpSocket } from 'node:dgram'
import type { Socket } from 'node:net'
import type { Endpoint } from '../contract'
import type { Logger } from '../host/log'
import type { NewEvent } from '../store/sqlite/events-repo'
import { decodeGelfPayload, GelfChunkAssembler, GelfTcpFramer, gelfToEvent } from './gelf'
import { OPEN_GUARD, type ListenerGuard } from './guard'
import type { Listener } from './listener'
import { normalizeJson, type ReceiveContext } from './normalize'
import { submitPatiently, type IngestPipeline } from './pipeline'
import type { SourceStats } from './source-stats'
import { TcpListener } from './tcp-server'
import { bindUdp, closeUdp } from './udp-socket'

export type GelfOptions = { host: string; port: number; maxMessageBytes: number }

/** One GELF payload -> an event, or the reason it was refused (kept as a dead letter). */
const toEvent = (payload: Buffer, maxBytes: number, ctx: ReceiveContext): NewEvent | string => {
  const decoded = decodeGelfPayload(payload, { maxBytes })
  return decoded.ok ? normalizeJson(gelfToEvent(decoded.value), ctx) : decoded.error
}

/** GELF over UDP: chunked (up to 128 datagrams) or whole, gzip/zlib/plain. */
export class GelfUdpListener implements Listener {
  readonly name = 'gelf_udp'
  guard: ListenerGuard = OPEN_GUARD
  private socket: UdpSocket | undefined
  private timer: NodeJS.Timeout | undefined
  private readonly assembler = new GelfChunkAssembler()

  constructor(
    private readonly options: GelfOptions & { receiveBufferBytes: number },
    private readonly pipeline: IngestPipeline,
    private readonly stats: SourceStats,
    private readonly log: Logger,
  ) {}

  async start(): Promise<Endpoint> {
    const { host, port, receiveBufferBytes, maxMessageBytes } = this.options
    const socket = await bindUdp(host, port, receiveBufferBytes, (datagram, remote) => {
      const source = remote.address
      if (!this.guard.allows(source)) return this.stats.rejected(this.name, source, 'peer not in allow_cidrs')
      this.stats.received(this.name, source, datagram.length)
      if (this.guard.take(source, 1) > 0)
        return this.stats.dropped(this.name, source, 1, 'over rate_limit_eps')
      const whole = this.assembler.push(datagram, Date.now())
      if (whole === null) return
      const event = toEvent(whole, maxMessageBytes, { listener: this.name, source, receivedAt: Date.now() })
      if (typeof event === 'string') {
        this.stats.rejected(this.name, source, event, whole)
        return
      }
      this.pipeline.submit([event]).then(
        () => this.stats.stored(this.name, source, 1),
        (error: unknown) => this.stats.dropped(this.name, source, 1, (error as Error).message),
      )
    })
    socket.on('error', (error) => this.log.error('gelf_udp socket error', { error: error.message }))
    this.timer = setInterval(() => {
      const expired = this.assembler.expire(Date.now())
      if (expired > 0)
        this.stats.dropped(
          this.name,
          '(chunked)',
          expired,
          `${expired} chunked GELF messages never completed`,
        )
    }, 1000)
    this.timer.unref()
    this.socket = socket
    return { host, port: socket.address().port }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    const socket = this.socket
    this.socket = undefined
    await closeUdp(socket)
  }
}

/** GELF over TCP: NUL-delimited, uncompressed JSON. Paused while a batch is being stored. */
export class GelfTcpListener extends TcpListener {
  readonly name = 'gelf_tcp'

  protected override refused(peer: string): void {
    this.stats.rejected(this.name, peer, 'peer not in allow_cidrs')
  }

  constructor(
    private readonly options: GelfOptions & { idleTimeoutMs: number },
    private readonly pipeline: IngestPipeline,
    private readonly stats: SourceStats,
    log: Logger,
  ) {
    super(options, log)
  }

  protected accept(socket: Socket, source: string): void {
    const framer = new GelfTcpFramer(this.options.maxMessageBytes)
    socket.on('data', (chunk: Buffer) => {
      this.stats.received(this.name, source, chunk.length)
      const { frames, errors } = framer.push(chunk)
      for (const error of errors) this.stats.rejected(this.name, source, error)
      const ctx = { listener: this.name, source, receivedAt: Date.now() }
      const events: NewEvent[] = []
      for (const frame of frames) {
        if (frame.length === 0) continue
        const event = toEvent(frame, this.options.maxMessageBytes, ctx)
        if (typeof event === 'string') this.stats.rejected(this.name, source, event, frame)
        else events.push(event)
      }
      if (events.length === 0) return
      socket.pause()
      // Over rate_limit_eps: stay paused until the source is within its rate (slowed, not dropped).
      const wait = this.guard.take(source, events.length)
      submitPatiently(this.pipeline, events).then(
        () => {
          this.stats.stored(this.name, source, events.length)
          setTimeout(() => {
            if (!socket.destroyed) socket.resume()
          }, wait)
        },
        (error: unknown) => {
          this.stats.dropped(this.name, source, events.length, (error as Error).message)
          socket.destroy()
        },
      )
    })
    socket.on('end', () => socket.end())
  }
}

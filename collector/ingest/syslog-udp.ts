import type { Socket } from 'node:dgram'
import type { Endpoint } from '../contract'
import type { Logger } from '../host/log'
import { OPEN_GUARD, type ListenerGuard } from './guard'
import type { Listener } from './listener'
import type { IngestPipeline } from './pipeline'
import type { SourceStats } from './source-stats'
import type { SyslogDecode } from './syslog-event'
import { bindUdp, closeUdp } from './udp-socket'

export type SyslogUdpOptions = {
  host: string
  port: number
  maxMessageBytes: number
  receiveBufferBytes: number
}

/**
 * RFC 5426: one message per datagram. Datagrams that arrive in the same turn of the event
 * loop go to the store as one batch. UDP has no acknowledgement: what the kernel drops
 * before we read it is counted from /proc/net/udp (see kernelDrops).
 */
export class SyslogUdpListener implements Listener {
  readonly name = 'syslog_udp'
  guard: ListenerGuard = OPEN_GUARD
  private socket: Socket | undefined

  constructor(
    private readonly options: SyslogUdpOptions,
    private readonly pipeline: IngestPipeline,
    private readonly decode: SyslogDecode,
    private readonly stats: SourceStats,
    private readonly log: Logger,
  ) {}

  async start(): Promise<Endpoint> {
    const socket = await bindUdp(
      this.options.host,
      this.options.port,
      this.options.receiveBufferBytes,
      (datagram, remote) => {
        const source = remote.address
        if (!this.guard.allows(source))
          return this.stats.rejected(this.name, source, 'peer not in allow_cidrs')
        this.stats.received(this.name, source, datagram.length)
        if (this.guard.take(source, 1) > 0)
          return this.stats.dropped(this.name, source, 1, 'over rate_limit_eps')
        if (datagram.length > this.options.maxMessageBytes) {
          const reason = `datagram of ${datagram.length} bytes over the ${this.options.maxMessageBytes}-byte limit`
          this.stats.rejected(this.name, source, reason, datagram)
          return
        }
        const event = this.decode(datagram, { listener: this.name, source, receivedAt: Date.now() })
        this.pipeline.submit([event]).then(
          () => this.stats.stored(this.name, source, 1),
          (error: unknown) => this.stats.dropped(this.name, source, 1, (error as Error).message),
        )
      },
    )
    socket.on('error', (error) => this.log.error('syslog_udp socket error', { error: error.message }))
    this.socket = socket
    return { host: this.options.host, port: socket.address().port }
  }

  async stop(): Promise<void> {
    const socket = this.socket
    this.socket = undefined
    await closeUdp(socket)
  }
}

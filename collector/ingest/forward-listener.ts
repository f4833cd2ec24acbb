import type { Socket } from 'node:net'
import type { Logger } from '../host/log'
import { encodeAck, ForwardDecoder, forwardEntryToEvent } from './fluent-forward'
import { normalizeJson } from './normalize'
import { submitPatiently, type IngestPipeline } from './pipeline'
import type { SourceStats } from './source-stats'
import { TcpListener } from './tcp-server'

export type ForwardOptions = { host: string; port: number; maxBufferedBytes: number; idleTimeoutMs: number }

/**
 * Fluentd's forward protocol (Fluent Bit, Fluentd, Docker's fluentd log driver). A chunk is
 * acknowledged (`{ack: id}`) only after its events are committed: the forwarder deletes its
 * buffer on that ack, so an ack before the commit could lose data.
 */
export class ForwardListener extends TcpListener {
  readonly name = 'forward'

  protected override refused(peer: string): void {
    this.stats.rejected(this.name, peer, 'peer not in allow_cidrs')
  }

  constructor(
    private readonly options: ForwardOptions,
    private readonly pipeline: IngestPipeline,
    private readonly stats: SourceStats,
    log: Logger,
  ) {
    super(options, log)
  }

  protected accept(socket: Socket, source: string): void {
    const decoder = new ForwardDecoder({ maxBufferedBytes: this.options.maxBufferedBytes })
    let chain: Promise<void> = Promise.resolve()
    socket.on('data', (chunk: Buffer) => {
      this.stats.received(this.name, source, chunk.length)
      const result = decoder.push(chunk)
      if (!result.ok) this.stats.rejected(this.name, source, `forward: ${result.error}`, chunk)
      const receivedAt = Date.now()
      for (const message of result.messages) {
        const events = message.entries.map((entry) =>
          normalizeJson(forwardEntryToEvent(message.tag, entry), { listener: this.name, source, receivedAt }),
        )
        socket.pause()
        // In order: acks go out in the order the chunks came in.
        // Over rate_limit_eps: the next chunk waits (the forwarder buffers meanwhile); never dropped.
        const wait = this.guard.take(source, events.length)
        chain = chain
          .then(() => (wait > 0 ? new Promise((resolve) => setTimeout(resolve, wait)) : undefined))
          .then(() => submitPatiently(this.pipeline, events))
          .then(
            () => {
              this.stats.stored(this.name, source, events.length)
              if (message.chunkId !== null && !socket.destroyed) socket.write(encodeAck(message.chunkId))
              if (!socket.destroyed && result.ok) socket.resume()
            },
            (error: unknown) => {
              // Not stored, so not acknowledged: the forwarder keeps the chunk and retries.
              this.stats.dropped(this.name, source, events.length, (error as Error).message)
              socket.destroy()
            },
          )
      }
      if (!result.ok) void chain.finally(() => socket.destroy())
    })
    socket.on('end', () => void chain.finally(() => socket.end()))
  }
}

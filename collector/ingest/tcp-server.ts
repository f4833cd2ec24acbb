import { createServer, type Server, type Socket } from 'node:net'
import type { Endpoint } from '../contract'
import type { Logger } from '../host/log'
import { OPEN_GUARD, type ListenerGuard } from './guard'
import type { Listener } from './listener'

export type TcpOptions = { host: string; port: number; idleTimeoutMs: number }

/**
 * What every stream listener shares: listen, track connections, close idle ones, and on stop
 * end them politely (destroying stragglers after 3 s). Subclasses handle one connection.
 */
export abstract class TcpListener implements Listener {
  abstract readonly name: string
  guard: ListenerGuard = OPEN_GUARD
  private server: Server | undefined
  private readonly sockets = new Set<Socket>()

  constructor(
    protected readonly tcp: TcpOptions,
    protected readonly log: Logger,
  ) {}

  protected abstract accept(socket: Socket, source: string): void

  /** A peer outside allow_cidrs was turned away (subclasses count it in their stats). */
  protected refused(peer: string): void {
    this.log.warn(`${this.name}: refused a peer not in allow_cidrs`, { peer })
  }

  /** TLS listeners override this to wrap the server. */
  protected createServer(onConnection: (socket: Socket) => void): Server {
    return createServer(onConnection)
  }

  async start(): Promise<Endpoint> {
    const server = this.createServer((socket) => {
      if (socket.destroyed) return // turned away by the guard
      this.sockets.add(socket)
      socket.on('close', () => this.sockets.delete(socket))
      socket.setTimeout(this.tcp.idleTimeoutMs)
      socket.on('timeout', () => socket.end())
      socket.on('error', (error) => this.log.debug(`${this.name} connection error`, { error: error.message }))
      this.accept(socket, socket.remoteAddress ?? 'unknown')
    })
    this.guard.protect(server, (peer) => this.refused(peer))
    server.on('error', (error) => this.log.error(`${this.name} server error`, { error: error.message }))
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.tcp.port, this.tcp.host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.server = server
    const address = server.address()
    return {
      host: this.tcp.host,
      port: typeof address === 'object' && address ? address.port : this.tcp.port,
    }
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

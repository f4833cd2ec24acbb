import type { Server, Socket } from 'node:net'
import { createServer, type PeerCertificate, type TLSSocket } from 'node:tls'
import type { Endpoint } from '../contract'
import type { Logger } from '../host/log'
import type { IngestPipeline } from './pipeline'
import type { SourceStats } from './source-stats'
import type { SyslogDecode } from './syslog-event'
import { SyslogTcpListener, type SyslogTcpOptions } from './syslog-tcp'

/** PEM material and client policy, read and checked by the host before the listener exists. */
export type TlsCredentials = {
  cert: Buffer
  key: Buffer
  /** CA of client certificates; without it clients are not asked for one. */
  ca: Buffer | undefined
  requireClientCert: boolean
  /** CN or DNS SAN a client certificate must carry; empty: any certificate from `ca`. */
  allowedNames: string[]
  minVersion: 'TLSv1.2' | 'TLSv1.3'
  notAfter: Date
}

export type SyslogTlsOptions = SyslogTcpOptions & { tls: TlsCredentials }

// Node's default is 120 s: a peer that connects and says nothing should not hold a slot that long.
const HANDSHAKE_TIMEOUT_MS = 10_000

/**
 * RFC 5425 syslog over TLS: the TCP listener's framing (octet-counting, as the RFC mandates, or
 * LF as rsyslog can be told to send) behind a TLS server. Refused handshakes and refused client
 * certificates are counted per source with the reason; they never reach the pipeline.
 */
export class SyslogTlsListener extends SyslogTcpListener {
  override readonly name: string = 'syslog_tls'
  /** Connections still in their handshake, by peer address and port; the base class never sees them. */
  private readonly handshaking = new Map<string, Socket>()
  private readonly allowed: Set<string>

  constructor(
    protected override readonly options: SyslogTlsOptions,
    pipeline: IngestPipeline,
    decode: SyslogDecode,
    stats: SourceStats,
    log: Logger,
  ) {
    super(options, pipeline, decode, stats, log)
    this.allowed = new Set(options.tls.allowedNames.map((name) => name.toLowerCase()))
  }

  protected override createServer(onConnection: (socket: Socket) => void): Server {
    const { tls } = this.options
    const server = createServer(
      {
        cert: tls.cert,
        key: tls.key,
        ca: tls.ca,
        minVersion: tls.minVersion,
        requestCert: tls.ca !== undefined,
        // Checked after the handshake instead, so a refusal is counted with its reason.
        rejectUnauthorized: false,
        handshakeTimeout: HANDSHAKE_TIMEOUT_MS,
      },
      (socket) => {
        this.handshaking.delete(peerKey(socket))
        const refusal = this.refusal(socket)
        if (refusal === null) return onConnection(socket)
        this.stats.rejected(this.name, socket.remoteAddress ?? 'unknown', `${this.name}: ${refusal}`)
        socket.destroy()
      },
    )
    server.on('connection', (socket: Socket) => {
      const key = peerKey(socket)
      this.handshaking.set(key, socket)
      socket.on('close', () => {
        if (this.handshaking.get(key) === socket) this.handshaking.delete(key)
      })
    })
    server.on('tlsClientError', (error, socket) => {
      const source = socket.remoteAddress ?? 'unknown'
      this.stats.rejected(this.name, source, `${this.name}: TLS handshake failed: ${error.message}`)
    })
    return server
  }

  override async start(): Promise<Endpoint> {
    const { notAfter } = this.options.tls
    if (notAfter.getTime() < Date.now()) {
      this.log.warn(`${this.name} certificate expired; devices that check it will refuse to send`, {
        not_after: notAfter.toISOString(),
      })
    }
    return super.start()
  }

  override async stop(): Promise<void> {
    // Nothing was received on them yet, so nothing is lost; the server would wait for them to close.
    for (const socket of this.handshaking.values()) socket.destroy()
    this.handshaking.clear()
    await super.stop()
  }

  /** Why this client may not send, or null if it may. */
  private refusal(socket: TLSSocket): string | null {
    const { tls } = this.options
    if (tls.ca === undefined) return null
    const peer = socket.getPeerCertificate()
    const mustPresent = tls.requireClientCert || this.allowed.size > 0
    if (Object.keys(peer).length === 0) return mustPresent ? 'no client certificate' : null
    const names = peerNames(peer)
    const who = names.length > 0 ? names.join(', ') : 'without a name'
    if (!socket.authorized) {
      // Node puts the OpenSSL code here (a string, whatever the typings say).
      return `client certificate ${who} not trusted (${String(socket.authorizationError)})`
    }
    if (this.allowed.size > 0 && !names.some((name) => this.allowed.has(name.toLowerCase()))) {
      return `client certificate ${who} not in allowed_names`
    }
    return null
  }
}

const peerKey = (socket: Socket): string => `${socket.remoteAddress}:${socket.remotePort}`

/** The subject CN and DNS SANs of a certificate. */
const peerNames = (peer: PeerCertificate): string[] => {
  const names: string[] = []
  const cn: unknown = peer.subject?.CN
  if (typeof cn === 'string') names.push(cn)
  else if (Array.isArray(cn)) names.push(...cn.filter((v): v is string => typeof v === 'string'))
  for (const entry of (peer.subjectaltname ?? '').split(', ')) {
    if (entry.startsWith('DNS:')) names.push(entry.slice(4))
  }
  return [...new Set(names)]
}

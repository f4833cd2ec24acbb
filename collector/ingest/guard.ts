import { BlockList, isIP, type Server, type Socket } from 'node:net'

/**
 * Per-listener guards: a CIDR allowlist of peers, and a per-source rate limit (events/s, token
 * bucket with a one-second burst). Shared by every transport: TCP and HTTP servers drop a peer
 * outside the allowlist at connect, before a byte is parsed; UDP drops its datagrams.
 */
export type GuardOptions = { allowCidrs: readonly string[]; rateLimitEps: number }

/** `10.0.0.0/8`, `192.168.1.7`, `fd00::/8` -> a BlockList entry, or why it is not one. */
export const parseCidr = (
  text: string,
): { address: string; prefix: number; family: 'ipv4' | 'ipv6' } | string => {
  const [address = '', bits] = text.trim().split('/')
  const version = isIP(address)
  if (version === 0) return `"${text}" is not an IP address or CIDR block (e.g. 10.0.0.0/8, fd00::/8)`
  const max = version === 4 ? 32 : 128
  const prefix = bits === undefined ? max : Number(bits)
  if (
    !Number.isInteger(prefix) ||
    prefix < 0 ||
    prefix > max ||
    (bits !== undefined && !/^\d+$/.test(bits))
  ) {
    return `"${text}": the prefix length must be 0-${max}`
  }
  return { address, prefix, family: version === 4 ? 'ipv4' : 'ipv6' }
}

/** IPv4 peers on a dual-stack socket show up as ::ffff:a.b.c.d. */
const plain = (ip: string): string => (ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 ? ip.slice(7) : ip)

type Bucket = { tokens: number; at: number }

export class ListenerGuard {
  private readonly allow: BlockList | null
  private readonly buckets = new Map<string, Bucket>()

  constructor(
    private readonly options: GuardOptions,
    private readonly now: () => number = Date.now,
  ) {
    if (options.allowCidrs.length === 0) {
      this.allow = null
    } else {
      this.allow = new BlockList()
      for (const text of options.allowCidrs) {
        const cidr = parseCidr(text)
        if (typeof cidr === 'string') throw new Error(cidr)
        this.allow.addSubnet(cidr.address, cidr.prefix, cidr.family)
      }
    }
  }

  get restricted(): boolean {
    return this.allow !== null
  }

  allows(peer: string | undefined): boolean {
    if (this.allow === null) return true
    if (!peer) return false
    const ip = plain(peer)
    const version = isIP(ip)
    return version !== 0 && this.allow.check(ip, version === 4 ? 'ipv4' : 'ipv6')
  }

  /**
   * Takes `events` from the source's bucket. 0: go ahead. Otherwise how many ms until the source
   * is within its rate again (the caller refuses with Retry-After, drops, or pauses reading).
   */
  take(source: string, events: number): number {
    const rate = this.options.rateLimitEps
    if (rate <= 0) return 0
    const now = this.now()
    let bucket = this.buckets.get(source)
    if (!bucket) {
      if (this.buckets.size > 10_000) this.buckets.clear() // bounded: a scan of spoofed UDP peers
      bucket = { tokens: rate, at: now }
      this.buckets.set(source, bucket)
    }
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate)
    bucket.at = now
    if (bucket.tokens >= events) {
      bucket.tokens -= events
      return 0
    }
    return Math.ceil(((events - bucket.tokens) / rate) * 1000)
  }

  /**
   * HTTP servers: drops connections from peers outside the allowlist as they arrive, before the
   * HTTP parser sees a byte (so no request handler runs). Stream listeners check `allows` in
   * their own connection handler instead.
   */
  protect(server: Server, onRefused: (peer: string) => void): void {
    if (this.allow === null) return
    server.prependListener('connection', (socket: Socket) => {
      if (this.allows(socket.remoteAddress)) return
      onRefused(socket.remoteAddress ?? 'unknown')
      socket.destroy()
    })
  }
}

export const OPEN_GUARD = new ListenerGuard({ allowCidrs: [], rateLimitEps: 0 })

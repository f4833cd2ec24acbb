import { newEventId } from './event-id'
import { detectWazuh, wazuhAlertDraft, wazuhEcs, wazuhLevel } from './wazuh'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Endpoint } from '../contract'
import type { Logger } from '../host/log'
import type { NewEvent } from '../store/sqlite/events-repo'
import { splitConcatenatedJson } from './concatenated-json'
import { BodyError, readBody } from './http-body'
import { locateJsonError } from './json-error'
import { OPEN_GUARD, type ListenerGuard } from './guard'
import { closeHttp, listenHttp } from './http-server'
import type { Listener } from './listener'
import { parseTime, type ReceiveContext } from './normalize'
import type { IngestPipeline } from './pipeline'
import type { SourceStats } from './source-stats'

/**
 * Splunk's HTTP Event Collector, as Splunk forwarders, Fluent Bit, Vector, OpenTelemetry's
 * splunk_hec exporter and Docker's splunk log driver speak it. Answers only after the batch is
 * committed, so every ackId handed out is already durable: /ack answers true for all of them.
 */
export type HecOptions = { host: string; port: number; maxBodyBytes: number }
export type TokenCheck = (
  token: string,
) => { ok: true; name: string } | { ok: false; reason: 'unknown' | 'revoked' }

// Splunk's HEC status codes (docs: "Troubleshoot HTTP Event Collector", status codes table).
const HEC = {
  success: [200, 0, 'Success'],
  tokenDisabled: [403, 1, 'Token disabled'],
  tokenRequired: [401, 2, 'Token is required'],
  invalidAuthorization: [401, 3, 'Invalid authorization'],
  invalidToken: [403, 4, 'Invalid token'],
  noData: [400, 5, 'No data'],
  invalidFormat: [400, 6, 'Invalid data format'],
  internal: [500, 8, 'Internal server error'],
  busy: [503, 9, 'Server is busy'],
  channelMissing: [400, 10, 'Data channel is missing'],
  invalidChannel: [400, 11, 'Invalid data channel'],
  eventRequired: [400, 12, 'Event field is required'],
  eventBlank: [400, 13, 'Event field cannot be blank'],
  queryAuthDisabled: [400, 16, 'Query string authorization is not enabled'],
  healthy: [200, 17, 'HEC is healthy'],
} as const satisfies Record<string, readonly [number, number, string]>

type Reply = (typeof HEC)[keyof typeof HEC]

const reply = (
  res: ServerResponse,
  [status, code, text]: Reply,
  extra: Record<string, unknown> = {},
): void => {
  const body = JSON.stringify({ text, code, ...extra })
  res.writeHead(status, {
    'content-type': 'application/json; charset=UTF-8',
    'content-length': Buffer.byteLength(body),
  })
  res.end(body)
}

const CHANNEL = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/
const MAX_CHANNELS = 1000
const CHANNEL_IDLE_MS = 10 * 60_000

type Presented = { token: string } | 'missing' | 'malformed'

const presentedToken = (req: IncomingMessage): Presented => {
  const header = req.headers.authorization
  if (!header) return 'missing'
  const [scheme, value] = header.split(/\s+/, 2)
  if (!value) return 'malformed'
  if (/^(splunk|bearer)$/i.test(scheme ?? '')) return { token: value }
  if (/^basic$/i.test(scheme ?? '')) {
    // curl -u x:TOKEN, as some clients do: the password is the token.
    const decoded = Buffer.from(value, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    return colon >= 0 ? { token: decoded.slice(colon + 1) } : 'malformed'
  }
  return 'malformed'
}

type HecEnvelope = {
  time?: unknown
  host?: unknown
  source?: unknown
  sourcetype?: unknown
  index?: unknown
  event?: unknown
  fields?: unknown
}

const str = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null)

/** One HEC envelope -> a stored event. The event's own fields stay on top; HEC's metadata under `hec`. */
export const hecToEvent = (envelope: HecEnvelope, ctx: ReceiveContext, token: string): NewEvent => {
  const { event } = envelope
  const fields: Record<string, unknown> =
    typeof event === 'object' && event !== null && !Array.isArray(event)
      ? { ...(event as Record<string, unknown>) }
      : { message: event }
  fields.hec = {
    host: envelope.host ?? null,
    source: envelope.source ?? null,
    sourcetype: envelope.sourcetype ?? null,
    index: envelope.index ?? null,
    fields: envelope.fields ?? null,
    token,
  }
  const message = typeof event === 'string' ? event : (str(fields.message) ?? str(fields.msg) ?? null)
  // A Wazuh alert sent through HEC (its Splunk integration) is a detection: raise it.
  const wazuh =
    typeof event === 'object' && event !== null && !Array.isArray(event)
      ? detectWazuh(event as Record<string, unknown>)
      : null
  if (wazuh) {
    const ts = parseTime(envelope.time) ?? parseTime(wazuh.timestamp) ?? ctx.receivedAt
    const ecs = wazuhEcs(wazuh)
    return {
      id: typeof wazuh.id === 'string' && wazuh.id ? `wazuh:${wazuh.id}` : newEventId(ctx.receivedAt),
      ts,
      received_at: ctx.receivedAt,
      listener: ctx.listener,
      source: ctx.source,
      host: (ecs['host.name'] as string | undefined) ?? str(envelope.host),
      severity: wazuhLevel(wazuh.rule.level),
      message: message ?? wazuh.rule.description,
      fields: JSON.stringify({ ...fields, ...ecs }),
      alert: wazuhAlertDraft(wazuh, ts),
    }
  }
  return {
    id: newEventId(ctx.receivedAt),
    ts: parseTime(envelope.time) ?? ctx.receivedAt,
    received_at: ctx.receivedAt,
    listener: ctx.listener,
    source: ctx.source,
    host: str(envelope.host),
    severity: str(fields.severity) ?? str(fields.level),
    message,
    fields: JSON.stringify(fields),
  }
}

export class HecListener implements Listener {
  readonly name = 'hec'
  guard: ListenerGuard = OPEN_GUARD
  private server: Server | undefined
  /** channel -> the next ackId and when it was last used. */
  private readonly channels = new Map<string, { next: number; used: number }>()

  constructor(
    private readonly options: HecOptions,
    private readonly pipeline: IngestPipeline,
    private readonly checkToken: TokenCheck,
    private readonly stats: SourceStats,
    private readonly log: Logger,
  ) {}

  async start(): Promise<Endpoint> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.log.error('hec: request failed', { error: (error as Error).message })
        if (!res.headersSent) reply(res, HEC.internal)
      })
    })
    this.guard.protect(server, (peer) => this.stats.rejected(this.name, peer, 'peer not in allow_cidrs'))
    const port = await listenHttp(server, this.options.host, this.options.port)
    this.server = server
    return { host: this.options.host, port }
  }

  private channel(req: IncomingMessage, url: URL): { id: string | null } | 'invalid' {
    const value =
      (req.headers['x-splunk-request-channel'] as string | undefined) ?? url.searchParams.get('channel')
    if (!value) return { id: null }
    return CHANNEL.test(value) ? { id: value.toLowerCase() } : 'invalid'
  }

  private nextAckId(channel: string): number {
    const now = Date.now()
    let state = this.channels.get(channel)
    if (!state) {
      if (this.channels.size >= MAX_CHANNELS) {
        for (const [key, value] of this.channels)
          if (now - value.used > CHANNEL_IDLE_MS) this.channels.delete(key)
        if (this.channels.size >= MAX_CHANNELS) this.channels.delete(this.channels.keys().next().value!)
      }
      state = { next: 0, used: now }
      this.channels.set(channel, state)
    }
    state.used = now
    return state.next++
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const path = url.pathname.replace(/\/1\.0$/, '').replace(/\/+$/, '')
    const source = req.socket.remoteAddress ?? 'unknown'
    if (path === '/services/collector/health') {
      req.resume()
      reply(res, HEC.healthy)
      return
    }
    const kind =
      path === '/services/collector' || path === '/services/collector/event'
        ? 'event'
        : path === '/services/collector/raw'
          ? 'raw'
          : path === '/services/collector/ack'
            ? 'ack'
            : null
    if (kind === null) {
      req.resume()
      res.writeHead(404, { 'content-type': 'application/json' })
      res.end(
        JSON.stringify({
          text: `The requested URL was not found on this server: ${url.pathname}`,
          code: 404,
        }),
      )
      return
    }
    if (req.method !== 'POST') {
      req.resume()
      res.writeHead(405, { 'content-type': 'application/json', allow: 'POST' })
      res.end(JSON.stringify({ text: 'Method not allowed: POST', code: 405 }))
      return
    }

    // Authorization first: nothing is read from an unauthenticated client.
    const presented = presentedToken(req)
    if (presented === 'missing') {
      req.resume()
      reply(res, url.searchParams.has('token') ? HEC.queryAuthDisabled : HEC.tokenRequired)
      return
    }
    if (presented === 'malformed') {
      req.resume()
      reply(res, HEC.invalidAuthorization)
      return
    }
    const auth = this.checkToken(presented.token)
    if (!auth.ok) {
      req.resume()
      this.stats.rejected(
        this.name,
        source,
        auth.reason === 'revoked' ? 'revoked HEC token' : 'unknown HEC token',
      )
      reply(res, auth.reason === 'revoked' ? HEC.tokenDisabled : HEC.invalidToken)
      return
    }
    const requested = this.channel(req, url)
    if (requested === 'invalid') {
      req.resume()
      reply(res, HEC.invalidChannel)
      return
    }
    const channel = requested.id

    let body: string
    try {
      body = await readBody(req, this.options.maxBodyBytes, 'listeners.hec.max_body_bytes')
    } catch (error) {
      if (!(error instanceof BodyError)) throw error
      this.stats.rejected(this.name, source, error.message, error.payload)
      res.writeHead(error.status, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ text: error.message, code: 6 }))
      return
    }
    this.stats.received(this.name, source, Buffer.byteLength(body))

    if (kind === 'ack') return this.answerAcks(res, channel, body)

    const ctx: ReceiveContext = { listener: this.name, source, receivedAt: Date.now() }
    const events: NewEvent[] = []
    if (kind === 'raw') {
      const host = url.searchParams.get('host')
      const envelope = {
        host,
        source: url.searchParams.get('source'),
        sourcetype: url.searchParams.get('sourcetype'),
        index: url.searchParams.get('index'),
      }
      for (const line of body.split('\n')) {
        const text = line.endsWith('\r') ? line.slice(0, -1) : line
        if (text.trim().length > 0) events.push(hecToEvent({ ...envelope, event: text }, ctx, auth.name))
      }
    } else {
      const { pieces, error } = splitConcatenatedJson(body)
      let firstBad: { index: number; reply: Reply; why: string } | null = null
      const bad = (index: number, why: string, answer: Reply, raw: string): void => {
        this.stats.rejected(this.name, source, `event ${index}: ${why}`, raw)
        firstBad ??= { index, reply: answer, why }
      }
      pieces.forEach((piece, index) => {
        let envelope: HecEnvelope
        try {
          envelope = JSON.parse(piece.text) as HecEnvelope
        } catch {
          const at = locateJsonError(piece.text)
          return bad(
            index,
            `invalid JSON${at ? ` at column ${at.column}: ${at.reason}` : ''}`,
            HEC.invalidFormat,
            piece.text,
          )
        }
        if (!('event' in envelope) || envelope.event === null || envelope.event === undefined) {
          return bad(index, 'the "event" field is required', HEC.eventRequired, piece.text)
        }
        if (
          envelope.event === '' ||
          (typeof envelope.event === 'object' && Object.keys(envelope.event).length === 0)
        ) {
          return bad(index, 'the "event" field cannot be blank', HEC.eventBlank, piece.text)
        }
        events.push(hecToEvent(envelope, ctx, auth.name))
      })
      if (error)
        bad(
          pieces.length,
          error,
          HEC.invalidFormat,
          body.slice(pieces.at(-1) ? pieces.at(-1)!.offset + pieces.at(-1)!.text.length : 0),
        )
      const first = firstBad as { index: number; reply: Reply; why: string } | null
      if (events.length === 0 && first) {
        reply(res, first.reply, { 'invalid-event-number': first.index, reason: first.why })
        return
      }
    }
    if (events.length === 0) {
      reply(res, HEC.noData)
      return
    }
    const wait = this.guard.take(source, events.length)
    if (wait > 0) {
      // HEC has no "slow down" code but 9 (busy); forwarders retry on it after Retry-After.
      this.stats.dropped(this.name, source, events.length, 'over rate_limit_eps')
      res.setHeader('retry-after', String(Math.ceil(wait / 1000)))
      reply(res, HEC.busy)
      return
    }
    try {
      await this.pipeline.submit(events)
    } catch (error) {
      this.stats.dropped(this.name, source, events.length, (error as Error).message)
      res.setHeader('retry-after', '5')
      reply(res, HEC.busy)
      return
    }
    this.stats.stored(this.name, source, events.length)
    reply(res, HEC.success, channel ? { ackId: this.nextAckId(channel) } : {})
  }

  private answerAcks(res: ServerResponse, channel: string | null, body: string): void {
    if (channel === null) return reply(res, HEC.channelMissing)
    let acks: unknown
    try {
      acks = (JSON.parse(body) as { acks?: unknown }).acks
    } catch {
      return reply(res, HEC.invalidFormat, { reason: 'ack body must be {"acks":[id, …]}' })
    }
    if (!Array.isArray(acks) || !acks.every((id) => Number.isInteger(id))) {
      return reply(res, HEC.invalidFormat, { reason: 'ack body must be {"acks":[id, …]}' })
    }
    const issued = this.channels.get(channel)?.next ?? 0
    const result = Object.fromEntries((acks as number[]).map((id) => [String(id), id >= 0 && id < issued]))
    const text = JSON.stringify({ acks: result })
    res.writeHead(200, {
      'content-type': 'application/json; charset=UTF-8',
      'content-length': Buffer.byteLength(text),
    })
    res.end(text)
  }

  async stop(): Promise<void> {
    const server = this.server
    this.server = undefined
    await closeHttp(server)
  }
}

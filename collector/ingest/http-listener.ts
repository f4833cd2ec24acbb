import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Endpoint } from '../contract'
import type { Logger } from '../host/log'
import { OPEN_GUARD, type ListenerGuard } from './guard'
import type { TokenCheck } from './hec-listener'
import { closeHttp, listenHttp } from './http-server'
import type { Listener } from './listener'
import { BodyError, readBody, sendJson as send } from './http-body'
import { z } from 'zod'
import { describeIssues } from '../contract'
import type { HeartbeatsRepo } from '../store/sqlite/heartbeats-repo'
import { parseJsonBody } from './json-body'
import { locateJsonError } from './json-error'
import { normalizeJson } from './normalize'
import type { IngestPipeline } from './pipeline'
import type { SourceStats } from './source-stats'
import type { MetricPoint } from '../store/duckdb/metrics-store'
import { metricPoint } from './metric-json'

export type HttpListenerOptions = {
  host: string
  port: number
  maxBodyBytes: number
  /** Require `Authorization: Bearer <ingest token>` (checked by `checkToken`). */
  requireToken: boolean
  checkToken: TokenCheck
}

const Heartbeat = z.looseObject({
  source: z.string().min(1).max(200).describe('a stable name for the sender, e.g. "fw01-fluentbit"'),
  host: z.string().max(255).optional(),
  interval_s: z.number().int().min(1).max(86_400).default(60),
})

const ENDPOINTS: Record<string, { kind: 'event' | 'artifact' | 'heartbeat' | 'metric'; takes: string }> = {
  '/v1/events': { kind: 'event', takes: 'a JSON object, array or NDJSON' },
  '/v1/artifacts': { kind: 'artifact', takes: 'a JSON object, array or NDJSON of artifacts' },
  '/v1/heartbeat': { kind: 'heartbeat', takes: '{"source": NAME, "interval_s": SECONDS}' },
  '/v1/metrics': {
    kind: 'metric',
    takes: 'a JSON object, array or NDJSON of {"name": NAME, "value": NUMBER, "type"?: "gauge"|"counter"}',
  },
}

/** Where metric points go: the DuckDB metrics store; resolves once they are flushed. */
export type MetricsSink = { write(points: readonly MetricPoint[]): Promise<void> }

/** A batch's `Idempotency-Key` (as in the IETF draft): a retry with the same key is stored once. */
const idempotencyKey = (req: IncomingMessage): string | null => {
  const value = req.headers['idempotency-key']
  if (typeof value !== 'string') return null
  const key = value.trim()
  return key.length > 0 && key.length <= 256 ? key : null
}

/** The collector's JSON-over-HTTP listener: `POST /v1/events`. */
export class HttpListener implements Listener {
  readonly name = 'http'
  guard: ListenerGuard = OPEN_GUARD
  private server: Server | undefined

  constructor(
    private readonly options: HttpListenerOptions,
    private readonly pipeline: IngestPipeline,
    private readonly stats: SourceStats,
    private readonly heartbeats: HeartbeatsRepo,
    private readonly metrics: MetricsSink,
    private readonly log: Logger,
  ) {}

  async start(): Promise<Endpoint> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.log.error('http listener: request failed', { error: (error as Error).message })
        if (!res.headersSent) send(res, 500, { error: 'internal error' })
      })
    })
    this.guard.protect(server, (peer) => this.stats.rejected(this.name, peer, 'peer not in allow_cidrs'))
    const port = await listenHttp(server, this.options.host, this.options.port)
    this.server = server
    return { host: this.options.host, port }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] ?? '/'
    const endpoint = ENDPOINTS[path]
    if (!endpoint) {
      send(res, 404, { error: `no such endpoint ${path}: POST to ${Object.keys(ENDPOINTS).join(', ')}` })
      req.resume()
      return
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST')
      send(res, 405, { error: `${req.method} not allowed: POST ${endpoint.takes} to ${path}` })
      req.resume()
      return
    }
    const source = req.socket.remoteAddress ?? 'unknown'
    if (this.options.requireToken) {
      const auth = req.headers.authorization
      const token = auth?.startsWith('Bearer ') ? auth.slice(7).trim() : null
      const verdict = token ? this.options.checkToken(token) : null
      if (!verdict?.ok) {
        const why = !token ? 'missing' : verdict?.reason === 'revoked' ? 'revoked' : 'unknown'
        this.stats.rejected(this.name, source, `${why} ingest token`)
        res.setHeader('www-authenticate', 'Bearer realm="outpost"')
        send(res, 401, {
          error: `${why} ingest token: send Authorization: Bearer <token> (outpost tokens list)`,
        })
        req.resume()
        return
      }
    }
    let text: string
    try {
      text = await readBody(req, this.options.maxBodyBytes, 'listeners.http.max_body_bytes')
    } catch (error) {
      if (error instanceof BodyError) {
        this.stats.rejected(this.name, source, error.message, error.payload)
        send(res, error.status, { error: error.message })
        return
      }
      throw error
    }
    this.stats.received(this.name, source, Buffer.byteLength(text))
    if (endpoint.kind === 'heartbeat') return this.heartbeat(res, text, source)
    if (endpoint.kind === 'metric') return this.metricsBody(res, text, source)
    const { items, problems, texts } = parseJsonBody(text)
    if (items.length === 0) {
      const error = problems[0]?.error ?? 'no events in body'
      this.stats.rejected(this.name, source, error, text)
      send(res, 400, { error, accepted: 0, rejected: problems.map(({ raw: _raw, ...p }) => p) })
      return
    }
    for (const problem of problems) this.stats.rejected(this.name, source, problem.error, problem.raw ?? null)
    const wait = this.guard.take(source, items.length)
    if (wait > 0) {
      this.stats.dropped(this.name, source, items.length, 'over rate_limit_eps')
      res.setHeader('retry-after', String(Math.ceil(wait / 1000)))
      send(res, 429, {
        error: `over this source's rate limit (listeners.http.rate_limit_eps); retry after ${Math.ceil(wait / 1000)} s`,
      })
      return
    }
    const ctx = { listener: this.name, source, receivedAt: Date.now() }
    let duplicate: boolean
    try {
      const key = idempotencyKey(req)
      const result = await this.pipeline.submit(
        items.map((item, i) => normalizeJson(item, ctx, texts?.[i])),
        {
          ...(key ? { idempotency: { key: `${this.name}:${key}`, listener: this.name } } : {}),
          kind: endpoint.kind,
        },
      )
      duplicate = result.duplicate
    } catch (error) {
      this.stats.dropped(this.name, source, items.length, (error as Error).message)
      res.setHeader('retry-after', '5')
      send(res, 503, { error: `not stored, retry: ${(error as Error).message}` })
      return
    }
    if (!duplicate) this.stats.stored(this.name, source, items.length)
    // Only now, with the batch committed, is it acknowledged.
    send(res, 200, {
      accepted: items.length,
      ...(duplicate ? { duplicate: true } : {}),
      ...(problems.length ? { rejected: problems.map(({ raw: _raw, ...p }) => p) } : {}),
    })
  }

  /**
   * Metric points into DuckDB. Like events: bad items are refused with where and why, the good
   * ones stored, and the answer given only once DuckDB has them (the flush resolved).
   */
  private async metricsBody(res: ServerResponse, text: string, peer: string): Promise<void> {
    const parsed = parseJsonBody(text)
    const problems = parsed.problems.map(({ raw: _raw, ...p }) => p)
    for (const problem of parsed.problems)
      this.stats.rejected(this.name, peer, `metrics: ${problem.error}`, problem.raw ?? null)
    const receivedAt = Date.now()
    const points: MetricPoint[] = []
    parsed.items.forEach((item, i) => {
      const point = metricPoint(item, peer, receivedAt)
      if (typeof point !== 'string') {
        points.push(point)
        return
      }
      const { item: n, line } = parsed.at?.[i] ?? { item: i + 1, line: 1 }
      const where = parsed.texts ? `line ${line}: ` : `item ${n}: `
      problems.push({ item: n, line, error: `${where}${point}` })
      this.stats.rejected(this.name, peer, `metrics: ${where}${point}`, JSON.stringify(item))
    })
    const rejected = problems.length ? { rejected: problems.sort((a, b) => a.item - b.item) } : {}
    if (points.length === 0) {
      send(res, 400, { error: problems[0]?.error ?? 'no metrics in body', accepted: 0, ...rejected })
      return
    }
    const wait = this.guard.take(peer, points.length)
    if (wait > 0) {
      this.stats.dropped(this.name, peer, points.length, 'over rate_limit_eps')
      res.setHeader('retry-after', String(Math.ceil(wait / 1000)))
      send(res, 429, {
        error: `over this source's rate limit (listeners.http.rate_limit_eps); retry after ${Math.ceil(wait / 1000)} s`,
      })
      return
    }
    try {
      await this.metrics.write(points)
    } catch (error) {
      this.stats.dropped(this.name, peer, points.length, (error as Error).message)
      res.setHeader('retry-after', '5')
      send(res, 503, { error: `not stored, retry: ${(error as Error).message}` })
      return
    }
    this.stats.stored(this.name, peer, points.length)
    send(res, 200, { accepted: points.length, ...rejected })
  }

  /** A source says it is alive and how often it will say so; silence past that is flagged. */
  private heartbeat(res: ServerResponse, text: string, peer: string): void {
    let beat: unknown
    try {
      beat = JSON.parse(text)
    } catch {
      const at = locateJsonError(text)
      const error = `invalid JSON${at ? ` at line ${at.line}, column ${at.column}: ${at.reason}` : ''}`
      this.stats.rejected(this.name, peer, `heartbeat: ${error}`, text)
      send(res, 400, { error })
      return
    }
    const parsed = Heartbeat.safeParse(beat)
    if (!parsed.success) {
      const error = `heartbeat: ${describeIssues(parsed.error)}`
      this.stats.rejected(this.name, peer, error, text)
      send(res, 400, { error })
      return
    }
    const { source, host, interval_s, ...details } = parsed.data
    const now = Date.now()
    this.heartbeats.beat({
      source,
      host: host ?? null,
      peer,
      interval_s,
      last_seen: now,
      details: JSON.stringify(details),
    })
    this.stats.received(this.name, peer, Buffer.byteLength(text))
    send(res, 200, { ok: true, expect_next_before: new Date(now + interval_s * 2000).toISOString() })
  }

  async stop(): Promise<void> {
    const server = this.server
    this.server = undefined
    await closeHttp(server)
  }
}

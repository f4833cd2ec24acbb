import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Type } from 'protobufjs'
import type { Endpoint } from '../contract'
import type { Logger } from '../host/log'
import type { NewEvent } from '../store/sqlite/events-repo'
import { BodyError, readBodyBytes } from './http-body'
import { locateJsonError } from './json-error'
import { OPEN_GUARD, type ListenerGuard } from './guard'
import { closeHttp, listenHttp } from './http-server'
import type { Listener } from './listener'
import { normalizeJson, type ReceiveContext } from './normalize'
import { mapLogs, mapMetrics, OtlpShapeError, rawJson, type OtlpRejected } from './otlp-event'
import type { MetricsSink } from './http-listener'
import type { MetricPoint } from '../store/duckdb/metrics-store'
import { decodeOtlp, encodeOtlp, otlpTypes } from './otlp-proto'
import type { IngestPipeline } from './pipeline'
import type { SourceStats } from './source-stats'

/**
 * OpenTelemetry's OTLP/HTTP (the collector's otlphttp exporter, the SDKs' http exporters):
 * logs (events, SQLite) and metrics (time series, DuckDB), protobuf or JSON, gzip. Answers only
 * after the batch is committed (logs) or flushed (metrics); refused
 * records are reported in `partialSuccess` and kept as dead letters.
 */
export type OtlpOptions = { host: string; port: number; maxBodyBytes: number }

type Encoding = 'protobuf' | 'json'

// google.rpc.Code values used in Status bodies.
const INVALID_ARGUMENT = 3
const RESOURCE_EXHAUSTED = 8
const UNIMPLEMENTED = 12
const UNAVAILABLE = 14

const SIGNALS = {
  '/v1/logs': {
    request: otlpTypes.logsRequest,
    response: otlpTypes.logsResponse,
    rejectedField: 'rejectedLogRecords',
    unit: 'log records',
  },
  '/v1/metrics': {
    request: otlpTypes.metricsRequest,
    response: otlpTypes.metricsResponse,
    rejectedField: 'rejectedDataPoints',
    unit: 'data points',
  },
} as const

const contentType = (encoding: Encoding): string =>
  encoding === 'protobuf' ? 'application/x-protobuf' : 'application/json'

const sendMessage = (
  res: ServerResponse,
  status: number,
  encoding: Encoding,
  type: Type,
  message: Record<string, unknown>,
  headers: Record<string, string> = {},
): void => {
  const body = encoding === 'protobuf' ? encodeOtlp(type, message) : JSON.stringify(message)
  res.writeHead(status, {
    'content-type': contentType(encoding),
    'content-length': Buffer.byteLength(body),
    ...headers,
  })
  res.end(body)
}

const sendStatus = (
  res: ServerResponse,
  status: number,
  encoding: Encoding,
  code: number,
  message: string,
  headers: Record<string, string> = {},
): void => sendMessage(res, status, encoding, otlpTypes.status, { code, message }, headers)

export class OtlpListener implements Listener {
  readonly name = 'otlp'
  guard: ListenerGuard = OPEN_GUARD
  private server: Server | undefined

  constructor(
    private readonly options: OtlpOptions,
    private readonly pipeline: IngestPipeline,
    private readonly metrics: MetricsSink,
    private readonly stats: SourceStats,
    private readonly log: Logger,
  ) {}

  async start(): Promise<Endpoint> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.log.error('otlp: request failed', { error: (error as Error).message })
        if (!res.headersSent) sendStatus(res, 500, 'json', 13, 'internal error in Outpost')
      })
    })
    this.guard.protect(server, (peer) => this.stats.rejected(this.name, peer, 'peer not in allow_cidrs'))
    const port = await listenHttp(server, this.options.host, this.options.port)
    this.server = server
    return { host: this.options.host, port }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/+$/, '')
    const mime = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
    const encoding: Encoding | null =
      mime === 'application/x-protobuf' || mime === 'application/protobuf'
        ? 'protobuf'
        : mime === 'application/json'
          ? 'json'
          : null
    const answerIn = encoding ?? 'json'
    const signal = path === '/v1/logs' || path === '/v1/metrics' ? SIGNALS[path] : null
    if (!signal) {
      req.resume()
      const why =
        path === '/v1/traces'
          ? 'Outpost does not collect traces: send logs (/v1/logs) and metrics (/v1/metrics) only, and drop traces from this exporter'
          : `no such endpoint ${path}: OTLP/HTTP logs go to POST /v1/logs, metrics to POST /v1/metrics`
      sendStatus(res, 404, answerIn, path === '/v1/traces' ? UNIMPLEMENTED : INVALID_ARGUMENT, why)
      return
    }
    if (req.method !== 'POST') {
      req.resume()
      sendStatus(res, 405, answerIn, INVALID_ARGUMENT, `${req.method} not allowed: POST to ${path}`, {
        allow: 'POST',
      })
      return
    }
    if (encoding === null) {
      req.resume()
      sendStatus(
        res,
        415,
        'json',
        INVALID_ARGUMENT,
        `unsupported Content-Type "${mime}": send application/x-protobuf or application/json`,
      )
      return
    }

    const source = req.socket.remoteAddress ?? 'unknown'
    let body: Buffer
    try {
      body = await readBodyBytes(req, this.options.maxBodyBytes, 'listeners.otlp.max_body_bytes')
    } catch (error) {
      if (!(error instanceof BodyError)) throw error
      this.stats.rejected(this.name, source, error.message)
      sendStatus(
        res,
        error.status,
        encoding,
        error.status === 413 ? RESOURCE_EXHAUSTED : INVALID_ARGUMENT,
        error.message,
      )
      return
    }
    this.stats.received(this.name, source, body.length)

    let rejected: OtlpRejected[]
    let store: () => Promise<unknown>
    let count: number
    try {
      const request = this.decode(body, encoding, signal.request)
      const receivedAt = Date.now()
      if (path === '/v1/metrics') {
        const mapped = mapMetrics(request)
        rejected = mapped.rejected
        const points: MetricPoint[] = mapped.points.map((p) => ({
          ...p,
          ts: p.ts || receivedAt,
          source: p.source ?? source,
          receivedAt,
        }))
        count = points.length
        store = () => this.metrics.write(points)
      } else {
        const mapped = mapLogs(request)
        rejected = mapped.rejected
        const ctx: ReceiveContext = { listener: this.name, source, receivedAt }
        // An `event.id` attribute becomes the row id: a retried record is stored once.
        const events: NewEvent[] = mapped.records.map((record) => normalizeJson(record, ctx))
        count = events.length
        store = () => this.pipeline.submit(events)
      }
    } catch (error) {
      if (!(error instanceof OtlpShapeError)) throw error
      const why = `cannot decode ${encoding === 'json' ? 'OTLP JSON' : 'OTLP protobuf'} ${signal.request.name}: ${error.message}`
      this.stats.rejected(this.name, source, why, body)
      sendStatus(res, 400, encoding, INVALID_ARGUMENT, why)
      return
    }

    for (const { path: where, reason, raw } of rejected)
      this.stats.rejected(this.name, source, `${where}: ${reason}`, rawJson(raw))
    const wait = count > 0 ? this.guard.take(source, count) : 0
    if (wait > 0) {
      // 429 with Retry-After: OTLP exporters back off and retry.
      this.stats.dropped(this.name, source, count, 'over rate_limit_eps')
      const why = "over this source's rate limit (listeners.otlp.rate_limit_eps)"
      sendStatus(res, 429, encoding, RESOURCE_EXHAUSTED, why, {
        'retry-after': String(Math.ceil(wait / 1000)),
      })
      return
    }
    try {
      if (count > 0) await store()
    } catch (error) {
      const why = (error as Error).message
      this.stats.dropped(this.name, source, count, why)
      // 503 with Retry-After is retryable for every OTLP exporter; nothing was acknowledged.
      sendStatus(res, 503, encoding, UNAVAILABLE, `not stored, retry: ${why}`, { 'retry-after': '5' })
      return
    }
    if (count > 0) this.stats.stored(this.name, source, count)

    // Committed: only now is the export answered.
    const first = rejected[0]
    const message =
      first === undefined
        ? {}
        : {
            partialSuccess: {
              [signal.rejectedField]: String(rejected.length),
              errorMessage: `${rejected.length} ${signal.unit} refused; first: ${first.path}: ${first.reason}`,
            },
          }
    sendMessage(res, 200, encoding, signal.response, message)
  }

  private decode(body: Buffer, encoding: Encoding, type: Type): Record<string, unknown> {
    if (encoding === 'protobuf') {
      try {
        return decodeOtlp(type, body)
      } catch (error) {
        throw new OtlpShapeError((error as Error).message)
      }
    }
    const text = body.toString('utf8')
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      const at = locateJsonError(text)
      throw new OtlpShapeError(
        at ? `invalid JSON at line ${at.line}, column ${at.column}: ${at.reason}` : 'invalid JSON',
      )
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed))
      throw new OtlpShapeError('the body must be a JSON object like {"resourceLogs":[…]}')
    return parsed as Record<string, unknown>
  }

  async stop(): Promise<void> {
    const server = this.server
    this.server = undefined
    await closeHttp(server)
  }
}

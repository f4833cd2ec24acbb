import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import type { Endpoint } from '../contract'
import type { Logger } from '../host/log'
import type { Listener } from './listener'
import { BodyError, readBody, sendJson as send } from './http-body'
import { parseJsonBody } from './json-body'
import { normalizeJson } from './normalize'
import type { IngestPipeline } from './pipeline'
import type { SourceStats } from './source-stats'

export type HttpListenerOptions = { host: string; port: number; maxBodyBytes: number }

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
  private server: Server | undefined

  constructor(
    private readonly options: HttpListenerOptions,
    private readonly pipeline: IngestPipeline,
    private readonly stats: SourceStats,
    private readonly log: Logger,
  ) {}

  async start(): Promise<Endpoint> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.log.error('http listener: request failed', { error: (error as Error).message })
        if (!res.headersSent) send(res, 500, { error: 'internal error' })
      })
    })
    server.keepAliveTimeout = 30_000
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject)
      server.listen(this.options.port, this.options.host, () => {
        server.off('error', reject)
        resolve()
      })
    })
    this.server = server
    const address = server.address() as AddressInfo
    return { host: this.options.host, port: address.port }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0]
    if (path !== '/v1/events') {
      send(res, 404, { error: `no such endpoint ${path}: POST events to /v1/events` })
      req.resume()
      return
    }
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST')
      send(res, 405, {
        error: `${req.method} not allowed: POST a JSON object, array or NDJSON to /v1/events`,
      })
      req.resume()
      return
    }
    const source = req.socket.remoteAddress ?? 'unknown'
    let text: string
    try {
      text = await readBody(req, this.options.maxBodyBytes, 'listeners.http.max_body_bytes')
    } catch (error) {
      if (error instanceof BodyError) {
        this.stats.rejected(this.name, source, error.message)
        send(res, error.status, { error: error.message })
        return
      }
      throw error
    }
    this.stats.received(this.name, source, Buffer.byteLength(text))
    const { items, problems, texts } = parseJsonBody(text)
    if (items.length === 0) {
      const error = problems[0]?.error ?? 'no events in body'
      this.stats.rejected(this.name, source, error, text)
      send(res, 400, { error, accepted: 0, rejected: problems.map(({ raw: _raw, ...p }) => p) })
      return
    }
    for (const problem of problems) this.stats.rejected(this.name, source, problem.error, problem.raw ?? null)
    const ctx = { listener: this.name, source, receivedAt: Date.now() }
    let duplicate: boolean
    try {
      const key = idempotencyKey(req)
      const result = await this.pipeline.submit(
        items.map((item, i) => normalizeJson(item, ctx, texts?.[i])),
        key ? { key: `${this.name}:${key}`, listener: this.name } : undefined,
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

  async stop(): Promise<void> {
    const server = this.server
    if (!server) return
    this.server = undefined
    // In-flight batches finish (and are acknowledged); idle keep-alive sockets close now, stragglers after 5 s.
    const force = setTimeout(() => server.closeAllConnections(), 5000)
    await new Promise<void>((resolve) => {
      server.close(() => resolve())
      server.closeIdleConnections()
    })
    clearTimeout(force)
  }
}

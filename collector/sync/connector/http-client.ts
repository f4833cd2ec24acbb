import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'

export type SyncEndpoint = {
  url: string
  /** The console's token; empty when it authenticates with a client certificate. */
  token: string
  /** PEM of the CA to trust (pinned: only it, not the system's) for an https core. */
  ca?: string | undefined
  /** PEM client certificate and key, for a core that asks for them. */
  cert?: string | undefined
  key?: string | undefined
}

export type HttpReply = { status: number; headers: IncomingHttpHeaders; body: Buffer }

/** Thrown for answers that are not 2xx; `status` 0 when no answer came (network, TLS). */
export class SyncRequestError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message)
    this.name = 'SyncRequestError'
  }
}

const TIMEOUT_MS = 30_000

/** One request to the core's sync API. Plain node:http(s): the CA is pinned per request. */
export const syncRequest = (
  endpoint: SyncEndpoint,
  method: string,
  path: string,
  body?: Buffer | string,
  contentType = 'application/json',
): Promise<HttpReply> =>
  new Promise((resolve, reject) => {
    const url = new URL(
      path.replace(/^\//, ''),
      endpoint.url.endsWith('/') ? endpoint.url : `${endpoint.url}/`,
    )
    const headers: Record<string, string | number> = endpoint.token
      ? { authorization: `Bearer ${endpoint.token}` }
      : {}
    if (body !== undefined) {
      headers['content-type'] = contentType
      headers['content-length'] = Buffer.byteLength(body)
    }
    const options = { method, headers, timeout: TIMEOUT_MS }
    const req =
      url.protocol === 'https:'
        ? httpsRequest(url, {
            ...options,
            ...(endpoint.ca ? { ca: endpoint.ca } : {}),
            ...(endpoint.cert && endpoint.key ? { cert: endpoint.cert, key: endpoint.key } : {}),
          })
        : httpRequest(url, options)
    req.on('timeout', () => req.destroy(new Error(`no answer from ${url.origin} in ${TIMEOUT_MS / 1000} s`)))
    req.on('error', (error) => reject(new SyncRequestError(0, `${url.origin}: ${error.message}`)))
    req.on('response', (res) => {
      const chunks: Buffer[] = []
      res.on('data', (chunk: Buffer) => chunks.push(chunk))
      res.on('error', (error) => reject(new SyncRequestError(0, `${url.origin}: ${error.message}`)))
      res.on('end', () => {
        const reply = { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }
        if (reply.status >= 200 && reply.status < 300) return resolve(reply)
        let message = `HTTP ${reply.status}`
        try {
          const parsed = JSON.parse(reply.body.toString('utf8')) as { error?: { message?: string } }
          if (parsed.error?.message) message = `${message}: ${parsed.error.message}`
        } catch {
          // not JSON: the status says enough
        }
        reject(new SyncRequestError(reply.status, `${method} ${url.pathname}: ${message}`))
      })
    })
    req.end(body)
  })

export const syncJson = async <T>(
  endpoint: SyncEndpoint,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> => {
  const reply = await syncRequest(
    endpoint,
    method,
    path,
    body === undefined ? undefined : JSON.stringify(body),
  )
  const parsed = JSON.parse(reply.body.toString('utf8')) as { ok: boolean; value: T }
  return parsed.value
}

import { createWriteStream } from 'node:fs'
import { mkdir, rm } from 'node:fs/promises'
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { WebSocketServer, type WebSocket } from 'ws'
import {
  HEALTH_PATH,
  UPLOAD_PATH,
  WS_PATH,
  callFromPath,
  fail,
  type ErrorCode,
  type Result,
} from '../contract'
import { cookieName, hostAllowed, originAllowed, presentedToken, sameToken } from './api-auth'
import type { Core } from './create-core'
import type { Logger } from './log'
import type { ApiTls } from './api-tls'
import { readStatic } from './static-files'
import { newUpload } from './uploads'
import { createTaxiiHandler } from '../sync/taxii/server'
import { API_HEADERS, sendJson } from '../ingest/http-body'

export type ServeOptions = {
  core: Core
  token: string
  host: string
  port: number
  /** The built renderer (out/renderer). Without it the API still works and `/` says how to build. */
  rendererDir: string
  log: Logger
  /** `PUT /api/upload` refuses bodies over this many bytes with 413. */
  maxUploadBytes: number
  /** Where uploads wait for `import:start` (the data dir's `uploads/`). */
  uploadsDir: string
  /** HTTPS (api.tls_*); a CA asks clients for a certificate (a core's consoles may sync with one). */
  tls?: ApiTls | null
}

export type ServeHost = { port: number; url: string; api: string; close(): Promise<void> }

const MAX_API_BODY = 1024 * 1024
/** A renderer that cannot keep up gets no more pushes until it drains; it re-lists on reconnect. */
const MAX_WS_BUFFER = 8 * 1024 * 1024

const STATUS: Record<ErrorCode, number> = {
  invalid_request: 400,
  unknown_call: 404,
  not_found: 404,
  conflict: 409,
  unsupported: 501,
  unavailable: 503,
  internal: 500,
  cancelled: 409, // the operator cancelled it meanwhile (tasks:cancel)
}

// Mirrors the CSP meta tag in renderer/index.html; the header also covers non-HTML responses.
const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

const SECURITY_HEADERS = {
  'content-security-policy': CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
}

const json = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  sendJson(res, status, body, {
    ...SECURITY_HEADERS,
    ...headers,
    ...API_HEADERS,
    'content-type': 'application/json',
  })

const UNAUTHORIZED_PAGE = `<!doctype html><meta charset="utf-8"><title>Outpost: sign in</title>
<body style="font:16px system-ui;margin:3rem;max-width:40rem">
<h1>Outpost needs its access token</h1>
<p>Open the URL that <code>outpost serve</code> printed (the <code>OUTPOST_READY</code> line, with <code>?token=…</code>).
The token is also in the <code>api-token</code> file of the data dir.</p></body>`

const readJson = (req: IncomingMessage): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_API_BODY) {
        reject(new Error(`request body over ${MAX_API_BODY} bytes`))
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8')
      if (text.trim() === '') return resolve({})
      try {
        resolve(JSON.parse(text))
      } catch (error) {
        reject(new Error(`request body is not JSON: ${(error as Error).message}`))
      }
    })
    req.on('error', reject)
  })

/** `outpost serve`: the core's contract over HTTP + WebSocket, and the built renderer. */
export const startServeHost = async (options: ServeOptions): Promise<ServeHost> => {
  const { core, token, log } = options
  let port = options.port
  const sockets = new Set<WebSocket>()
  const taxii = createTaxiiHandler({ entries: () => core.taxiiEntries(), token })

  const respond = (res: ServerResponse, result: Result<unknown>): void =>
    json(res, result.ok ? 200 : STATUS[result.error.code], result)

  const tooLarge = (res: ServerResponse): void => {
    // The rest of the body is not read: close the connection rather than drain gigabytes.
    json(
      res,
      413,
      fail('invalid_request', `upload over ${options.maxUploadBytes} bytes (api.max_upload_bytes)`),
      {
        connection: 'close',
      },
    )
  }

  /**
   * The only /api request that is not JSON: a browser cannot hand the core a path, so it sends
   * the file's bytes here, streamed to disk, and then calls `import:start { upload_id }`. Auth,
   * Host and Origin are checked before this runs, like every /api call.
   */
  const handleUpload = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (req.method !== 'PUT') {
      json(res, 405, fail('invalid_request', 'uploads are PUT /api/upload?name=<file name>'), {
        allow: 'PUT',
      })
      return
    }
    const name = url.searchParams.get('name')?.trim()
    if (!name) {
      json(res, 400, fail('invalid_request', 'name the file: PUT /api/upload?name=<file name>'))
      return
    }
    const declared = Number(req.headers['content-length'] ?? 0)
    if (declared > options.maxUploadBytes) return tooLarge(res)
    await mkdir(options.uploadsDir, { recursive: true, mode: 0o700 })
    const upload = newUpload(options.uploadsDir, name)
    let size = 0
    let over = false
    // Past the cap: answer 413 at once, drop what still arrives, and hang up once the answer is out.
    const cap = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        size += chunk.length
        if (size <= options.maxUploadBytes) return callback(null, chunk)
        if (!over) {
          over = true
          res.once('finish', () => req.destroy())
          tooLarge(res)
        }
        callback()
      },
    })
    try {
      await pipeline(req, cap, createWriteStream(upload.path, { mode: 0o600 }))
    } catch (error) {
      await rm(upload.path, { force: true })
      if (!res.headersSent)
        json(res, 400, fail('invalid_request', `upload failed: ${(error as Error).message}`))
      return
    }
    if (over) {
      await rm(upload.path, { force: true })
      return
    }
    log.info('upload stored', { upload_id: upload.id, name, bytes: size })
    json(res, 200, { ok: true, value: { upload_id: upload.id } })
  }

  const handleApi = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    if (url.pathname === HEALTH_PATH && req.method === 'GET') {
      respond(res, await core.call('system:health', {}))
      return
    }
    if (url.pathname === UPLOAD_PATH) return handleUpload(req, res, url)
    const name = callFromPath(url.pathname)
    if (!name) {
      respond(res, fail('unknown_call', `no call at ${url.pathname}: calls are POST /api/<domain>/<verb>`))
      return
    }
    if (req.method !== 'POST') {
      json(res, 405, fail('invalid_request', `${name} takes POST with a JSON body`), { allow: 'POST' })
      return
    }
    let body: unknown
    try {
      body = await readJson(req)
    } catch (error) {
      respond(res, fail('invalid_request', `${name}: ${(error as Error).message}`))
      return
    }
    respond(res, await core.call(name, body))
  }

  const handleStatic = async (
    req: IncomingMessage,
    res: ServerResponse,
    url: URL,
    authed: boolean,
  ): Promise<void> => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      json(res, 405, { error: 'method not allowed' })
      return
    }
    const queryToken = url.searchParams.get('token')
    if (queryToken !== null && sameToken(queryToken, token)) {
      // First load: trade the token in the URL for a cookie, then drop it from the address bar.
      url.searchParams.delete('token')
      res.writeHead(302, {
        ...SECURITY_HEADERS,
        'set-cookie': `${cookieName(port)}=${token}; HttpOnly; SameSite=Strict; Path=/`,
        location: url.pathname + url.search,
        'cache-control': 'no-store',
      })
      res.end()
      return
    }
    if (!authed) {
      res.writeHead(401, {
        ...SECURITY_HEADERS,
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
      })
      res.end(UNAUTHORIZED_PAGE)
      return
    }
    const file = await readStatic(options.rendererDir, url.pathname)
    if (!file) {
      json(res, 404, { error: `not found: ${url.pathname} (is the renderer built? run npm run build)` })
      return
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'content-type': file.type,
      'content-length': file.body.length,
      'cache-control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    })
    res.end(req.method === 'HEAD' ? undefined : file.body)
  }

  const listener: RequestListener = (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    if (!hostAllowed(req.headers.host, options.host, port)) {
      json(res, 421, {
        ok: false,
        error: {
          code: 'invalid_request',
          message: `Host ${req.headers.host ?? '(none)'} is not this Outpost`,
        },
      })
      return
    }
    // A core's sync API: consoles present their own tokens, checked (with roles) by the API itself.
    if (core.syncApi && (url.pathname === '/sync' || url.pathname.startsWith('/sync/'))) {
      core.syncApi.handle(req, res, url).catch((error: unknown) => {
        log.error('sync request failed', { path: url.pathname, error: (error as Error).message })
        if (!res.headersSent) json(res, 500, fail('internal', (error as Error).message))
      })
      return
    }
    if (taxii(req, res, url)) return
    const authed = sameToken(presentedToken(req, url, port), token)
    const isApi = url.pathname === '/api' || url.pathname.startsWith('/api/')
    const work = isApi
      ? authed
        ? originAllowed(req.headers.origin, req.headers.host)
          ? handleApi(req, res, url)
          : Promise.resolve(json(res, 403, fail('invalid_request', 'cross-origin API calls are refused')))
        : Promise.resolve(
            json(
              res,
              401,
              fail(
                'invalid_request',
                'missing or wrong access token: send Authorization: Bearer <token> (see the api-token file in the data dir)',
              ),
              {
                'www-authenticate': 'Bearer realm="outpost"',
              },
            ),
          )
      : handleStatic(req, res, url, authed)
    work.catch((error: unknown) => {
      log.error('api request failed', { path: url.pathname, error: (error as Error).message })
      if (!res.headersSent) json(res, 500, fail('internal', (error as Error).message))
    })
  }
  const tls = options.tls
  // With a client CA, a certificate is asked for but not required: tokens still work, and the
  // sync API maps a verified certificate's CN to a console.
  const server: Server = tls
    ? createHttpsServer(
        {
          cert: tls.cert,
          key: tls.key,
          ...(tls.ca ? { ca: tls.ca, requestCert: true, rejectUnauthorized: false } : {}),
        },
        listener,
      )
    : createServer(listener)

  const wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 })
  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://localhost')
    const refuse = (status: string): void => {
      socket.end(`HTTP/1.1 ${status}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`)
    }
    if (url.pathname !== WS_PATH) return refuse('404 Not Found')
    if (!hostAllowed(req.headers.host, options.host, port)) return refuse('421 Misdirected Request')
    if (!originAllowed(req.headers.origin, req.headers.host)) return refuse('403 Forbidden')
    if (!sameToken(presentedToken(req, url, port), token)) return refuse('401 Unauthorized')
    wss.handleUpgrade(req, socket, head, (ws) => {
      sockets.add(ws)
      const unsubscribe = core.subscribe((event, payload) => {
        if (ws.readyState === ws.OPEN && ws.bufferedAmount < MAX_WS_BUFFER)
          ws.send(JSON.stringify({ event, payload }))
      })
      ws.on('close', () => {
        unsubscribe()
        sockets.delete(ws)
      })
      ws.on('message', () => ws.close(1003, 'this socket only pushes; calls are POST /api/<domain>/<verb>'))
    })
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port, options.host, () => {
      server.off('error', reject)
      resolve()
    })
  })
  port = (server.address() as AddressInfo).port
  const shownHost =
    options.host === '0.0.0.0' || options.host === '::'
      ? '127.0.0.1'
      : options.host.includes(':')
        ? `[${options.host}]`
        : options.host
  const api = `${tls ? 'https' : 'http'}://${shownHost}:${port}`

  return {
    port,
    api,
    url: `${api}/?token=${token}`,
    async close() {
      for (const ws of sockets) ws.close(1001, 'outpost is stopping')
      const force = setTimeout(() => server.closeAllConnections(), 3000)
      await new Promise<void>((resolve) => {
        wss.close()
        server.close(() => resolve())
        server.closeIdleConnections()
      })
      clearTimeout(force)
    },
  }
}

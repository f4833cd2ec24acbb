import { createHash, randomUUID } from 'node:crypto'
import { createReadStream, createWriteStream } from 'node:fs'
import { mkdir, rename, rm, stat } from 'node:fs/promises'
import type { IncomingMessage, ServerResponse } from 'node:http'
import { join } from 'node:path'
import type { TLSSocket } from 'node:tls'
import { Transform } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { ContractError } from '../../contract'
import { PULL_KINDS, PUSH_KINDS, type SyncKind, type SyncRecord } from '../records'
import { ROLE_RANK, SYNC_ROLES, type SyncConsole, type SyncConsoles, type SyncRole } from './consoles'
import { API_HEADERS, sendJson } from '../../ingest/http-body'
import { SYNC_KINDS, recordProblem, type RecordStore } from './record-store'

export const SYNC_API_VERSION = 'v1'
export const SYNC_PREFIX = '/sync/v1/'
export const MAX_PUSH_RECORDS = 500
const MAX_SYNC_BODY = 16 * 1024 * 1024
const SHA256 = /^[0-9a-f]{64}$/

/** Every route the sync API answers: the OpenAPI document lists exactly these (a test checks). */
export const SYNC_ROUTES = [
  { method: 'GET', path: '/sync/v1/hello', role: 'viewer' },
  { method: 'POST', path: '/sync/v1/push', role: 'analyst' },
  { method: 'GET', path: '/sync/v1/pull', role: 'viewer' },
  { method: 'PUT', path: '/sync/v1/evidence/{sha256}', role: 'analyst' },
  { method: 'GET', path: '/sync/v1/evidence/{sha256}', role: 'analyst' },
  { method: 'POST', path: '/sync/v1/publish', role: 'admin' },
  { method: 'GET', path: '/sync/v1/consoles', role: 'admin' },
  { method: 'POST', path: '/sync/v1/consoles', role: 'admin' },
] as const satisfies ReadonlyArray<{ method: string; path: string; role: SyncRole }>

export type SyncApiOptions = {
  records: RecordStore
  consoles: SyncConsoles
  coreId: string
  /**
   * The replicas' shared evidence (a team core over NATS): told of each file stored here, asked
   * for a file this replica lacks.
   */
  sharedEvidence?: { stored(sha256: string): void; fetch(sha256: string, path: string): Promise<boolean> }
  /** Where pushed evidence bytes are kept, one file per SHA-256. */
  evidenceDir: string
  maxEvidenceBytes: number
}

type Reply = { status: number; body: unknown }
class SyncHttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  sendJson(res, status, body, { ...headers, ...API_HEADERS, 'content-type': 'application/json' })

const failure = (code: string, message: string) => ({ ok: false, error: { code, message } })

const readBody = (req: IncomingMessage): Promise<unknown> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_SYNC_BODY) {
        reject(
          new SyncHttpError(
            413,
            'invalid_request',
            `request body over ${MAX_SYNC_BODY} bytes: push fewer records per batch`,
          ),
        )
        req.destroy()
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => {
      try {
        resolve(JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}'))
      } catch (error) {
        reject(
          new SyncHttpError(400, 'invalid_request', `request body is not JSON: ${(error as Error).message}`),
        )
      }
    })
    req.on('error', reject)
  })

const bearer = (req: IncomingMessage): string | null => {
  const auth = req.headers.authorization
  return auth?.startsWith('Bearer ') ? auth.slice('Bearer '.length).trim() : null
}

/** A client certificate the TLS layer verified against api.client_ca_file: its CN names the console. */
const certificateName = (req: IncomingMessage): string | null => {
  const socket = req.socket as TLSSocket
  if (typeof socket.getPeerCertificate !== 'function' || !socket.authorized) return null
  const cn = socket.getPeerCertificate().subject?.CN
  return typeof cn === 'string' && cn.length > 0 ? cn : null
}

const asRecord = (value: unknown, where: string, allowed: readonly SyncKind[]): SyncRecord => {
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new SyncHttpError(400, 'invalid_request', `${where}: record must be an object`)
  const record = value as SyncRecord
  const problem = recordProblem(record)
  if (problem) throw new SyncHttpError(400, 'invalid_request', `${where}: ${problem}`)
  if (!allowed.includes(record.kind))
    throw new SyncHttpError(
      400,
      'invalid_request',
      `${where}: kind ${record.kind} cannot be sent here; use one of ${allowed.join(', ')}`,
    )
  return record
}

/**
 * The Outpost core sync API (`/sync/v1/…`, documented in collector/sync/openapi.yaml), served
 * by `outpost serve --role core` beside the console's own API. Consoles authenticate with their
 * own token (never the core's api-token); each route needs a role, checked here on the server.
 */
export const createSyncApi = (options: SyncApiOptions) => {
  const { records, consoles } = options
  const certificateConsole = (req: IncomingMessage): SyncConsole | null => {
    const name = certificateName(req)
    return name ? consoles.byCertificate(name) : null
  }

  const route = (method: string, path: string): (typeof SYNC_ROUTES)[number] | undefined =>
    SYNC_ROUTES.find((r) => {
      if (r.method !== method) return false
      if (!r.path.includes('{')) return r.path === path
      const prefix = r.path.slice(0, r.path.indexOf('{'))
      return path.startsWith(prefix) && !path.slice(prefix.length).includes('/')
    })

  const push = (caller: SyncConsole, body: unknown): Reply => {
    const items = (body as { records?: unknown }).records
    if (!Array.isArray(items) || items.length === 0)
      throw new SyncHttpError(
        400,
        'invalid_request',
        'push takes { records: [{ key, record }] } with 1 or more records',
      )
    if (items.length > MAX_PUSH_RECORDS)
      throw new SyncHttpError(
        400,
        'invalid_request',
        `push takes at most ${MAX_PUSH_RECORDS} records, got ${items.length}: split the batch`,
      )
    const parsed = items.map((item: unknown, i) => {
      const { key, record } = (item ?? {}) as { key?: unknown; record?: unknown }
      if (typeof key !== 'string' || key.length === 0 || key.length > 300)
        throw new SyncHttpError(
          400,
          'invalid_request',
          `records[${i}].key: an idempotency key of 1-300 characters is required`,
        )
      return { key, record: asRecord(record, `records[${i}].record`, PUSH_KINDS) }
    })
    const applied = records.applyAll(parsed, caller.name)
    const results = parsed.map(({ key }, i) => ({ key, ...applied[i]! }))
    return { status: 200, body: { ok: true, value: { console_id: caller.name, results } } }
  }

  const publish = (caller: SyncConsole, body: unknown): Reply => {
    const items = (body as { records?: unknown }).records
    if (!Array.isArray(items) || items.length === 0 || items.length > MAX_PUSH_RECORDS)
      throw new SyncHttpError(
        400,
        'invalid_request',
        `publish takes { records: [record] } with 1-${MAX_PUSH_RECORDS} records`,
      )
    const results = items.map((item: unknown, i) => {
      const record = asRecord(item, `records[${i}]`, PULL_KINDS)
      const key = `publish:${record.kind}:${record.id}:${record.version}:${record.origin}:${record.updated_at}`
      return { key, ...records.apply(record, key) }
    })
    return { status: 200, body: { ok: true, value: { console_id: caller.name, results } } }
  }

  const pull = (url: URL, caller: SyncConsole): Reply => {
    const cursorText = url.searchParams.get('cursor') ?? '0'
    const cursor = Number(cursorText)
    if (!/^\d+$/.test(cursorText))
      throw new SyncHttpError(
        400,
        'invalid_request',
        `cursor "${cursorText}": use 0 or the next cursor a pull returned`,
      )
    const kindsText = url.searchParams.get('kinds')
    const kinds = (kindsText ? kindsText.split(',').map((k) => k.trim()) : [...PULL_KINDS]) as SyncKind[]
    const unknown = kinds.filter((k) => !SYNC_KINDS.includes(k))
    if (unknown.length > 0)
      throw new SyncHttpError(
        400,
        'invalid_request',
        `kinds ${unknown.join(', ')}: use a comma-separated list of ${SYNC_KINDS.join(', ')}`,
      )
    const limitText = url.searchParams.get('limit') ?? '100'
    const limit = Number(limitText)
    if (!/^\d+$/.test(limitText) || limit < 1 || limit > 1000)
      throw new SyncHttpError(400, 'invalid_request', `limit "${limitText}": use 1-1000`)
    // Another console's incidents and alerts are not this one's to pull (an admin's are all).
    const page = records.since(cursor, kinds, limit, caller.role === 'admin' ? undefined : caller.name)
    return { status: 200, body: { ok: true, value: { ...page, head: records.head() } } }
  }

  const evidencePath = (url: URL): { sha256: string; path: string } => {
    const sha256 = url.pathname.slice('/sync/v1/evidence/'.length)
    if (!SHA256.test(sha256))
      throw new SyncHttpError(
        400,
        'invalid_request',
        `evidence/${sha256}: name the file by its SHA-256, 64 lowercase hex digits`,
      )
    return { sha256, path: join(options.evidenceDir, sha256) }
  }

  const putEvidence = async (req: IncomingMessage, url: URL): Promise<Reply> => {
    const { sha256, path } = evidencePath(url)
    await mkdir(options.evidenceDir, { recursive: true, mode: 0o700 })
    const temporary = join(options.evidenceDir, `.tmp-${randomUUID()}`)
    const hash = createHash('sha256')
    let size = 0
    const meter = new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        size += chunk.length
        if (size > options.maxEvidenceBytes)
          return callback(
            new SyncHttpError(
              413,
              'invalid_request',
              `evidence over ${options.maxEvidenceBytes} bytes (storage.max_evidence_bytes on the core)`,
            ),
          )
        hash.update(chunk)
        callback(null, chunk)
      },
    })
    try {
      await pipeline(req, meter, createWriteStream(temporary, { mode: 0o600 }))
      const actual = hash.digest('hex')
      if (actual !== sha256)
        throw new SyncHttpError(
          400,
          'invalid_request',
          `the bytes hash to ${actual}, not ${sha256}: nothing was stored; send the file again`,
        )
      await rename(temporary, path)
    } finally {
      await rm(temporary, { force: true })
    }
    options.sharedEvidence?.stored(sha256)
    return { status: 200, body: { ok: true, value: { sha256, size } } }
  }

  const getEvidence = async (res: ServerResponse, url: URL): Promise<Reply | null> => {
    const { sha256, path } = evidencePath(url)
    let info = await stat(path).catch(() => null)
    // Pushed to another replica of the team core: from the shared bucket.
    if (!info && (await options.sharedEvidence?.fetch(sha256, path)))
      info = await stat(path).catch(() => null)
    if (!info) throw new SyncHttpError(404, 'not_found', `no evidence ${sha256} on this core: push it first`)
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'content-length': info.size,
      'x-content-sha256': sha256,
      'cache-control': 'no-store',
    })
    await pipeline(createReadStream(path), res)
    return null
  }

  const addConsole = (body: unknown): Reply => {
    const { name, role } = (body ?? {}) as { name?: unknown; role?: unknown }
    if (typeof name !== 'string' || typeof role !== 'string')
      throw new SyncHttpError(
        400,
        'invalid_request',
        `consoles takes { name, role } with role one of ${SYNC_ROLES.join(', ')}`,
      )
    return { status: 200, body: { ok: true, value: consoles.add(name, role) } }
  }

  /** Answers a /sync/ request; false when the path is not the sync API's. */
  const handle = async (req: IncomingMessage, res: ServerResponse, url: URL): Promise<boolean> => {
    if (url.pathname !== '/sync' && !url.pathname.startsWith('/sync/')) return false
    try {
      const method = req.method ?? 'GET'
      const found = route(method, url.pathname)
      if (!found) {
        const other = SYNC_ROUTES.filter((r) => route(r.method, url.pathname) && r.method !== method)
        if (
          SYNC_ROUTES.some(
            (r) =>
              r.path === url.pathname ||
              (r.path.includes('{') && url.pathname.startsWith(r.path.slice(0, r.path.indexOf('{')))),
          )
        )
          throw new SyncHttpError(
            405,
            'invalid_request',
            `${method} ${url.pathname} is not allowed${other.length ? `; use ${other.map((r) => r.method).join(' or ')}` : ''}`,
          )
        throw new SyncHttpError(
          404,
          'unknown_call',
          `no sync route ${method} ${url.pathname}: see collector/sync/openapi.yaml (${SYNC_PREFIX}…)`,
        )
      }
      const caller = consoles.authenticate(bearer(req)) ?? certificateConsole(req)
      if (!caller) {
        send(
          res,
          401,
          failure(
            'unauthorized',
            'missing, wrong or revoked console token: send Authorization: Bearer <token> made by `outpost sync consoles add NAME --role ROLE` on the core (or a client certificate from api.client_ca_file whose CN is the console name)',
          ),
          {
            'www-authenticate': 'Bearer realm="outpost-sync"',
          },
        )
        return true
      }
      if (ROLE_RANK[caller.role] < ROLE_RANK[found.role])
        throw new SyncHttpError(
          403,
          'forbidden',
          `console "${caller.name}" has role ${caller.role}; ${found.method} ${found.path} needs ${found.role} or above (an admin of the core can add a console with that role)`,
        )
      let reply: Reply | null
      if (found.path === '/sync/v1/hello')
        reply = {
          status: 200,
          body: {
            ok: true,
            value: {
              api_version: SYNC_API_VERSION,
              core_id: options.coreId,
              console_id: caller.name,
              role: caller.role,
              head: records.head(),
              push_kinds: PUSH_KINDS,
              pull_kinds: PULL_KINDS,
            },
          },
        }
      else if (found.path === '/sync/v1/push') reply = push(caller, await readBody(req))
      else if (found.path === '/sync/v1/pull') reply = pull(url, caller)
      else if (found.path === '/sync/v1/publish') reply = publish(caller, await readBody(req))
      else if (found.path === '/sync/v1/evidence/{sha256}')
        reply = method === 'PUT' ? await putEvidence(req, url) : await getEvidence(res, url)
      else if (method === 'GET')
        reply = { status: 200, body: { ok: true, value: { consoles: consoles.list() } } }
      else reply = addConsole(await readBody(req))
      if (reply) send(res, reply.status, reply.body)
    } catch (error) {
      if (res.headersSent) {
        res.destroy()
        return true
      }
      if (error instanceof SyncHttpError) send(res, error.status, failure(error.code, error.message))
      else if (error instanceof ContractError)
        send(
          res,
          error.code === 'conflict' ? 409 : error.code === 'not_found' ? 404 : 400,
          failure(error.code, error.message),
        )
      else send(res, 500, failure('internal', `sync ${url.pathname} failed: ${(error as Error).message}`))
    }
    return true
  }

  return { handle }
}

export type SyncApi = ReturnType<typeof createSyncApi>

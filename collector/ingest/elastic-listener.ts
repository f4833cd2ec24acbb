import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import type { Endpoint } from '../contract'
import type { Logger } from '../host/log'
import type { NewEvent } from '../store/sqlite/events-repo'
import type { TokenCheck } from './hec-listener'
import { BodyError, readBody, readBodyBytes, sendJson } from './http-body'
import { locateJsonError } from './json-error'
import { OPEN_GUARD, type ListenerGuard } from './guard'
import { closeHttp, listenHttp } from './http-server'
import type { Listener } from './listener'
import { normalizeJson, type ReceiveContext } from './normalize'
import type { IngestPipeline } from './pipeline'
import type { SourceStats } from './source-stats'

/**
 * Enough of an Elasticsearch 8 cluster for log shippers to write to it: Filebeat and Winlogbeat
 * (output.elasticsearch), Fluent Bit's `es` output, Vector's `elasticsearch` sink. Documents go
 * through `_bulk` (or `_doc`); the startup calls they make (version, license, ILM policy, index
 * template) are answered plausibly and nothing else of Elasticsearch exists.
 */
export type ElasticOptions = {
  host: string
  port: number
  maxBodyBytes: number
  requireToken: boolean
  /** The Elasticsearch version claimed; Beats newer than it may refuse an "older" cluster. */
  version?: string
}

/** What Outpost claims to be. Beats 8 refuse servers without `X-Elastic-Product` or older than 7.x. */
export const ES_VERSION = '8.17.0'
const CLUSTER_NAME = 'outpost'
const CLUSTER_UUID = 'b3V0cG9zdC1jb2xsZWN0b3I'
const NODE_ID = 'outpost-node-0000000001'

const SETTING = 'listeners.elastic.max_body_bytes'

/** Every answer says it is Elasticsearch: Beats 8 refuse a server whose answers do not. */
const send = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void =>
  sendJson(res, status, body, {
    'content-type': 'application/json; charset=UTF-8',
    'x-elastic-product': 'Elasticsearch',
    ...headers,
  })

/** Elasticsearch's error shape, which every client's error reporting reads. */
export const esError = (status: number, type: string, reason: string) => ({
  error: { root_cause: [{ type, reason }], type, reason },
  status,
})

const clusterInfo = (version: string) => ({
  name: NODE_ID,
  cluster_name: CLUSTER_NAME,
  cluster_uuid: CLUSTER_UUID,
  version: {
    number: version,
    build_flavor: 'default', // not 'serverless': Beats would switch from ILM to data stream lifecycle calls
    build_type: 'tar',
    build_hash: 'outpost',
    build_date: '2024-12-11T12:08:05.663969764Z',
    build_snapshot: false,
    lucene_version: '9.12.0',
    minimum_wire_compatibility_version: '7.17.0',
    minimum_index_compatibility_version: '7.0.0',
  },
  tagline: 'You Know, for Search',
})

const LICENSE = {
  status: 'active',
  uid: '00000000-0000-4000-8000-000000000000',
  type: 'basic',
  issue_date: '2024-01-01T00:00:00.000Z',
  issue_date_in_millis: 1704067200000,
  max_nodes: 1000,
  max_resource_units: null,
  issued_to: CLUSTER_NAME,
  issuer: 'elasticsearch',
  start_date_in_millis: -1,
}

const xpack = () => ({
  build: { hash: 'outpost', date: '2024-12-11T12:08:05.663969764Z' },
  license: { uid: LICENSE.uid, type: 'basic', mode: 'basic', status: 'active' },
  features: Object.fromEntries(
    ['ilm', 'monitoring', 'security', 'watcher', 'ml', 'graph', 'rollup', 'sql', 'data_streams'].map(
      (name) => [
        name,
        {
          available: name === 'ilm' || name === 'data_streams',
          enabled: name === 'ilm' || name === 'data_streams',
        },
      ],
    ),
  ),
  tagline: 'You know, for X',
})

const health = () => ({
  cluster_name: CLUSTER_NAME,
  status: 'green',
  timed_out: false,
  number_of_nodes: 1,
  number_of_data_nodes: 1,
  active_primary_shards: 0,
  active_shards: 0,
  relocating_shards: 0,
  initializing_shards: 0,
  unassigned_shards: 0,
  delayed_unassigned_shards: 0,
  number_of_pending_tasks: 0,
  number_of_in_flight_fetch: 0,
  task_max_waiting_in_queue_millis: 0,
  active_shards_percent_as_number: 100,
})

/**
 * Setup objects the shippers create before writing (ILM policy, index template, …). Outpost has no
 * use for them; it remembers the names so that "does it exist?" answers what was just created,
 * which is what Beats check before PUTting (HEAD/GET -> 404 -> PUT once).
 */
const SETUP_KINDS = {
  _index_template: (name: string) => ({ index_templates: [{ name, index_template: {} }] }),
  _component_template: (name: string) => ({ component_templates: [{ name, component_template: {} }] }),
  _template: (name: string) => ({ [name]: {} }),
  _ilm: (name: string) => ({ [name]: { version: 1, modified_date: LICENSE.issue_date, policy: {} } }),
  _ingest: (name: string) => ({ [name]: {} }),
  _data_stream: (name: string) => ({
    data_streams: [{ name, timestamp_field: { name: '@timestamp' }, status: 'GREEN', generation: 1 }],
  }),
} as const
type SetupKind = keyof typeof SETUP_KINDS
const MAX_SETUP_NAMES = 1000

type Presented = { token: string; alternatives: string[] } | 'missing' | 'malformed'

/** Bearer TOKEN, ApiKey TOKEN or ApiKey base64(id:TOKEN) as Beats send `api_key: id:TOKEN`, Basic with password TOKEN. */
const presentedToken = (req: IncomingMessage): Presented => {
  const header = req.headers.authorization
  if (!header) return 'missing'
  const [scheme = '', value] = header.split(/\s+/, 2)
  if (!value) return 'malformed'
  if (/^bearer$/i.test(scheme)) return { token: value, alternatives: [] }
  const decoded = Buffer.from(value, 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  if (/^apikey$/i.test(scheme))
    return { token: value, alternatives: colon >= 0 ? [decoded.slice(colon + 1)] : [] }
  if (/^basic$/i.test(scheme))
    return colon >= 0 ? { token: decoded.slice(colon + 1), alternatives: [] } : 'malformed'
  return 'malformed'
}

// ---- _bulk -------------------------------------------------------------------------------------

export type BulkAction = 'index' | 'create' | 'update' | 'delete'
const ACTIONS: readonly string[] = ['index', 'create', 'update', 'delete']

export type BulkItem =
  | {
      action: BulkAction
      index: string | null
      id: string | null
      line: number
      doc: Record<string, unknown>
    }
  | { action: BulkAction; index: string | null; id: string | null; line: number; delete: true }
  | {
      action: BulkAction
      index: string | null
      id: string | null
      line: number
      failure: { status: number; type: string; reason: string; raw: string | null }
    }

export class BulkError extends Error {}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

const describeJsonError = (text: string): string => {
  const at = locateJsonError(text)
  return at ? `column ${at.column}: ${at.reason}` : 'not valid JSON'
}

/**
 * NDJSON action/metadata lines, each but `delete` followed by a document line. A broken action
 * line throws BulkError (the whole request is refused, as Elasticsearch does: which line is a
 * document after it cannot be known); a broken document fails only its own item.
 */
export const parseBulk = (body: string, defaultIndex: string | null): BulkItem[] => {
  const lines = body.split('\n')
  const items: BulkItem[] = []
  let i = 0
  const next = (): { text: string; line: number } | null => {
    while (i < lines.length) {
      const raw = lines[i++]!
      const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw
      if (text.trim().length > 0) return { text, line: i }
    }
    return null
  }
  for (let actionLine = next(); actionLine; actionLine = next()) {
    const { text, line } = actionLine
    let parsed: unknown
    try {
      parsed = JSON.parse(text)
    } catch {
      throw new BulkError(`malformed action/metadata line [${line}]: ${describeJsonError(text)}`)
    }
    const keys = isObject(parsed) ? Object.keys(parsed) : []
    const action = keys[0]
    if (
      keys.length !== 1 ||
      !action ||
      !ACTIONS.includes(action) ||
      !isObject((parsed as Record<string, unknown>)[action])
    )
      throw new BulkError(
        `malformed action/metadata line [${line}]: expected {"<action>":{…}} with one of [create, delete, index, update], found ${text.slice(0, 80)}`,
      )
    const meta = (parsed as Record<string, Record<string, unknown>>)[action]!
    const base = {
      action: action as BulkAction,
      index: typeof meta._index === 'string' ? meta._index : defaultIndex,
      id: typeof meta._id === 'string' || typeof meta._id === 'number' ? String(meta._id) : null,
      line,
    }
    if (action === 'delete') {
      items.push({ ...base, delete: true })
      continue
    }
    const source = next()
    if (!source) {
      items.push({
        ...base,
        failure: {
          status: 400,
          type: 'illegal_argument_exception',
          reason: `the ${action} action on line ${line} has no document line after it`,
          raw: text,
        },
      })
      break
    }
    const fail = (type: string, reason: string): void => {
      items.push({ ...base, failure: { status: 400, type, reason, raw: source.text } })
    }
    let doc: unknown
    try {
      doc = JSON.parse(source.text)
    } catch {
      fail(
        'mapper_parsing_exception',
        `failed to parse the document on line ${source.line}: ${describeJsonError(source.text)}; send one JSON object per line`,
      )
      continue
    }
    if (!isObject(doc)) {
      fail('mapper_parsing_exception', `the document on line ${source.line} is not a JSON object`)
      continue
    }
    if (action === 'update') {
      // Outpost keeps documents, it does not patch them: an update's `doc` (or `upsert`) is stored as is.
      const partial = isObject(doc.doc) ? doc.doc : isObject(doc.upsert) ? doc.upsert : null
      if (!partial) {
        fail(
          'illegal_argument_exception',
          `the update on line ${source.line} has no "doc" object: scripts are not run, send {"doc":{…}}`,
        )
        continue
      }
      doc = partial
    }
    items.push({ ...base, doc: doc as Record<string, unknown> })
  }
  return items
}

/** One document -> a stored event; Elasticsearch's metadata is kept under `elastic`. */
export const elasticToEvent = (
  doc: Record<string, unknown>,
  meta: { index: string | null; id: string | null; action: BulkAction },
  ctx: ReceiveContext,
): NewEvent => {
  const event = normalizeJson(
    { ...doc, elastic: { index: meta.index, id: meta.id, action: meta.action } },
    ctx,
  )
  // A document `_id` names the document in its index, as in Elasticsearch: a resend with the same
  // _id is stored once (the store skips ids it already has).
  return meta.id === null ? event : { ...event, id: `es:${meta.index ?? ''}:${meta.id}` }
}

// ---- the listener ------------------------------------------------------------------------------

export class ElasticListener implements Listener {
  readonly name = 'elastic'
  guard: ListenerGuard = OPEN_GUARD
  private server: Server | undefined
  private seqNo = 0
  private readonly setup = new Map<SetupKind, Set<string>>()

  constructor(
    private readonly options: ElasticOptions,
    private readonly pipeline: IngestPipeline,
    private readonly checkToken: TokenCheck,
    private readonly stats: SourceStats,
    private readonly log: Logger,
  ) {}

  async start(): Promise<Endpoint> {
    const server = createServer((req, res) => {
      this.handle(req, res).catch((error: unknown) => {
        this.log.error('elastic: request failed', { error: (error as Error).message })
        if (!res.headersSent) send(res, 500, esError(500, 'exception', 'internal error in Outpost'))
      })
    })
    this.guard.protect(server, (peer) => this.stats.rejected(this.name, peer, 'peer not in allow_cidrs'))
    const port = await listenHttp(server, this.options.host, this.options.port)
    this.server = server
    return { host: this.options.host, port }
  }

  /** True when the request may go on; otherwise the 401 was sent. */
  private authorize(req: IncomingMessage, res: ServerResponse, path: string, source: string): boolean {
    if (!this.options.requireToken) return true
    const challenge = {
      'www-authenticate': 'Basic realm="security", charset="UTF-8", Bearer realm="security", ApiKey',
    }
    const presented = presentedToken(req)
    if (presented === 'missing' || presented === 'malformed') {
      req.resume()
      const reason =
        presented === 'missing'
          ? `missing authentication credentials for REST request [${path}]: send Authorization: Bearer <token>, ApiKey <token> or Basic with the token as password (outpost tokens list)`
          : 'unsupported Authorization header: use Bearer <token>, ApiKey <token> or Basic user:<token>'
      send(res, 401, esError(401, 'security_exception', reason), challenge)
      return false
    }
    let revoked = false
    for (const candidate of [presented.token, ...presented.alternatives]) {
      const result = this.checkToken(candidate)
      if (result.ok) return true
      revoked ||= result.reason === 'revoked'
    }
    req.resume()
    const reason = revoked ? 'revoked ingest token' : 'unknown ingest token'
    this.stats.rejected(this.name, source, reason)
    send(res, 401, esError(401, 'security_exception', `unable to authenticate: ${reason}`), challenge)
    return false
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const started = Date.now()
    const url = new URL(req.url ?? '/', 'http://localhost')
    const path = url.pathname.replace(/\/+$/, '') || '/'
    const method = req.method ?? 'GET'
    const source = req.socket.remoteAddress ?? 'unknown'
    if (!this.authorize(req, res, path, source)) return
    const parts = path.split('/').filter(Boolean).map(decodeURIComponent)
    const [first, second, third] = parts
    const read = (method === 'GET' || method === 'HEAD') && parts.length <= 3

    if (parts.length === 0 && read)
      return this.answer(req, res, 200, clusterInfo(this.options.version ?? ES_VERSION))
    if (first === '_license' && read) return this.answer(req, res, 200, { license: LICENSE })
    if (first === '_xpack' && read) return this.answer(req, res, 200, xpack())
    if (first === '_cluster' && second === 'health' && read) return this.answer(req, res, 200, health())
    if (first === '_nodes' && read) {
      return this.answer(req, res, 200, {
        _nodes: { total: 1, successful: 1, failed: 0 },
        cluster_name: CLUSTER_NAME,
        nodes: {
          [NODE_ID]: {
            name: NODE_ID,
            version: this.options.version ?? ES_VERSION,
            roles: ['data', 'ingest', 'master'],
            http: { publish_address: `${this.options.host}:${this.options.port}` },
          },
        },
      })
    }
    if (first && first in SETUP_KINDS) {
      // /_ilm/policy/NAME and /_ingest/pipeline/NAME carry a word before the name.
      const name = first === '_ilm' || first === '_ingest' ? third : second
      if (name) return this.answerSetup(req, res, first as SetupKind, name, method)
    }
    const bulk = (parts.length === 1 && first === '_bulk') || (parts.length === 2 && second === '_bulk')
    if (bulk && (method === 'POST' || method === 'PUT'))
      return this.bulk(req, res, parts.length === 2 ? first! : null, source, started)
    const single =
      parts.length >= 2 &&
      !first!.startsWith('_') &&
      ((second === '_doc' && (parts.length === 2 ? method === 'POST' : parts.length === 3)) ||
        (second === '_create' && parts.length === 3))
    if (single && (method === 'POST' || method === 'PUT'))
      return this.single(req, res, first!, third ?? null, second === '_create' ? 'create' : 'index', source)

    req.resume()
    send(
      res,
      404,
      esError(
        404,
        'resource_not_found_exception',
        `Outpost does not implement ${method} ${path}: it takes documents at POST /_bulk, /{index}/_bulk and /{index}/_doc`,
      ),
    )
  }

  private answer(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
    req.resume()
    send(res, status, body)
  }

  private async answerSetup(
    req: IncomingMessage,
    res: ServerResponse,
    kind: SetupKind,
    name: string,
    method: string,
  ): Promise<void> {
    const names = this.setup.get(kind) ?? new Set<string>()
    this.setup.set(kind, names)
    if (method === 'GET' || method === 'HEAD') {
      req.resume()
      if (names.has(name)) return send(res, 200, SETUP_KINDS[kind](name))
      return send(
        res,
        404,
        esError(404, 'resource_not_found_exception', `${kind.slice(1)} [${name}] not found`),
      )
    }
    if (method === 'PUT' || method === 'POST') {
      if (!(await this.drain(req, res))) return
      if (names.size < MAX_SETUP_NAMES) names.add(name)
      return send(res, 200, { acknowledged: true })
    }
    if (method === 'DELETE') {
      req.resume()
      names.delete(name)
      return send(res, 200, { acknowledged: true })
    }
    req.resume()
    send(res, 405, esError(405, 'illegal_argument_exception', `${method} is not allowed on /${kind}/…`))
  }

  /** Reads and discards a body we acknowledge but do not use, still honouring the size cap. */
  private async drain(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    try {
      await readBodyBytes(req, this.options.maxBodyBytes, SETTING)
      return true
    } catch (error) {
      if (!(error instanceof BodyError)) throw error
      send(res, error.status, esError(error.status, 'illegal_argument_exception', error.message))
      return false
    }
  }

  private async readText(req: IncomingMessage, res: ServerResponse, source: string): Promise<string | null> {
    try {
      const text = await readBody(req, this.options.maxBodyBytes, SETTING)
      this.stats.received(this.name, source, Buffer.byteLength(text))
      return text
    } catch (error) {
      if (!(error instanceof BodyError)) throw error
      this.stats.rejected(this.name, source, error.message, error.payload)
      const type = error.status === 413 ? 'content_too_long_exception' : 'illegal_argument_exception'
      send(res, error.status, esError(error.status, type, error.message))
      return null
    }
  }

  /** Commits events; false (and a 503 sent) when storage failed, so nothing is acknowledged. */
  private async commit(res: ServerResponse, source: string, events: NewEvent[]): Promise<boolean> {
    const wait = this.guard.take(source, events.length)
    if (wait > 0) {
      this.stats.dropped(this.name, source, events.length, 'over rate_limit_eps')
      const reason = `over this source's rate limit (listeners.elastic.rate_limit_eps)`
      send(res, 429, esError(429, 'es_rejected_execution_exception', reason), {
        'retry-after': String(Math.ceil(wait / 1000)),
      })
      return false
    }
    try {
      await this.pipeline.submit(events)
    } catch (error) {
      const why = (error as Error).message
      this.stats.dropped(this.name, source, events.length, why)
      send(res, 503, esError(503, 'unavailable_shards_exception', `not stored, retry: ${why}`), {
        'retry-after': '5',
      })
      return false
    }
    this.stats.stored(this.name, source, events.length)
    return true
  }

  private async bulk(
    req: IncomingMessage,
    res: ServerResponse,
    defaultIndex: string | null,
    source: string,
    started: number,
  ): Promise<void> {
    const body = await this.readText(req, res, source)
    if (body === null) return
    let items: BulkItem[]
    try {
      items = parseBulk(body, defaultIndex)
    } catch (error) {
      if (!(error instanceof BulkError)) throw error
      // Nothing is stored, nothing lost: the whole body is kept as the dead letter.
      this.stats.rejected(this.name, source, error.message, body)
      send(res, 400, esError(400, 'illegal_argument_exception', error.message))
      return
    }
    if (items.length === 0) {
      this.stats.rejected(this.name, source, 'empty _bulk request', body)
      const reason = 'Validation Failed: 1: no requests added; send NDJSON action and document lines'
      send(res, 400, esError(400, 'action_request_validation_exception', reason))
      return
    }
    const ctx: ReceiveContext = { listener: this.name, source, receivedAt: Date.now() }
    const events: NewEvent[] = []
    const ids = items.map((item) => {
      if (!('doc' in item)) return item.id
      const event = elasticToEvent(item.doc, item, ctx)
      events.push(event)
      return item.id ?? event.id
    })
    for (const item of items)
      if ('failure' in item) this.stats.rejected(this.name, source, item.failure.reason, item.failure.raw)
    if (events.length > 0 && !(await this.commit(res, source, events))) return

    // Committed: only now does any item say "created".
    const answers = items.map((item, n) => {
      const common = { _index: item.index ?? '', _id: ids[n] ?? '' }
      if ('failure' in item) {
        const { type, reason, status } = item.failure
        return { [item.action]: { ...common, status, error: { type, reason } } }
      }
      const shards = { total: 1, successful: 1, failed: 0 }
      const seq = { _seq_no: this.seqNo++, _primary_term: 1 }
      if ('delete' in item)
        // Outpost never deletes what it collected; "not found" is Elasticsearch's non-error answer.
        return {
          delete: { ...common, _version: 1, result: 'not_found', _shards: shards, ...seq, status: 404 },
        }
      return {
        [item.action]: { ...common, _version: 1, result: 'created', _shards: shards, ...seq, status: 201 },
      }
    })
    send(res, 200, {
      took: Date.now() - started,
      errors: items.some((item) => 'failure' in item),
      items: answers,
    })
  }

  private async single(
    req: IncomingMessage,
    res: ServerResponse,
    index: string,
    id: string | null,
    action: 'index' | 'create',
    source: string,
  ): Promise<void> {
    const body = await this.readText(req, res, source)
    if (body === null) return
    let doc: unknown
    try {
      doc = JSON.parse(body)
    } catch {
      doc = undefined
    }
    if (!isObject(doc)) {
      const reason =
        doc === undefined
          ? `failed to parse the document: ${describeJsonError(body)}`
          : 'the document is not a JSON object'
      this.stats.rejected(this.name, source, reason, body)
      send(res, 400, esError(400, 'mapper_parsing_exception', reason))
      return
    }
    const ctx: ReceiveContext = { listener: this.name, source, receivedAt: Date.now() }
    const event = elasticToEvent(doc, { index, id, action }, ctx)
    if (!(await this.commit(res, source, [event]))) return
    send(res, 201, {
      _index: index,
      _id: id ?? event.id,
      _version: 1,
      result: 'created',
      _shards: { total: 1, successful: 1, failed: 0 },
      _seq_no: this.seqNo++,
      _primary_term: 1,
    })
  }

  async stop(): Promise<void> {
    const server = this.server
    this.server = undefined
    await closeHttp(server)
  }
}

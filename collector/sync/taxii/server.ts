/**
 * A read-only TAXII 2.1 server (OASIS TAXII 2.1, sections 4 and 5): discovery at /taxii2/, one API
 * root /taxii2/outpost/ with one collection of the published intelligence reports' STIX objects,
 * for OpenCTI, MISP and other TAXII clients to pull.
 */
import type { IncomingMessage, ServerResponse } from 'node:http'
import { sameToken } from '../../host/api-auth'
import { API_HEADERS, sendJson } from '../../ingest/http-body'
import { compareEntries, type TaxiiEntry } from './collection'

export const TAXII_MEDIA_TYPE = 'application/taxii+json;version=2.1'
export const STIX_MEDIA_TYPE = 'application/stix+json;version=2.1'
export const DISCOVERY_PATH = '/taxii2/'
export const API_ROOT_PATH = '/taxii2/outpost/'
/** Fixed, so clients can keep it in their configuration across restarts. */
export const COLLECTION_ID = '2f6d5b8e-0b4a-4f53-9d7e-6a1f3c2b9e41'
export const COLLECTION_ALIAS = 'intelligence-reports'
/** A page holds at most this many objects, whatever `limit` asks for. */
export const MAX_PAGE = 1000

export type TaxiiServerOptions = {
  /** The collection's object versions, in any order. Read on every request. */
  entries: () => TaxiiEntry[]
  /** The host's access token: `Authorization: Bearer <token>`, or Basic with it as the password. */
  token: string
}

/** A TAXII error message (section 3.6.1): http_status is a string there. */
class TaxiiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly description: string,
  ) {
    super(description)
  }
}

const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  sendJson(res, status, body, { 'content-type': TAXII_MEDIA_TYPE, ...API_HEADERS, ...headers })

const sendError = (res: ServerResponse, error: TaxiiError, headers: Record<string, string> = {}): void =>
  send(
    res,
    error.status,
    { title: error.title, description: error.description, http_status: String(error.status) },
    headers,
  )

/** Bearer <token>, or Basic <any user>:<token> (what most TAXII clients can be configured with). */
export const taxiiAuthorized = (header: string | undefined, token: string): boolean => {
  if (!header) return false
  const [scheme = '', credentials = ''] = header.trim().split(/\s+/, 2)
  if (scheme.toLowerCase() === 'bearer') return sameToken(credentials, token)
  if (scheme.toLowerCase() === 'basic') {
    const decoded = Buffer.from(credentials, 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    return colon >= 0 && sameToken(decoded.slice(colon + 1), token)
  }
  return false
}

/** Whether an Accept header admits TAXII 2.1 JSON; no header at all is taken as yes. */
export const acceptsTaxii = (header: string | undefined): boolean => {
  if (header === undefined || header.trim() === '') return true
  return header.split(',').some((range) => {
    const [type = '', ...params] = range.split(';').map((p) => p.trim().toLowerCase())
    const param = (name: string): string | undefined =>
      params.find((p) => p.startsWith(`${name}=`))?.slice(name.length + 1)
    if (param('q') === '0') return false
    if (type === '*/*' || type === 'application/*') return true
    if (type !== 'application/taxii+json') return false
    const version = param('version')
    return version === undefined || version === '2.1'
  })
}

const timestamp = (name: string, value: string): string => {
  const date = new Date(value)
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(date.getTime()))
    throw new TaxiiError(400, 'Bad filter', `${name}: "${value}" is not an RFC 3339 timestamp`)
  return date.toISOString()
}

/** `match[x]=a,b&match[x]=c` -> [a, b, c]; undefined when absent. */
const listParam = (url: URL, name: string): string[] | undefined => {
  const values = url.searchParams.getAll(name)
  if (values.length === 0) return undefined
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '')
}

type Cursor = { date_added: string; id: string; version: string }

const encodeCursor = (e: TaxiiEntry): string =>
  Buffer.from(JSON.stringify([e.date_added, e.id, e.version])).toString('base64url')

const decodeCursor = (text: string): Cursor => {
  try {
    const value = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown
    if (Array.isArray(value) && value.length === 3 && value.every((v) => typeof v === 'string')) {
      const [date_added, id, version] = value as [string, string, string]
      return { date_added, id, version }
    }
  } catch {
    // fall through to the error
  }
  throw new TaxiiError(400, 'Bad next', `next: "${text}" is not a value this server gave out`)
}

/** Keeps the versions match[version] asks for (default: the last of each object). */
const selectVersions = (entries: TaxiiEntry[], wanted: string[] | undefined): TaxiiEntry[] => {
  const values = wanted ?? ['last']
  const byId = new Map<string, TaxiiEntry[]>()
  for (const e of entries) byId.set(e.id, [...(byId.get(e.id) ?? []), e])
  const stamps = new Set(
    values.filter((v) => !['last', 'first', 'all'].includes(v)).map((v) => timestamp('match[version]', v)),
  )
  const out: TaxiiEntry[] = []
  for (const versions of byId.values()) {
    const sorted = [...versions].sort((a, b) => (a.version < b.version ? -1 : a.version > b.version ? 1 : 0))
    const keep = new Set<TaxiiEntry>()
    if (values.includes('all')) sorted.forEach((e) => keep.add(e))
    if (values.includes('first')) keep.add(sorted[0]!)
    if (values.includes('last')) keep.add(sorted[sorted.length - 1]!)
    for (const e of sorted) if (stamps.has(e.version)) keep.add(e)
    out.push(...keep)
  }
  return out
}

type Page = { items: TaxiiEntry[]; more: boolean; next?: string }

/** Filters, orders and cuts one page (section 3.4 filtering, 3.7 pagination). */
const page = (entries: TaxiiEntry[], url: URL, options: { versions: boolean }): Page => {
  const addedAfter = url.searchParams.get('added_after')
  const after = addedAfter === null ? undefined : timestamp('added_after', addedAfter)
  const limitText = url.searchParams.get('limit')
  if (limitText !== null && !/^[1-9]\d{0,9}$/.test(limitText))
    throw new TaxiiError(400, 'Bad limit', `limit: "${limitText}" is not a positive whole number`)
  const limit = Math.min(limitText === null ? MAX_PAGE : Number(limitText), MAX_PAGE)
  const ids = listParam(url, 'match[id]')
  const types = listParam(url, 'match[type]')
  const specVersions = listParam(url, 'match[spec_version]')
  let selected = entries.filter(
    (e) =>
      (ids === undefined || ids.includes(e.id)) &&
      (types === undefined || types.includes(String(e.object.type))) &&
      (specVersions === undefined || specVersions.includes('2.1')),
  )
  if (!options.versions) selected = selectVersions(selected, listParam(url, 'match[version]'))
  selected = selected.filter((e) => after === undefined || e.date_added > after).sort(compareEntries)
  const nextText = url.searchParams.get('next')
  if (nextText !== null) {
    const cursor = decodeCursor(nextText)
    const probe: TaxiiEntry = { ...cursor, object: { type: '', id: cursor.id } }
    selected = selected.filter((e) => compareEntries(e, probe) > 0)
  }
  const items = selected.slice(0, limit)
  const more = selected.length > items.length
  const last = items[items.length - 1]
  return { items, more, ...(more && last ? { next: encodeCursor(last) } : {}) }
}

const dateHeaders = (items: TaxiiEntry[]): Record<string, string> => {
  const first = items[0]
  const last = items[items.length - 1]
  return first && last
    ? { 'X-TAXII-Date-Added-First': first.date_added, 'X-TAXII-Date-Added-Last': last.date_added }
    : {}
}

const collection = {
  id: COLLECTION_ID,
  title: 'Outpost intelligence reports',
  description:
    "The STIX 2.1 objects of this Outpost's published intelligence reports, each added when its report was published.",
  alias: COLLECTION_ALIAS,
  can_read: true,
  can_write: false,
  media_types: [STIX_MEDIA_TYPE],
}

/**
 * The handler the headless host mounts: answers every request under /taxii2 (true), leaves the
 * rest to the host (false). Auth is checked here: TAXII clients send Basic or Bearer, never cookies.
 */
export const createTaxiiHandler =
  (options: TaxiiServerOptions) =>
  (req: IncomingMessage, res: ServerResponse, url: URL): boolean => {
    const path = url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`
    if (!path.startsWith(DISCOVERY_PATH)) return false
    try {
      if (!taxiiAuthorized(req.headers.authorization, options.token)) {
        sendError(
          res,
          new TaxiiError(
            401,
            'Unauthorized',
            "send the host's access token (the api-token file in the data dir): Authorization: Bearer <token>, or Basic with it as the password",
          ),
          { 'www-authenticate': 'Basic realm="outpost-taxii", Bearer realm="outpost-taxii"' },
        )
        return true
      }
      if (!acceptsTaxii(req.headers.accept))
        throw new TaxiiError(
          406,
          'Not Acceptable',
          `this server answers ${TAXII_MEDIA_TYPE} only, not "${req.headers.accept ?? ''}"`,
        )
      route(req, res, url, path, options)
    } catch (error) {
      if (error instanceof TaxiiError) sendError(res, error)
      else sendError(res, new TaxiiError(500, 'Internal error', (error as Error).message))
    }
    return true
  }

const route = (
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  path: string,
  options: TaxiiServerOptions,
): void => {
  const parts = path.slice(DISCOVERY_PATH.length).split('/').filter(Boolean).map(decodeURIComponent)
  const [root, section, collectionId, resource, objectId, tail, ...rest] = parts
  const isObjects = section === 'collections' && resource === 'objects'
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    if (isObjects && collectionId !== undefined && [COLLECTION_ID, COLLECTION_ALIAS].includes(collectionId))
      throw new TaxiiError(
        403,
        'Read-only collection',
        'this collection cannot be written (can_write is false)',
      )
    throw new TaxiiError(405, 'Method not allowed', `${req.method ?? ''} is not served here: use GET`)
  }
  const notFound = (what: string): TaxiiError => new TaxiiError(404, 'Not found', what)
  if (root === undefined) {
    const origin = `http://${req.headers.host ?? '127.0.0.1'}`
    send(res, 200, {
      title: 'Outpost TAXII 2.1',
      description: "Outpost's published intelligence reports as STIX 2.1",
      default: `${origin}${API_ROOT_PATH}`,
      api_roots: [`${origin}${API_ROOT_PATH}`],
    })
    return
  }
  if (root !== 'outpost') throw notFound(`no API root at /taxii2/${root}/ (the API root is ${API_ROOT_PATH})`)
  if (section === undefined) {
    send(res, 200, {
      title: 'Outpost',
      description: 'Intelligence reports published in this Outpost',
      versions: [TAXII_MEDIA_TYPE],
      max_content_length: 0,
    })
    return
  }
  if (section === 'status') throw notFound(`no status ${collectionId ?? ''}: this API root takes no writes`)
  if (section !== 'collections') throw notFound(`nothing at ${path}`)
  if (collectionId === undefined) {
    send(res, 200, { collections: [collection] })
    return
  }
  if (collectionId !== COLLECTION_ID && collectionId !== COLLECTION_ALIAS)
    throw notFound(`no collection ${collectionId} (see ${API_ROOT_PATH}collections/)`)
  if (resource === undefined) {
    send(res, 200, collection)
    return
  }
  const entries = options.entries()
  if (resource === 'manifest' && objectId === undefined) {
    const p = page(entries, url, { versions: false })
    send(
      res,
      200,
      {
        more: p.more,
        ...(p.next !== undefined && { next: p.next }),
        ...(p.items.length > 0 && {
          objects: p.items.map((e) => ({
            id: e.id,
            date_added: e.date_added,
            version: e.version,
            media_type: STIX_MEDIA_TYPE,
          })),
        }),
      },
      dateHeaders(p.items),
    )
    return
  }
  if (resource !== 'objects' || rest.length > 0) throw notFound(`nothing at ${path}`)
  if (objectId === undefined || tail === undefined) {
    const scoped = objectId === undefined ? entries : entries.filter((e) => e.id === objectId)
    if (objectId !== undefined && scoped.length === 0)
      throw notFound(`no object ${objectId} in this collection`)
    const p = page(scoped, url, { versions: false })
    send(
      res,
      200,
      {
        more: p.more,
        ...(p.next !== undefined && { next: p.next }),
        ...(p.items.length > 0 && { objects: p.items.map((e) => e.object) }),
      },
      dateHeaders(p.items),
    )
    return
  }
  if (tail !== 'versions') throw notFound(`nothing at ${path}`)
  const versions = entries.filter((e) => e.id === objectId)
  if (versions.length === 0) throw notFound(`no object ${objectId} in this collection`)
  const p = page(versions, url, { versions: true })
  send(
    res,
    200,
    {
      more: p.more,
      ...(p.next !== undefined && { next: p.next }),
      ...(p.items.length > 0 && { versions: p.items.map((e) => e.version) }),
    },
    dateHeaders(p.items),
  )
}

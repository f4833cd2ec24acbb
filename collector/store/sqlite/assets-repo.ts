/**
 * The asset inventory as the calls read it: lists, an asset's page (links, alerts, incidents,
 * recent events), the analyst's fields, and the entity graph. The indexer (assets/indexer.ts)
 * writes the counts; this writes only the manual fields.
 */
import type { Database, Statement } from 'better-sqlite3'
import {
  AssetKind,
  type Asset,
  type AssetLink,
  type AssetRelation,
  type CallRes,
  type Criticality,
  type GraphEdge,
  type GraphNode,
  type ParsedReq,
} from '../../contract'
import { assetKey } from './asset-key'
import type { AlertsRepo } from './alerts-repo'

type AssetRow = {
  id: number
  kind: AssetKind
  key: string
  value: string
  first_seen: number
  last_seen: number
  events: number
  alerts: number
  owner: string | null
  criticality: Criticality | null
  role: string | null
  tags: string
  note: string | null
  updated_at: number | null
}
type LinkRow = { a: number; b: number; relation: AssetRelation; events: number }

const iso = (ms: number): string => new Date(ms).toISOString()

/** Its contract id: kind and key (the normalized value), so it survives a rebuild whatever the case seen first. */
export const assetId = (kind: AssetKind, key: string): string => `${kind}:${key}`

/**
 * An asset entered by hand is stored as seen from the end of time to the epoch, so the indexer's
 * min/max upsert sets both the first time an event names it; until then they read as null.
 */
export const NOT_SEEN = { first_seen: 8.64e15, last_seen: 0 } as const

const toAsset = (r: AssetRow): Asset => ({
  id: assetId(r.kind, r.key),
  kind: r.kind,
  value: r.value,
  first_seen: r.last_seen === NOT_SEEN.last_seen ? null : iso(r.first_seen),
  last_seen: r.last_seen === NOT_SEEN.last_seen ? null : iso(r.last_seen),
  events: r.events,
  alerts: r.alerts,
  owner: r.owner,
  criticality: r.criticality,
  role: r.role,
  tags: JSON.parse(r.tags) as string[],
  note: r.note,
  updated_at: r.updated_at === null ? null : iso(r.updated_at),
})

/** Alerts naming a host or user asset (alerts.host / alerts.user, case-insensitively; indexed). */
const ALERTS = `CASE a.kind
  WHEN 'host' THEN (SELECT count(*) FROM alerts WHERE alerts.host = a.key COLLATE NOCASE)
  WHEN 'user' THEN (SELECT count(*) FROM alerts WHERE alerts.user = a.key COLLATE NOCASE)
  ELSE 0 END`
const COLUMNS = `a.id, a.kind, a.key, a.value, a.first_seen, a.last_seen, a.events, ${ALERTS} AS alerts,
  a.owner, a.criticality, a.role, a.tags, a.note, a.updated_at`

const SORTS = {
  last_seen: 'a.last_seen DESC, a.id DESC',
  events: 'a.events DESC, a.id DESC',
  alerts: 'alerts DESC, a.events DESC, a.id DESC',
  value: 'a.value COLLATE NOCASE ASC, a.id ASC',
} as const

const LINKS_MAX = 500
const ALERTS_MAX = 200
const INCIDENTS_MAX = 200
/** Alert nodes per host or user asset in the graph, newest first. */
export const GRAPH_ALERTS_PER_ASSET = 20

const likeEscape = (text: string): string => text.replace(/[\\%_]/g, (c) => '\\' + c)

/** A request the inventory cannot answer: unknown asset, malformed id. */
export class AssetError extends Error {
  override name = 'AssetError'
  constructor(
    readonly code: 'not_found' | 'invalid_request' | 'conflict',
    message: string,
  ) {
    super(message)
  }
}

export type AssetUpdate = Omit<ParsedReq<'assets:update'>, 'id'>
export type AssetInput = ParsedReq<'assets:create'>

export class AssetsRepo {
  private readonly byKey: Statement<{ kind: string; key: string }>
  private readonly byRowId: Statement<{ id: number }>
  private readonly linksOf: Statement<{ id: number; limit: number }>
  private readonly neighbours: Statement<{ id: number }>
  private readonly recentEvents: Statement<{ id: number; limit: number }>

  constructor(
    private readonly db: Database,
    private readonly alerts: AlertsRepo,
  ) {
    this.byKey = db.prepare(`SELECT ${COLUMNS} FROM assets a WHERE a.kind = @kind AND a.key = @key`)
    this.byRowId = db.prepare(`SELECT ${COLUMNS} FROM assets a WHERE a.id = @id`)
    this.linksOf = db.prepare(
      `SELECT l.b AS other, 'out' AS direction, l.relation, l.events, l.first_seen, l.last_seen
         FROM asset_links l WHERE l.a = @id
       UNION ALL
       SELECT l.a AS other, 'in' AS direction, l.relation, l.events, l.first_seen, l.last_seen
         FROM asset_links l WHERE l.b = @id
       ORDER BY events DESC LIMIT @limit`,
    )
    this.neighbours = db.prepare(
      `SELECT a, b, relation, events FROM asset_links WHERE a = @id
       UNION ALL SELECT a, b, relation, events FROM asset_links WHERE b = @id
       ORDER BY events DESC`,
    )
    this.recentEvents = db.prepare(
      `SELECT e.seq, e.id, e.ts, e.host, e.message FROM asset_events ae JOIN events e ON e.seq = ae.seq
       WHERE ae.asset = @id ORDER BY ae.seq DESC LIMIT @limit`,
    )
  }

  /** The asset a contract id names, or AssetError. */
  private find(id: string): AssetRow {
    const colon = id.indexOf(':')
    const kind = AssetKind.safeParse(colon > 0 ? id.slice(0, colon) : '')
    if (!kind.success)
      throw new AssetError(
        'invalid_request',
        `asset id ${JSON.stringify(id)} is not <kind>:<value> with a kind of ${AssetKind.options.join(', ')} (e.g. host:ws01)`,
      )
    const key = assetKey(kind.data, id.slice(colon + 1))
    const row = key === null ? undefined : (this.byKey.get({ kind: kind.data, key }) as AssetRow | undefined)
    if (!row) throw new AssetError('not_found', `no asset ${id} (assets:list shows the known ones)`)
    return row
  }

  list(req: ParsedReq<'assets:list'>): CallRes<'assets:list'> {
    const where: string[] = []
    const args: Record<string, unknown> = {}
    if (req.kind) {
      where.push('a.kind = @kind')
      args.kind = req.kind
    }
    if (req.criticality) {
      where.push('a.criticality = @criticality')
      args.criticality = req.criticality
    }
    if (req.tag !== undefined) {
      where.push('EXISTS (SELECT 1 FROM json_each(a.tags) t WHERE t.value = @tag COLLATE NOCASE)')
      args.tag = req.tag
    }
    const query = req.query?.trim()
    if (query) {
      where.push(
        `(a.value LIKE @like ESCAPE '\\' OR a.owner LIKE @like ESCAPE '\\' OR a.role LIKE @like ESCAPE '\\'
          OR a.tags LIKE @like ESCAPE '\\')`,
      )
      args.like = `%${likeEscape(query)}%`
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''
    const total = (this.db.prepare(`SELECT count(*) AS n FROM assets a ${clause}`).get(args) as { n: number })
      .n
    const rows = this.db
      .prepare(
        `SELECT ${COLUMNS} FROM assets a ${clause} ORDER BY ${SORTS[req.sort]} LIMIT @limit OFFSET @offset`,
      )
      .all({ ...args, limit: req.limit, offset: req.offset }) as AssetRow[]
    const kinds = Object.fromEntries(AssetKind.options.map((kind) => [kind, 0])) as Record<AssetKind, number>
    for (const row of this.db.prepare('SELECT kind, count(*) AS n FROM assets GROUP BY kind').all() as Array<{
      kind: AssetKind
      n: number
    }>)
      kinds[row.kind] = row.n
    return { assets: rows.map(toAsset), total, kinds }
  }

  get(id: string, events: number): CallRes<'assets:get'> {
    const row = this.find(id)
    const links = (
      this.linksOf.all({ id: row.id, limit: LINKS_MAX }) as Array<{
        other: number
        direction: 'out' | 'in'
        relation: AssetRelation
        events: number
        first_seen: number
        last_seen: number
      }>
    ).map((link): AssetLink => ({
      asset: toAsset(this.byRowId.get({ id: link.other }) as AssetRow),
      relation: link.relation,
      direction: link.direction,
      events: link.events,
      first_seen: iso(link.first_seen),
      last_seen: iso(link.last_seen),
    }))
    const column = row.kind === 'host' ? 'host' : row.kind === 'user' ? 'user' : null
    const recent =
      events === 0
        ? []
        : (this.recentEvents.all({ id: row.id, limit: events }) as Array<{
            seq: number
            id: string
            ts: number
            host: string | null
            message: string | null
          }>)
    return {
      asset: toAsset(row),
      links,
      alerts: column ? this.alerts.naming(column, row.key, ALERTS_MAX) : [],
      incidents: column ? this.alerts.incidentsNaming(column, row.key, INCIDENTS_MAX) : [],
      events: recent.map((e) => ({
        seq: e.seq,
        id: e.id,
        timestamp: iso(e.ts),
        host: e.host,
        message: e.message,
      })),
    }
  }

  /**
   * An asset no event named yet (a server to watch, a user to expect), keyed like the indexer's
   * so events naming it later count on it. Refuses one that exists, or a value that names none
   * (an address that is not one, or loopback). Call inside the audit's transaction.
   */
  create(input: AssetInput, now = Date.now()): Asset {
    const key = assetKey(input.kind, input.value)
    if (key === null)
      throw new AssetError(
        'invalid_request',
        input.kind === 'ip'
          ? `value: ${JSON.stringify(input.value)} is not an IPv4/IPv6 address the inventory keeps (loopback, multicast and unspecified ones are skipped)`
          : 'value: a value is required',
      )
    const id = assetId(input.kind, key)
    if (this.byKey.get({ kind: input.kind, key }))
      throw new AssetError('conflict', `${id} is already in the inventory: edit it with assets:update`)
    const { lastInsertRowid } = this.db
      .prepare(
        `INSERT INTO assets (kind, key, value, first_seen, last_seen, events, owner, criticality, role, tags,
           note, updated_at)
         VALUES (@kind, @key, @value, @first_seen, @last_seen, 0, @owner, @criticality, @role, @tags, @note, @now)`,
      )
      .run({
        kind: input.kind,
        key,
        value: input.kind === 'ip' ? key : input.value.trim(),
        ...NOT_SEEN,
        owner: input.owner || null,
        criticality: input.criticality,
        role: input.role || null,
        tags: JSON.stringify([...new Set(input.tags)]),
        note: input.note,
        now,
      })
    return toAsset(this.byRowId.get({ id: Number(lastInsertRowid) }) as AssetRow)
  }

  /** The analyst's fields; those left undefined are kept, null clears. Call inside the audit's transaction. */
  update(id: string, change: AssetUpdate, now = Date.now()): Asset {
    const row = this.find(id)
    const tags = change.tags === undefined ? undefined : [...new Set(change.tags)]
    const set = (value: string | null | undefined, old: string | null): string | null =>
      value === undefined ? old : value === '' ? null : value
    this.db
      .prepare(
        `UPDATE assets SET owner = @owner, criticality = @criticality, role = @role, tags = @tags, note = @note,
           updated_at = @now WHERE id = @id`,
      )
      .run({
        id: row.id,
        owner: set(change.owner, row.owner),
        criticality: change.criticality === undefined ? row.criticality : change.criticality,
        role: set(change.role, row.role),
        tags: tags === undefined ? row.tags : JSON.stringify(tags),
        note: change.note === undefined ? row.note : change.note,
        now,
      })
    return toAsset(this.byRowId.get({ id: row.id }) as AssetRow)
  }

  /**
   * The graph: around `center` (breadth first to `depth`, busiest links first), or the busiest
   * assets and the links among them; with alert nodes for host and user assets. At most `limit`
   * nodes; `truncated` when more matched.
   */
  graph(req: ParsedReq<'graph:get'>): CallRes<'graph:get'> {
    const kinds = req.kinds ? new Set<AssetKind>(req.kinds) : null
    const rows = new Map<number, AssetRow>()
    let truncated = false
    if (req.center !== undefined) {
      const center = this.find(req.center)
      rows.set(center.id, center)
      let frontier = [center.id]
      for (let level = 0; level < req.depth && frontier.length > 0 && !truncated; level++) {
        const next: number[] = []
        for (const id of frontier) {
          for (const link of this.neighbours.all({ id }) as LinkRow[]) {
            const other = link.a === id ? link.b : link.a
            if (rows.has(other)) continue
            const row = this.byRowId.get({ id: other }) as AssetRow
            if (kinds && !kinds.has(row.kind)) continue
            if (rows.size >= req.limit) {
              truncated = true
              break
            }
            rows.set(other, row)
            next.push(other)
          }
          if (truncated) break
        }
        frontier = next
      }
    } else {
      const filter = kinds ? `WHERE a.kind IN (SELECT value FROM json_each(@kinds))` : ''
      const args = kinds ? { kinds: JSON.stringify([...kinds]) } : {}
      const found = this.db
        .prepare(`SELECT ${COLUMNS} FROM assets a ${filter} ORDER BY a.events DESC, a.id LIMIT @limit`)
        .all({ ...args, limit: req.limit + 1 }) as AssetRow[]
      truncated = found.length > req.limit
      for (const row of found.slice(0, req.limit)) rows.set(row.id, row)
    }

    const nodes: GraphNode[] = [...rows.values()].map((row) => ({
      id: assetId(row.kind, row.key),
      kind: row.kind,
      label: row.value,
      events: row.events,
      alerts: row.alerts,
      criticality: row.criticality,
      level: null,
    }))
    // Each node's outgoing links (primary key prefix), kept when the other end is a node too.
    const edges: GraphEdge[] = []
    for (const link of this.db
      .prepare(
        `SELECT l.a, l.b, l.relation, l.events FROM json_each(@ids) j JOIN asset_links l ON l.a = j.value`,
      )
      .all({ ids: JSON.stringify([...rows.keys()]) }) as LinkRow[]) {
      const b = rows.get(link.b)
      if (!b) continue
      const a = rows.get(link.a)!
      edges.push({
        source: assetId(a.kind, a.key),
        target: assetId(b.kind, b.key),
        relation: link.relation,
        events: link.events,
      })
    }

    if (req.alerts) {
      const alertNodes = new Set<string>()
      for (const row of rows.values()) {
        if (row.alerts === 0 || (row.kind !== 'host' && row.kind !== 'user')) continue
        for (const alert of this.alerts.naming(row.kind, row.key, GRAPH_ALERTS_PER_ASSET)) {
          const id = `alert:${alert.id}`
          if (!alertNodes.has(id)) {
            if (nodes.length >= req.limit) {
              truncated = true
              continue
            }
            alertNodes.add(id)
            nodes.push({
              id,
              kind: 'alert',
              label: alert.title,
              events: alert.count,
              alerts: 0,
              criticality: null,
              level: alert.level,
            })
          }
          edges.push({
            source: assetId(row.kind, row.key),
            target: id,
            relation: 'alert',
            events: alert.count,
          })
        }
        if (row.alerts > GRAPH_ALERTS_PER_ASSET) truncated = true
      }
    }
    return { nodes, edges, truncated }
  }
}

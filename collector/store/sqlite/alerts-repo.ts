import type { Database, Statement } from 'better-sqlite3'
import type { Alert, AlertLevel, AlertStatus, Incident } from '../../contract'
import { newEventId } from '../../ingest/event-id'

export const LEVELS: readonly AlertLevel[] = ['informational', 'low', 'medium', 'high', 'critical']
export const levelRank = (level: AlertLevel): number => LEVELS.indexOf(level)
const maxLevel = (a: AlertLevel, b: AlertLevel): AlertLevel => (levelRank(a) >= levelRank(b) ? a : b)

/** An alert only keeps this many of its events' ids; `count` says how many matched. */
export const MAX_ALERT_EVENTS = 100

type AlertRow = {
  seq: number
  id: string
  created_at: number
  updated_at: number
  ts: number
  last_ts: number
  origin: string
  rule_id: string | null
  rule_key: string | null
  title: string
  level: AlertLevel
  tags: string
  techniques: string
  tactics: string
  author: string | null
  license: string | null
  host: string | null
  user: string | null
  event_id: string
  event_ids: string
  count: number
  group_json: string | null
  dedup_key: string | null
  status: AlertStatus
  incident_id: string | null
  note: string | null
}

export type IncidentRow = {
  seq: number
  id: string
  title: string
  description: string
  severity: AlertLevel
  status: Incident['status']
  origin: Incident['origin']
  group_key: string | null
  group_json: string
  created_at: number
  updated_at: number
  first_ts: number
  last_ts: number
  alert_count: number
  techniques: string
  assignee: string | null
  tlp: Incident['tlp']
  pap: Incident['pap']
  operation_id: string | null
}

const iso = (ms: number): string => new Date(ms).toISOString()

const toAlert = (r: AlertRow): Alert => ({
  seq: r.seq,
  id: r.id,
  created_at: iso(r.created_at),
  updated_at: iso(r.updated_at),
  timestamp: iso(r.ts),
  last_timestamp: iso(r.last_ts),
  origin: r.origin,
  rule_id: r.rule_id,
  rule_key: r.rule_key,
  title: r.title,
  level: r.level,
  tags: JSON.parse(r.tags) as string[],
  techniques: JSON.parse(r.techniques) as string[],
  tactics: JSON.parse(r.tactics) as string[],
  author: r.author,
  license: r.license,
  host: r.host,
  user: r.user,
  event_id: r.event_id,
  event_ids: JSON.parse(r.event_ids) as string[],
  count: r.count,
  group: r.group_json === null ? null : (JSON.parse(r.group_json) as Record<string, string | null>),
  status: r.status,
  incident_id: r.incident_id,
  note: r.note,
})

export const toIncident = (r: IncidentRow): Incident => ({
  seq: r.seq,
  id: r.id,
  title: r.title,
  description: r.description,
  severity: r.severity,
  status: r.status,
  created_at: iso(r.created_at),
  updated_at: iso(r.updated_at),
  first_timestamp: iso(r.first_ts),
  last_timestamp: iso(r.last_ts),
  group: JSON.parse(r.group_json) as Record<string, string | null>,
  alert_count: r.alert_count,
  origin: r.origin,
  techniques: JSON.parse(r.techniques) as string[],
  assignee: r.assignee,
  tlp: r.tlp,
  pap: r.pap,
  operation_id: r.operation_id,
})

/** What the engine raises; the repo folds it into a recent twin (same dedup_key) or stores it. */
export type NewAlert = {
  origin: string
  rule_id: string | null
  rule_key: string | null
  title: string
  level: AlertLevel
  tags: string[]
  techniques: string[]
  tactics: string[]
  author: string | null
  license: string | null
  host: string | null
  user: string | null
  ts: number
  event_ids: string[]
  group: Record<string, string | null> | null
  /** Matches with the same key within the suppression window fold into one alert. */
  dedup_key: string
  /** Matches already folded into this one (foldMatches): how many, and the newest one's time. */
  count?: number
  last_ts?: number
}

/**
 * Folds matches in memory before they reach the store, as the store would fold them: by
 * dedup_key, in event-time order, each joining the previous one when it is at most `windowMs`
 * later. A flood of one noisy rule becomes one write per key and chunk, not one per event.
 */
export const foldMatches = (alerts: readonly NewAlert[], windowMs: number): NewAlert[] => {
  const byKey = new Map<string, NewAlert[]>()
  for (const alert of alerts) {
    const list = byKey.get(alert.dedup_key)
    if (list) list.push(alert)
    else byKey.set(alert.dedup_key, [alert])
  }
  const out: NewAlert[] = []
  for (const list of byKey.values()) {
    list.sort((a, b) => a.ts - b.ts)
    let open: NewAlert | null = null
    for (const alert of list) {
      const last = open ? (open.last_ts ?? open.ts) : 0
      if (open && windowMs > 0 && alert.ts - last <= windowMs) {
        open.count = (open.count ?? 1) + (alert.count ?? 1)
        open.last_ts = Math.max(last, alert.last_ts ?? alert.ts)
        for (const id of alert.event_ids)
          if (open.event_ids.length < MAX_ALERT_EVENTS && !open.event_ids.includes(id))
            open.event_ids.push(id)
        continue
      }
      open = { ...alert, event_ids: alert.event_ids.slice(0, MAX_ALERT_EVENTS) }
      out.push(open)
    }
  }
  return out.sort((a, b) => a.ts - b.ts)
}

export type AlertFilter = {
  limit: number
  before?: number | undefined
  status?: AlertStatus[] | undefined
  min_level?: AlertLevel | undefined
  query?: string | undefined
  incident_id?: string | undefined
}

export type Grouping = {
  /** The grouping key's parts, e.g. { host: 'ws-1' }; null when the alert has none of them. */
  group: Record<string, string | null>
  key: string
  windowMs: number
}

/** Statuses an alert can still fold new matches into; closed ones start a new alert. */
const OPEN_STATUSES = `('new', 'acknowledged', 'escalated')`

const likeEscape = (text: string): string => text.replace(/[\\%_]/g, (c) => '\\' + c)

export type IncidentFilter = {
  limit: number
  query?: string | undefined
  status?: Incident['status'] | undefined
  assignee?: string | undefined
  severity?: AlertLevel | undefined
  operation_id?: string | undefined
}

/** Alerts and the incidents they are grouped into. One writer: the core's thread. */
export class AlertsRepo {
  private readonly byId: Statement<[string]>
  private readonly after: Statement<[number, number]>
  private readonly twin: Statement<[string, number]>
  private readonly insert: Statement<Record<string, unknown>>
  private readonly fold: Statement<[number, number, string, number, number]>
  private readonly incidentById: Statement<[string]>
  private readonly incidentTwin: Statement<[string, number]>
  private readonly insertIncident: Statement<Record<string, unknown>>

  /**
   * Called inside the raising transaction with each alert raised or folded into (and the incident
   * a new alert started, if any): sync queues them in the same transaction.
   */
  onRaised: ((alertId: string, newIncidentId: string | null) => void) | null = null

  constructor(private readonly db: Database) {
    this.byId = db.prepare('SELECT * FROM alerts WHERE id = ?')
    this.after = db.prepare('SELECT * FROM alerts WHERE seq > ? ORDER BY seq DESC LIMIT ?')
    this.twin = db.prepare(
      `SELECT * FROM alerts WHERE dedup_key = ? AND last_ts >= ? AND status IN ${OPEN_STATUSES}
       ORDER BY seq DESC LIMIT 1`,
    )
    this.insert = db.prepare(
      `INSERT INTO alerts (id, created_at, updated_at, ts, last_ts, origin, rule_id, rule_key, title, level,
         tags, techniques, tactics, author, license, host, user, event_id, event_ids, count, group_json,
         dedup_key, incident_id)
       VALUES (@id, @now, @now, @ts, @last_ts, @origin, @rule_id, @rule_key, @title, @level, @tags, @techniques,
         @tactics, @author, @license, @host, @user, @event_id, @event_ids, @count, @group_json, @dedup_key,
         @incident_id)`,
    )
    this.fold = db.prepare(
      `UPDATE alerts SET count = count + ?, last_ts = max(last_ts, ?), event_ids = ?, updated_at = ?
       WHERE seq = ?`,
    )
    this.incidentById = db.prepare('SELECT * FROM incidents WHERE id = ?')
    this.incidentTwin = db.prepare(
      `SELECT * FROM incidents WHERE group_key = ? AND last_ts >= ? AND status <> 'closed'
       ORDER BY seq DESC LIMIT 1`,
    )
    this.insertIncident = db.prepare(
      `INSERT INTO incidents (id, title, severity, origin, group_key, group_json, created_at, updated_at,
         first_ts, last_ts, alert_count, techniques)
       VALUES (@id, @title, @severity, @origin, @group_key, @group_json, @now, @now, @first_ts, @last_ts, 0,
         '[]')`,
    )
  }

  get(id: string): Alert | undefined {
    const row = this.byId.get(id) as AlertRow | undefined
    return row && toAlert(row)
  }

  /** Newest first, with the filters; `total` counts every alert the filters match. */
  list(filter: AlertFilter): { alerts: Alert[]; total: number } {
    const where: string[] = []
    const args: unknown[] = []
    if (filter.status && filter.status.length > 0) {
      where.push(`status IN (${filter.status.map(() => '?').join(', ')})`)
      args.push(...filter.status)
    }
    if (filter.min_level) {
      const levels = LEVELS.slice(levelRank(filter.min_level))
      where.push(`level IN (${levels.map(() => '?').join(', ')})`)
      args.push(...levels)
    }
    if (filter.incident_id) {
      where.push('incident_id = ?')
      args.push(filter.incident_id)
    }
    const query = filter.query?.trim()
    if (query) {
      const like = `%${likeEscape(query)}%`
      const columns = ['title', 'rule_id', 'host', 'user', 'tags', 'author']
      where.push(`(${columns.map((c) => `${c} LIKE ? ESCAPE '\\'`).join(' OR ')})`)
      args.push(...columns.map(() => like))
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''
    const total = (
      this.db.prepare(`SELECT count(*) AS n FROM alerts ${clause}`).get(...args) as { n: number }
    ).n
    const page = filter.before === undefined ? clause : `${clause ? clause + ' AND' : 'WHERE'} seq < ?`
    const rows = this.db
      .prepare(`SELECT * FROM alerts ${page} ORDER BY seq DESC LIMIT ?`)
      .all(...args, ...(filter.before === undefined ? [] : [filter.before]), filter.limit) as AlertRow[]
    return { alerts: rows.map(toAlert), total }
  }

  /** Alerts whose host (or user) is `value`, case-insensitively, newest first (an asset's page). */
  naming(column: 'host' | 'user', value: string, limit: number): Alert[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM alerts WHERE ${column} = @value COLLATE NOCASE ORDER BY seq DESC LIMIT @limit`,
        )
        .all({ value, limit }) as AlertRow[]
    ).map(toAlert)
  }

  /** The incidents holding alerts whose host (or user) is `value`, newest first. */
  incidentsNaming(column: 'host' | 'user', value: string, limit: number): Incident[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM incidents WHERE id IN (
             SELECT incident_id FROM alerts WHERE ${column} = @value COLLATE NOCASE AND incident_id IS NOT NULL)
           ORDER BY seq DESC LIMIT @limit`,
        )
        .all({ value, limit }) as IncidentRow[]
    ).map(toIncident)
  }

  /** Alerts stored or changed after `seq`, newest first (the push after a batch). */
  since(seq: number, limit: number): Alert[] {
    return (this.after.all(seq, limit) as AlertRow[]).map(toAlert)
  }

  newestSeq(): number {
    return (this.db.prepare('SELECT max(seq) AS s FROM alerts').get() as { s: number | null }).s ?? 0
  }

  /**
   * Stores a match, or folds it into the newest open alert with the same dedup_key whose last
   * match is within `suppressionMs` of this one (event time). With `grouping`, a new alert joins
   * the open incident of its group seen within the grouping window, or starts one.
   * Call inside a transaction when raising several.
   */
  raise(
    alert: NewAlert,
    suppressionMs: number,
    grouping: Grouping | null,
    now = Date.now(),
  ): { id: string; fresh: boolean } {
    const count = alert.count ?? 1
    const lastTs = Math.max(alert.ts, alert.last_ts ?? alert.ts)
    const twin =
      suppressionMs > 0
        ? (this.twin.get(alert.dedup_key, alert.ts - suppressionMs) as AlertRow | undefined)
        : undefined
    if (twin) {
      const ids = JSON.parse(twin.event_ids) as string[]
      for (const id of alert.event_ids) if (ids.length < MAX_ALERT_EVENTS && !ids.includes(id)) ids.push(id)
      this.fold.run(count, lastTs, JSON.stringify(ids), now, twin.seq)
      if (twin.incident_id)
        this.touchIncident(twin.incident_id, alert.level, lastTs, alert.techniques, 0, now)
      this.onRaised?.(twin.id, null)
      return { id: twin.id, fresh: false }
    }
    let incidentId: string | null = null
    let newIncident: string | null = null
    if (grouping) {
      const open = this.incidentTwin.get(grouping.key, alert.ts - grouping.windowMs) as
        IncidentRow | undefined
      incidentId =
        open?.id ??
        this.createIncident(
          {
            title: incidentTitle(alert.title, grouping.group),
            origin: 'grouping',
            group: grouping.group,
            groupKey: grouping.key,
            ts: alert.ts,
            level: alert.level,
          },
          now,
        ).id
      if (!open) newIncident = incidentId
    }
    const id = newEventId(now)
    this.insert.run({
      id,
      now,
      ts: alert.ts,
      origin: alert.origin,
      rule_id: alert.rule_id,
      rule_key: alert.rule_key,
      title: alert.title,
      level: alert.level,
      tags: JSON.stringify(alert.tags),
      techniques: JSON.stringify(alert.techniques),
      tactics: JSON.stringify(alert.tactics),
      author: alert.author,
      license: alert.license,
      host: alert.host,
      user: alert.user,
      event_id: alert.event_ids[0] ?? '',
      event_ids: JSON.stringify(alert.event_ids.slice(0, MAX_ALERT_EVENTS)),
      count,
      last_ts: lastTs,
      group_json: alert.group === null ? null : JSON.stringify(alert.group),
      dedup_key: alert.dedup_key,
      incident_id: incidentId,
    })
    if (incidentId) {
      this.touchIncident(incidentId, alert.level, alert.ts, alert.techniques, 1, now)
      if (lastTs > alert.ts) this.touchIncident(incidentId, alert.level, lastTs, [], 0, now)
    }
    this.onRaised?.(id, newIncident)
    return { id, fresh: true }
  }

  /** acknowledge / close / false_positive / reopen, with the analyst's note. */
  update(
    ids: readonly string[],
    action: 'acknowledge' | 'close' | 'false_positive' | 'reopen',
    note?: string,
  ): Alert[] {
    const status: AlertStatus =
      action === 'acknowledge'
        ? 'acknowledged'
        : action === 'close'
          ? 'closed'
          : action === 'false_positive'
            ? 'false_positive'
            : 'new'
    const missing = ids.filter((id) => !this.byId.get(id))
    if (missing.length > 0) throw new NotFoundError(`no alert with id ${missing.join(', ')}`)
    const now = Date.now()
    const set = this.db.prepare(
      'UPDATE alerts SET status = ?, note = coalesce(?, note), updated_at = ? WHERE id = ?',
    )
    this.db.transaction(() => {
      for (const id of ids) set.run(status, note ?? null, now, id)
    })()
    return ids.map((id) => this.get(id)!)
  }

  /** Puts alerts into an incident (a new one unless `incidentId`), marking them escalated. */
  escalate(
    ids: readonly string[],
    options: {
      incidentId?: string | undefined
      title?: string | undefined
      description?: string | undefined
      note?: string | undefined
    },
  ): { incident: Incident; alerts: Alert[] } {
    const alerts = ids.map((id) => {
      const found = this.get(id)
      if (!found) throw new NotFoundError(`no alert with id ${id}`)
      return found
    })
    const now = Date.now()
    let incidentId = options.incidentId
    this.db.transaction(() => {
      if (incidentId === undefined) {
        const first = alerts[0]!
        incidentId = this.createIncident(
          {
            title: options.title ?? incidentTitle(first.title, { host: first.host }),
            origin: 'analyst',
            group: { host: first.host, user: first.user },
            groupKey: null,
            ts: Date.parse(first.timestamp),
            level: first.level,
          },
          now,
        ).id
        if (options.description)
          this.db
            .prepare('UPDATE incidents SET description = ? WHERE id = ?')
            .run(options.description, incidentId)
      } else if (!this.incidentById.get(incidentId))
        throw new NotFoundError(`no incident with id ${incidentId}`)
      const set = this.db.prepare(
        `UPDATE alerts SET status = 'escalated', incident_id = ?, note = coalesce(?, note), updated_at = ?
         WHERE id = ?`,
      )
      for (const alert of alerts) {
        set.run(incidentId, options.note ?? null, now, alert.id)
        const joined = alert.incident_id === incidentId ? 0 : 1
        if (alert.incident_id && alert.incident_id !== incidentId) this.recount(alert.incident_id, now)
        this.touchIncident(
          incidentId,
          alert.level,
          Date.parse(alert.last_timestamp),
          alert.techniques,
          joined,
          now,
        )
      }
    })()
    return { incident: this.incident(incidentId!)!, alerts: ids.map((id) => this.get(id)!) }
  }

  incident(id: string): Incident | undefined {
    const row = this.incidentById.get(id) as IncidentRow | undefined
    return row && toIncident(row)
  }

  /** Newest first; `query` looks in title, id and assignee, the others match exactly. */
  incidents(filter: IncidentFilter): Incident[] {
    const where: string[] = []
    const params: Record<string, unknown> = { limit: filter.limit }
    if (filter.query?.trim()) {
      where.push(
        `(instr(lower(title), @query) > 0 OR instr(lower(id), @query) > 0 OR instr(lower(coalesce(assignee, '')), @query) > 0)`,
      )
      params.query = filter.query.trim().toLowerCase()
    }
    for (const field of ['status', 'assignee', 'severity', 'operation_id'] as const) {
      const value = filter[field]
      if (value === undefined) continue
      where.push(`${field} = @${field}`)
      params[field] = value
    }
    const sql = `SELECT * FROM incidents ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT @limit`
    return (this.db.prepare(sql).all(params) as IncidentRow[]).map(toIncident)
  }

  private createIncident(
    input: {
      title: string
      origin: Incident['origin']
      group: Record<string, string | null>
      groupKey: string | null
      ts: number
      level: AlertLevel
    },
    now: number,
  ): { id: string } {
    const id = newEventId(now)
    this.insertIncident.run({
      id,
      title: input.title,
      severity: input.level,
      origin: input.origin,
      group_key: input.groupKey,
      group_json: JSON.stringify(input.group),
      now,
      first_ts: input.ts,
      last_ts: input.ts,
    })
    return { id }
  }

  private touchIncident(
    id: string,
    level: AlertLevel,
    ts: number,
    techniques: readonly string[],
    added: number,
    now: number,
  ): void {
    const row = this.incidentById.get(id) as IncidentRow | undefined
    if (!row) return
    const merged = [...new Set([...(JSON.parse(row.techniques) as string[]), ...techniques])].sort()
    this.db
      .prepare(
        `UPDATE incidents SET severity = ?, first_ts = min(first_ts, ?), last_ts = max(last_ts, ?),
           alert_count = alert_count + ?, techniques = ?, updated_at = ? WHERE id = ?`,
      )
      .run(maxLevel(row.severity, level), ts, ts, added, JSON.stringify(merged), now, id)
  }

  private recount(id: string, now: number): void {
    this.db
      .prepare(
        'UPDATE incidents SET alert_count = (SELECT count(*) FROM alerts WHERE incident_id = @id), updated_at = @now WHERE id = @id',
      )
      .run({ id, now })
  }
}

const incidentTitle = (title: string, group: Record<string, string | null>): string => {
  const where = Object.entries(group)
    .filter(([, value]) => value !== null)
    .map(([key, value]) => `${key} ${value}`)
    .join(', ')
  return where ? `${title} (${where})` : title
}

export class NotFoundError extends Error {
  override name = 'NotFoundError'
}

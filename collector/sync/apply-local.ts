/**
 * Records from other installations made into the objects analysts see: a console's incident
 * pushed to a core (or replicated to it over NATS), or one imported from a signed bundle, lands in
 * the real incidents, alerts, reports and assets tables under its own id, so a later version
 * updates the same row. Audit entries are not applied: merging another installation's entries
 * into the local hash-chained audit log would break its chain, so they stay in the record store
 * (sync_records), where online pushes, NATS and bundle imports all put them.
 */
import { randomUUID } from 'node:crypto'
import type { Database } from 'better-sqlite3'
import {
  AlertLevel,
  AlertStatus,
  AssetKind,
  Criticality,
  IncidentStatus,
  ObservableType,
  ReportStatus,
  Tlp,
} from '../contract'
import { AlertsRepo } from '../store/sqlite/alerts-repo'
import { AssetError, AssetsRepo } from '../store/sqlite/assets-repo'
import { scrubRetractedText } from '../store/sqlite/cases-repo'
import { ReportsRepo, type ObservableInput } from '../store/sqlite/reports-repo'
import { keepAlertEvents } from './alert-events'
import { resolveConflict, type SyncRecord } from './records'

export type ApplyLocalOutcome = 'created' | 'updated' | 'skipped'

type Body = Record<string, unknown>

const PAP = ['clear', 'green', 'amber', 'red'] as const

const object = (value: unknown): Body | null =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Body) : null
const text = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback)
const maybe = (value: unknown): string | null => (typeof value === 'string' ? value : null)
const strings = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []
const list = (value: unknown): Body[] =>
  Array.isArray(value) ? value.map(object).filter((v): v is Body => v !== null) : []
const ms = (value: unknown, fallback: number): number => {
  const parsed = typeof value === 'string' ? Date.parse(value) : Number.NaN
  return Number.isNaN(parsed) ? fallback : parsed
}
const oneOf = <T extends string>(options: readonly T[], value: unknown, fallback: T): T =>
  options.includes(value as T) ? (value as T) : fallback
const nullableOneOf = <T extends string>(options: readonly T[], value: unknown): T | null =>
  options.includes(value as T) ? (value as T) : null

type Applied = { origin: string; version: number; updated_at: string; deleted: number }

/**
 * Writes one record into this installation's tables, inside the caller's transaction. A record
 * that does not win against the version applied before (resolveConflict) is skipped, as is the
 * same version again; a deleted one closes (incidents, alerts) or is only marked (sync_applied).
 */
export const applyToLocal = (db: Database, record: SyncRecord, now = Date.now()): ApplyLocalOutcome =>
  db.transaction((): ApplyLocalOutcome => {
    const apply = APPLIERS[record.kind]
    if (!apply) return 'skipped'
    const applied = db
      .prepare('SELECT origin, version, updated_at, deleted FROM sync_applied WHERE kind = ? AND id = ?')
      .get(record.kind, record.id) as Applied | undefined
    if (applied) {
      const stored: SyncRecord = { ...record, ...applied, deleted: applied.deleted === 1 }
      const same =
        stored.version === record.version &&
        stored.updated_at === record.updated_at &&
        stored.origin === record.origin
      if (same || resolveConflict(stored, record) !== record) return 'skipped'
    }
    const outcome = apply(db, record, now)
    if (outcome === 'skipped') return outcome
    db.prepare(
      `INSERT INTO sync_applied (kind, id, origin, version, updated_at, deleted, applied_at)
       VALUES (@kind, @id, @origin, @version, @updated_at, @deleted, @now)
       ON CONFLICT (kind, id) DO UPDATE SET origin = excluded.origin, version = excluded.version,
         updated_at = excluded.updated_at, deleted = excluded.deleted, applied_at = excluded.applied_at`,
    ).run({
      kind: record.kind,
      id: record.id,
      origin: record.origin,
      version: record.version,
      updated_at: record.updated_at,
      deleted: record.deleted ? 1 : 0,
      now,
    })
    return outcome
  })()

type Applier = (db: Database, record: SyncRecord, now: number) => ApplyLocalOutcome

const exists = (db: Database, table: 'incidents' | 'alerts', id: string): boolean =>
  db.prepare(`SELECT 1 FROM ${table} WHERE id = ?`).get(id) !== undefined

const applyAlert: Applier = (db, record, now) => {
  const known = exists(db, 'alerts', record.id)
  if (record.deleted) {
    if (!known) return 'skipped'
    db.prepare("UPDATE alerts SET status = 'closed', updated_at = ? WHERE id = ?").run(now, record.id)
    return 'updated'
  }
  const a = record.body
  const ts = ms(a.timestamp, now)
  const eventIds = strings(a.event_ids)
  const group = object(a.group)
  // No dedup_key: the local engine never folds its own matches into another installation's alert.
  db.prepare(
    `INSERT INTO alerts (id, created_at, updated_at, ts, last_ts, origin, rule_id, rule_key, title, level, tags,
       techniques, tactics, author, license, host, user, event_id, event_ids, count, group_json, status,
       incident_id, note)
     VALUES (@id, @created_at, @updated_at, @ts, @last_ts, @origin, @rule_id, @rule_key, @title, @level, @tags,
       @techniques, @tactics, @author, @license, @host, @user, @event_id, @event_ids, @count, @group_json,
       @status, @incident_id, @note)
     ON CONFLICT (id) DO UPDATE SET updated_at = excluded.updated_at, last_ts = excluded.last_ts,
       title = excluded.title, level = excluded.level, tags = excluded.tags, techniques = excluded.techniques,
       tactics = excluded.tactics, event_ids = excluded.event_ids, count = excluded.count,
       group_json = excluded.group_json, status = excluded.status, incident_id = excluded.incident_id,
       note = excluded.note`,
  ).run({
    id: record.id,
    created_at: ms(a.created_at, now),
    updated_at: ms(a.updated_at, now),
    ts,
    last_ts: ms(a.last_timestamp, ts),
    origin: text(a.origin, 'sync'),
    rule_id: maybe(a.rule_id),
    rule_key: maybe(a.rule_key),
    title: text(a.title, record.id),
    level: oneOf(AlertLevel.options, a.level, 'medium'),
    tags: JSON.stringify(strings(a.tags)),
    techniques: JSON.stringify(strings(a.techniques)),
    tactics: JSON.stringify(strings(a.tactics)),
    author: maybe(a.author),
    license: maybe(a.license),
    host: maybe(a.host),
    user: maybe(a.user),
    event_id: text(a.event_id, eventIds[0] ?? ''),
    event_ids: JSON.stringify(eventIds),
    count: typeof a.count === 'number' && Number.isSafeInteger(a.count) ? a.count : 1,
    group_json: group ? JSON.stringify(group) : null,
    status: oneOf(AlertStatus.options, a.status, 'new'),
    incident_id: maybe(a.incident_id),
    note: maybe(a.note),
  })
  keepAlertEvents(db, record.id, a.events)
  return known ? 'updated' : 'created'
}

/** Evidence metadata (the bytes travel apart, by SHA-256), once per id and per incident and content. */
const insertEvidence = (db: Database, incidentId: string, e: Body, now: number): boolean => {
  const sha256 = text(e.sha256)
  if (!/^[0-9a-f]{64}$/.test(sha256)) return false
  const size = typeof e.size === 'number' && Number.isSafeInteger(e.size) && e.size >= 0 ? e.size : 0
  return (
    db
      .prepare(
        `INSERT OR IGNORE INTO evidence (id, incident_id, name, media_type, size, sha256, note, actor, added_at)
         VALUES (@id, @incident_id, @name, @media_type, @size, @sha256, @note, @actor, @added_at)`,
      )
      .run({
        id: text(e.id) || randomUUID(),
        incident_id: incidentId,
        name: text(e.name, sha256),
        media_type: text(e.media_type, 'application/octet-stream'),
        size,
        sha256,
        note: maybe(e.note),
        actor: text(e.actor, 'sync'),
        added_at: ms(e.added_at, now),
      }).changes > 0
  )
}

const applyIncident: Applier = (db, record, now) => {
  const known = exists(db, 'incidents', record.id)
  if (record.deleted) {
    if (!known) return 'skipped'
    db.prepare("UPDATE incidents SET status = 'closed', updated_at = ? WHERE id = ?").run(now, record.id)
    return 'updated'
  }
  // A case as its installation reads it (incident, comments, observables, evidence), or a bare Incident.
  const detail = record.body
  const i = object(detail.incident) ?? detail
  const operation = maybe(i.operation_id)
  const first = ms(i.first_timestamp, now)
  db.prepare(
    `INSERT INTO incidents (id, title, description, severity, status, origin, group_key, group_json, created_at,
       updated_at, first_ts, last_ts, alert_count, techniques, assignee, tlp, pap, operation_id)
     VALUES (@id, @title, @description, @severity, @status, @origin, NULL, @group_json, @created_at,
       @updated_at, @first_ts, @last_ts, @alert_count, @techniques, @assignee, @tlp, @pap, @operation_id)
     ON CONFLICT (id) DO UPDATE SET title = excluded.title, description = excluded.description,
       severity = excluded.severity,
       status = excluded.status, group_json = excluded.group_json, updated_at = excluded.updated_at,
       first_ts = excluded.first_ts, last_ts = excluded.last_ts, alert_count = excluded.alert_count,
       techniques = excluded.techniques, assignee = excluded.assignee, tlp = excluded.tlp, pap = excluded.pap,
       operation_id = coalesce(excluded.operation_id, operation_id)`,
  ).run({
    id: record.id,
    title: text(i.title, record.id),
    description: text(i.description),
    severity: oneOf(AlertLevel.options, i.severity, 'medium'),
    status: oneOf(IncidentStatus.options, i.status, 'new'),
    origin: oneOf(['grouping', 'analyst'] as const, i.origin, 'analyst'),
    group_json: JSON.stringify(object(i.group) ?? {}),
    created_at: ms(i.created_at, now),
    updated_at: ms(i.updated_at, now),
    first_ts: first,
    last_ts: ms(i.last_timestamp, first),
    alert_count: typeof i.alert_count === 'number' && Number.isSafeInteger(i.alert_count) ? i.alert_count : 0,
    techniques: JSON.stringify(strings(i.techniques)),
    assignee: maybe(i.assignee),
    tlp: oneOf(Tlp.options, i.tlp, 'amber'),
    pap: oneOf(PAP, i.pap, 'amber'),
    // Only an operation this installation knows (the column references operations).
    operation_id:
      operation !== null && db.prepare('SELECT 1 FROM operations WHERE id = ?').get(operation) !== undefined
        ? operation
        : null,
  })
  // Comments and evidence by their ids, observables by type and value: a re-applied case adds nothing twice.
  const comment = db.prepare(
    'INSERT OR IGNORE INTO incident_comments (id, incident_id, at, actor, body) VALUES (?, ?, ?, ?, ?)',
  )
  for (const c of list(detail.comments))
    if (typeof c.id === 'string' && typeof c.body === 'string')
      comment.run(c.id, record.id, ms(c.at, now), text(c.actor, 'unknown'), c.body)
  for (const o of list(detail.observables)) {
    const type = nullableOneOf(ObservableType.options, o.type)
    const value = text(o.value)
    if (!type || !value) continue
    const found = db.prepare('SELECT id FROM observables WHERE type = ? AND value = ?').get(type, value) as
      { id: string } | undefined
    const observableId = found?.id ?? randomUUID()
    if (!found)
      db.prepare(
        'INSERT INTO observables (id, type, value, first_seen, last_seen, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
      ).run(
        observableId,
        type,
        value,
        typeof o.first_seen === 'string' ? ms(o.first_seen, now) : null,
        typeof o.last_seen === 'string' ? ms(o.last_seen, now) : null,
        maybe(o.note),
        now,
      )
    // When it was added where it was (a removal covers the adds up to a time); of two adds, the later.
    db.prepare(
      `INSERT INTO incident_observables (incident_id, observable_id, added_at) VALUES (?, ?, ?)
       ON CONFLICT (incident_id, observable_id) DO UPDATE SET added_at = max(added_at, excluded.added_at)`,
    ).run(record.id, observableId, ms(o.added_at, now))
  }
  applyRemovals(db, record.id, list(detail.removed))
  for (const e of list(detail.evidence)) insertEvidence(db, record.id, e, now)
  // Analysts' actions written elsewhere (the others are rebuilt from comments, evidence, alerts).
  const entry = db.prepare(
    `INSERT OR IGNORE INTO incident_synced_timeline (incident_id, key, at, kind, text, ref)
     VALUES (?, ?, ?, 'action', ?, ?)`,
  )
  for (const t of list(detail.timeline))
    if (t.kind === 'action' && typeof t.at === 'string' && typeof t.text === 'string')
      entry.run(record.id, `${t.at}|${t.text}`, ms(t.at, now), t.text, maybe(t.ref))
  return known ? 'updated' : 'created'
}

/**
 * Keeps the removals a version carries (observables removed, comments retracted) with this
 * installation's (of two removals of one item, the earlier: as the merge does), then applies them all: no version, however it arrives, brings back an
 * observable a removal covers or a retracted comment's text.
 */
const applyRemovals = (db: Database, incidentId: string, removals: readonly Body[]): void => {
  const keep = db.prepare(
    `INSERT INTO incident_removals (incident_id, part, key, upto, at, actor)
     VALUES (@incident_id, @part, @key, @upto, @at, @actor)
     ON CONFLICT (incident_id, part, key, upto) DO UPDATE SET at = excluded.at, actor = excluded.actor
       WHERE excluded.at < at OR (excluded.at = at AND excluded.actor < actor)`,
  )
  for (const r of removals) {
    const part = nullableOneOf(['observables', 'comments'] as const, r.part)
    const at = ms(r.at, Number.NaN)
    const upto = part === 'observables' ? ms(r.upto, Number.NaN) : 0
    if (!part || typeof r.key !== 'string' || Number.isNaN(at) || Number.isNaN(upto)) continue
    keep.run({ incident_id: incidentId, part, key: r.key, upto, at, actor: text(r.actor, 'unknown') })
  }
  db.prepare(
    `DELETE FROM incident_observables AS i WHERE i.incident_id = @id AND EXISTS (
       SELECT 1 FROM incident_removals r JOIN observables o ON r.key = o.type || ':' || o.value
       WHERE r.incident_id = i.incident_id AND r.part = 'observables' AND o.id = i.observable_id
         AND i.added_at <= r.upto)`,
  ).run({ id: incidentId })
  const erased = db
    .prepare(
      `UPDATE incident_comments SET body = '' WHERE incident_id = @id AND body != '' AND id IN (
         SELECT key FROM incident_removals WHERE incident_id = @id AND part = 'comments')`,
    )
    .run({ id: incidentId }).changes
  if (erased > 0) scrubRetractedText(db, incidentId)
}

/** An evidence record on its own: metadata only, once its incident is here. */
const applyEvidence: Applier = (db, record, now) => {
  const incident = text(record.body.incident_id)
  if (record.deleted || !incident || !exists(db, 'incidents', incident)) return 'skipped'
  return insertEvidence(db, incident, { ...record.body, id: record.id }, now) ? 'created' : 'skipped'
}

const applyReport: Applier = (db, record, now) => {
  const reports = new ReportsRepo(db)
  // Reports are never removed here: the tombstone is only marked (sync_applied.deleted).
  if (record.deleted) return reports.get(record.id) ? 'updated' : 'skipped'
  const r = record.body
  const observables: ObservableInput[] = list(r.observables).flatMap((o) => {
    const type = nullableOneOf(ObservableType.options, o.type)
    const value = text(o.value)
    return type && value ? [{ type, value, ...(typeof o.note === 'string' ? { note: o.note } : {}) }] : []
  })
  return reports.upsertFromSync(
    {
      id: record.id,
      title: text(r.title, record.id),
      body: text(r.body),
      status: oneOf(ReportStatus.options, r.status, 'draft'),
      tlp: oneOf(Tlp.options, r.tlp, 'amber'),
      author: text(r.author, record.origin),
      techniques: strings(r.techniques),
      labels: strings(r.labels),
      observables,
      operation_id: maybe(r.operation_id),
      incidents: strings(r.incidents),
      assets: strings(r.assets),
      version: typeof r.version === 'number' && Number.isSafeInteger(r.version) ? r.version : record.version,
      created_at: text(r.created_at, new Date(now).toISOString()),
      updated_at: text(r.updated_at, new Date(now).toISOString()),
    },
    now,
  )
}

/** The analyst's fields of an asset (owner, criticality, role, tags, note); the counters stay local. */
const applyAsset: Applier = (db, record, now) => {
  const assets = new AssetsRepo(db, new AlertsRepo(db))
  // Bundles carry the Asset; the online outbox carries assets:get's answer ({ asset, … }).
  const a = object(record.body.asset) ?? record.body
  const id = text(a.id, record.id)
  const colon = id.indexOf(':')
  const kind = nullableOneOf(AssetKind.options, colon > 0 ? id.slice(0, colon) : null)
  if (!kind) return 'skipped'
  const fields = {
    owner: maybe(a.owner),
    criticality: nullableOneOf(Criticality.options, a.criticality),
    role: maybe(a.role),
    tags: strings(a.tags),
    note: maybe(a.note),
  }
  try {
    if (record.deleted) return 'skipped'
    assets.update(id, fields, now)
    return 'updated'
  } catch (error) {
    if (!(error instanceof AssetError) || error.code !== 'not_found') throw error
  }
  if (record.deleted) return 'skipped'
  try {
    assets.create({ kind, value: text(a.value, id.slice(colon + 1)), ...fields }, now)
  } catch (error) {
    // A value the inventory does not keep (loopback…): nothing to show it on.
    if (error instanceof AssetError && error.code === 'invalid_request') return 'skipped'
    throw error
  }
  return 'created'
}

const APPLIERS: Partial<Record<SyncRecord['kind'], Applier>> = {
  alert: applyAlert,
  incident: applyIncident,
  evidence: applyEvidence,
  report: applyReport,
  asset: applyAsset,
}

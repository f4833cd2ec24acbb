/**
 * Incidents as cases: status, assignee, TLP/PAP, comments, observables, and a timeline built from
 * what the store already holds (its alerts, its comments, the audit log's entries for it), so the
 * timeline can never disagree with them. Callers hold the transaction.
 */
import { randomUUID } from 'node:crypto'
import type { Database } from 'better-sqlite3'
import type {
  Alert,
  CaseComment,
  CaseObservable,
  CaseRemoval,
  Evidence,
  Incident,
  IncidentStatus,
  Observable,
  ObservableType,
} from '../../contract'
import { toIncident, type AlertsRepo, type IncidentRow } from './alerts-repo'
import type { ObservableInput } from './reports-repo'
import { ReportError } from './reports-repo'

export type { CaseComment, CaseRemoval }
export type TimelineEntry = {
  at: string
  kind: 'event' | 'alert' | 'comment' | 'action' | 'evidence'
  text: string
  ref: string | null
}
export type CaseDetail = {
  incident: Incident
  alerts: Alert[]
  comments: CaseComment[]
  observables: CaseObservable[]
  evidence: Evidence[]
  timeline: TimelineEntry[]
  /** Observables removed and comments retracted (tombstones; sync keeps them removed). */
  removed: CaseRemoval[]
}

/** Events behind a case's alerts shown on its timeline, at most (the newest). */
const TIMELINE_EVENTS = 200

/** The life of a case: forward one or more steps, or back to triage once reopened. */
const ORDER: readonly IncidentStatus[] = ['new', 'triage', 'contained', 'eradicated', 'closed']
export const canMove = (from: IncidentStatus, to: IncidentStatus): boolean =>
  from === to || ORDER.indexOf(to) > ORDER.indexOf(from) || (from === 'closed' && to === 'triage')

export type CaseChange = {
  status?: IncidentStatus | undefined
  assignee?: string | null | undefined
  title?: string | undefined
  description?: string | undefined
  tlp?: Incident['tlp'] | undefined
  pap?: Incident['pap'] | undefined
  operation_id?: string | null | undefined
}

export type EvidenceInput = {
  name: string
  media_type: string
  size: number
  sha256: string
  note: string | null
  actor: string
}

type EvidenceRow = Omit<Evidence, 'added_at'> & { added_at: number }
const toEvidence = (row: EvidenceRow): Evidence => ({
  ...row,
  added_at: new Date(row.added_at).toISOString(),
})

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

type RemovalRow = { part: CaseRemoval['part']; key: string; upto: number; at: number; actor: string }
const toRemoval = (r: RemovalRow): CaseRemoval => ({
  part: r.part,
  key: r.key,
  upto: r.part === 'comments' ? null : new Date(r.upto).toISOString(),
  at: new Date(r.at).toISOString(),
  actor: r.actor,
})

export class CasesRepo {
  constructor(
    private readonly db: Database,
    private readonly alerts: AlertsRepo,
  ) {}

  private row(id: string): IncidentRow {
    const row = this.db.prepare('SELECT * FROM incidents WHERE id = ?').get(id) as IncidentRow | undefined
    if (!row) throw new ReportError('not_found', `no incident with id ${id}`)
    return row
  }

  detail(id: string): CaseDetail {
    const incident = toIncident(this.row(id))
    const alerts = this.alerts.list({ limit: 1000, incident_id: id }).alerts
    const removed = this.removals(id)
    // A retracted comment keeps its place, with who retracted it (the earliest retraction) and no text.
    const retractions = new Map<string, CaseRemoval>()
    for (const r of removed)
      if (r.part === 'comments') {
        const seen = retractions.get(r.key)
        if (!seen || r.at < seen.at) retractions.set(r.key, r)
      }
    const comments: CaseComment[] = (
      this.db
        .prepare('SELECT id, at, actor, body FROM incident_comments WHERE incident_id = ? ORDER BY at, id')
        .all(id) as Array<{ id: string; at: number; actor: string; body: string }>
    ).map((c) => {
      const retraction = retractions.get(c.id)
      return {
        id: c.id,
        at: new Date(c.at).toISOString(),
        actor: c.actor,
        body: retraction ? '' : c.body,
        retracted: retraction ? { at: retraction.at, actor: retraction.actor } : null,
      }
    })
    const observables = (
      this.db
        .prepare(
          `SELECT o.*, i.added_at FROM observables o JOIN incident_observables i ON i.observable_id = o.id
           WHERE i.incident_id = ? ORDER BY o.type, o.value`,
        )
        .all(id) as Array<{
        id: string
        type: Observable['type']
        value: string
        first_seen: number | null
        last_seen: number | null
        note: string | null
        added_at: number
      }>
    ).map((o): CaseObservable => ({
      id: o.id,
      type: o.type,
      value: o.value,
      first_seen: iso(o.first_seen),
      last_seen: iso(o.last_seen),
      note: o.note,
      added_at: iso(o.added_at),
    }))
    const actions = this.db
      .prepare(
        `SELECT seq, at, actor, action, details FROM audit_log
         WHERE object_type = 'incident' AND object_id = ? ORDER BY seq`,
      )
      .all(id) as Array<{ seq: number; at: number; actor: string; action: string; details: string }>
    // Response actions on this incident: each transition, from the audit log like the rest.
    const responses = (
      this.db
        .prepare(
          `SELECT seq, at, actor, action, details FROM audit_log
           WHERE object_type = 'action' AND json_extract(details, '$.incident_id') = ? ORDER BY seq`,
        )
        .all(id) as Array<{ seq: number; at: number; actor: string; action: string; details: string }>
    ).map((a) => {
      const details = JSON.parse(a.details) as { type?: string; from?: string; to?: string; note?: string }
      const move = details.from ? `${details.from} → ${details.to ?? '?'}` : (details.to ?? 'proposed')
      return {
        at: new Date(a.at).toISOString(),
        kind: 'action' as const,
        text: `${a.actor} ${a.action} response action ${details.type ?? ''} (${move})${details.note ? `: ${details.note}` : ''}`,
        ref: null,
        order: a.seq,
      }
    })
    const evidence = this.evidenceOf(id)
    // Events of one millisecond keep the order they happened in: alerts first (they come before
    // anyone acts on them), then analysts' actions, comments and attachments in audit order (the
    // k-th comment is the k-th 'comment' entry, the k-th file the k-th 'attach': each pair is
    // written in one transaction).
    const commentSeqs = actions.filter((a) => a.action === 'comment').map((a) => a.seq)
    const attachSeqs = actions.filter((a) => a.action === 'attach').map((a) => a.seq)
    // The events behind its alerts (the newest TIMELINE_EVENTS of them), each where it happened.
    const eventIds = [...new Set(alerts.flatMap((a) => a.event_ids))].slice(-TIMELINE_EVENTS)
    const eventRow = this.db.prepare('SELECT id, ts, host, message FROM events WHERE id = @id')
    const events = eventIds
      .map(
        (eventId) =>
          eventRow.get({ id: eventId }) as
            { id: string; ts: number; host: string | null; message: string | null } | undefined,
      )
      .filter((e) => e !== undefined)
    const entries: Array<TimelineEntry & { order: number }> = [
      ...events.map((e) => ({
        at: new Date(e.ts).toISOString(),
        kind: 'event' as const,
        text: `${e.host ? `${e.host}: ` : ''}${(e.message ?? '').slice(0, 300) || '(no message)'}`,
        ref: e.id,
        order: -2,
      })),
      ...alerts.map((a) => ({
        at: a.timestamp,
        kind: 'alert' as const,
        text: `${a.level} alert: ${a.title}${a.host ? ` on ${a.host}` : ''}${a.count > 1 ? ` (${a.count} matches)` : ''}`,
        ref: a.id,
        order: -1,
      })),
      ...comments.map((c, index) => ({
        at: c.at,
        kind: 'comment' as const,
        text: c.retracted
          ? `${c.actor}: (comment retracted by ${c.retracted.actor} at ${c.retracted.at})`
          : `${c.actor}: ${c.body}`,
        ref: c.id,
        order: commentSeqs[index] ?? Number.MAX_SAFE_INTEGER,
      })),
      ...evidence.map((e, index) => ({
        at: e.added_at,
        kind: 'evidence' as const,
        text: `${e.actor} attached ${e.name} (${e.size} bytes, SHA-256 ${e.sha256})`,
        ref: e.id,
        order: attachSeqs[index] ?? Number.MAX_SAFE_INTEGER,
      })),
      ...actions
        .filter((a) => a.action !== 'comment' && a.action !== 'attach')
        .map((a) => ({
          at: new Date(a.at).toISOString(),
          kind: 'action' as const,
          text: actionText(a.actor, a.action, a.details),
          ref: a.action === 'retract' ? commentOf(a.details) : null,
          order: a.seq,
        })),
      ...responses,
    ]
    entries.push(...this.syncedActions(id, new Set(entries.map((e) => `${e.at}|${e.text}`))))
    entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.order - b.order))
    const timeline: TimelineEntry[] = entries.map(({ order: _order, ...entry }) => entry)
    return { incident, alerts, comments, observables, evidence, timeline, removed }
  }

  /** The incident's removals (observables removed, comments retracted), oldest first. */
  removals(id: string): CaseRemoval[] {
    return (
      this.db
        .prepare(
          'SELECT part, key, upto, at, actor FROM incident_removals WHERE incident_id = ? ORDER BY at, part, key, upto',
        )
        .all(id) as RemovalRow[]
    ).map(toRemoval)
  }

  /**
   * Removes an observable from the incident (the observable itself stays, as other incidents and
   * reports may hold it). The removal is kept as a tombstone covering this add, so sync's union
   * never brings it back; adding it again later is a new add.
   */
  unobserve(id: string, type: ObservableType, value: string, actor: string, now = Date.now()): CaseRemoval {
    this.row(id)
    const held = this.db
      .prepare(
        `SELECT i.observable_id, i.added_at FROM incident_observables i JOIN observables o ON o.id = i.observable_id
         WHERE i.incident_id = ? AND o.type = ? AND o.value = ?`,
      )
      .get(id, type, value) as { observable_id: string; added_at: number } | undefined
    if (!held)
      throw new ReportError(
        'not_found',
        `incident ${id} has no observable ${type} ${JSON.stringify(value)}; incidents:get lists the ones it has`,
      )
    const row: RemovalRow = {
      part: 'observables',
      key: `${type}:${value}`,
      upto: held.added_at,
      at: now,
      actor,
    }
    this.db
      .prepare(
        `INSERT OR IGNORE INTO incident_removals (incident_id, part, key, upto, at, actor)
         VALUES (@id, @part, @key, @upto, @at, @actor)`,
      )
      .run({ id, ...row })
    this.db
      .prepare('DELETE FROM incident_observables WHERE incident_id = ? AND observable_id = ?')
      .run(id, held.observable_id)
    this.db.prepare('UPDATE incidents SET updated_at = ? WHERE id = ?').run(now, id)
    return toRemoval(row)
  }

  /**
   * Retracts a comment, permanently: its text is erased from the store and it stays as a
   * tombstone naming who retracted it and when. Retracting it again answers that tombstone.
   */
  retract(
    id: string,
    commentId: string,
    actor: string,
    now = Date.now(),
  ): { comment: CaseComment; author: string } {
    this.row(id)
    const found = this.db
      .prepare('SELECT id, actor FROM incident_comments WHERE id = ? AND incident_id = ?')
      .get(commentId, id) as { id: string; actor: string } | undefined
    if (!found)
      throw new ReportError(
        'not_found',
        `incident ${id} has no comment with id ${commentId}; incidents:get lists its comments`,
      )
    this.db
      .prepare(
        `INSERT OR IGNORE INTO incident_removals (incident_id, part, key, upto, at, actor)
         VALUES (?, 'comments', ?, 0, ?, ?)`,
      )
      .run(id, commentId, now, actor)
    this.db.prepare("UPDATE incident_comments SET body = '' WHERE id = ?").run(commentId)
    this.db.prepare('UPDATE incidents SET updated_at = ? WHERE id = ?').run(now, id)
    scrubRetractedText(this.db, id)
    const comment = this.detail(id).comments.find((c) => c.id === commentId)!
    return { comment, author: found.actor }
  }

  /**
   * Actions on this incident written on another installation (two-way sync), minus those this one
   * wrote itself (they come back with the incident's other versions).
   */
  private syncedActions(id: string, own: ReadonlySet<string>): Array<TimelineEntry & { order: number }> {
    return (
      this.db
        .prepare(
          'SELECT key, at, text, ref FROM incident_synced_timeline WHERE incident_id = ? ORDER BY at, key',
        )
        .all(id) as Array<{ key: string; at: number; text: string; ref: string | null }>
    )
      .filter((t) => !own.has(t.key))
      .map((t) => ({
        at: new Date(t.at).toISOString(),
        kind: 'action' as const,
        text: t.text,
        ref: t.ref,
        order: Number.MAX_SAFE_INTEGER,
      }))
  }

  update(id: string, change: CaseChange, now = Date.now()): Incident {
    const current = toIncident(this.row(id))
    if (
      typeof change.operation_id === 'string' &&
      !this.db.prepare('SELECT 1 FROM operations WHERE id = @id').get({ id: change.operation_id })
    )
      throw new ReportError('not_found', `operation_id: no operation with id ${change.operation_id}`)
    if (change.status !== undefined && !canMove(current.status, change.status))
      throw new ReportError(
        'invalid_request',
        `a ${current.status} incident cannot go back to ${change.status}; a closed one can be reopened to triage`,
      )
    this.db
      .prepare(
        `UPDATE incidents SET status = @status, assignee = @assignee, title = @title, description = @description, tlp = @tlp, pap = @pap,
           operation_id = @operation_id, updated_at = @now WHERE id = @id`,
      )
      .run({
        id,
        now,
        status: change.status ?? current.status,
        assignee: change.assignee === undefined ? current.assignee : change.assignee,
        title: change.title ?? current.title,
        description: change.description ?? current.description,
        tlp: change.tlp ?? current.tlp,
        pap: change.pap ?? current.pap,
        operation_id: change.operation_id === undefined ? current.operation_id : change.operation_id,
      })
    return toIncident(this.row(id))
  }

  comment(id: string, body: string, actor: string, now = Date.now()): CaseComment {
    this.row(id)
    const comment = { id: randomUUID(), at: now, actor, body }
    this.db
      .prepare('INSERT INTO incident_comments (id, incident_id, at, actor, body) VALUES (?, ?, ?, ?, ?)')
      .run(comment.id, id, comment.at, actor, body)
    this.db.prepare('UPDATE incidents SET updated_at = ? WHERE id = ?').run(now, id)
    return { ...comment, at: new Date(now).toISOString(), retracted: null }
  }

  /** The incident's evidence, oldest first (attachment order). */
  evidenceOf(incidentId: string): Evidence[] {
    return (
      this.db
        .prepare('SELECT * FROM evidence WHERE incident_id = @incidentId ORDER BY added_at, rowid')
        .all({ incidentId }) as EvidenceRow[]
    ).map(toEvidence)
  }

  evidence(id: string): Evidence {
    const row = this.db.prepare('SELECT * FROM evidence WHERE id = @id').get({ id }) as
      EvidenceRow | undefined
    if (!row) throw new ReportError('not_found', `no evidence with id ${id}`)
    return toEvidence(row)
  }

  /** Whether any incident still holds these bytes. */
  evidenceStored(sha256: string): boolean {
    return this.db.prepare('SELECT 1 FROM evidence WHERE sha256 = @sha256').get({ sha256 }) !== undefined
  }

  /** Throws not_found for an unknown incident, before any bytes are taken in. */
  assertIncident(id: string): void {
    this.row(id)
  }

  /** The attachment of these bytes to this incident, if there is one. */
  findEvidence(incidentId: string, sha256: string): Evidence | undefined {
    const row = this.db
      .prepare('SELECT * FROM evidence WHERE incident_id = @incidentId AND sha256 = @sha256')
      .get({ incidentId, sha256 }) as EvidenceRow | undefined
    return row && toEvidence(row)
  }

  /** Records bytes already in the evidence store (once per incident: see findEvidence). */
  attach(incidentId: string, input: EvidenceInput, now = Date.now()): Evidence {
    this.row(incidentId)
    const id = randomUUID()
    this.db
      .prepare(
        `INSERT INTO evidence (id, incident_id, name, media_type, size, sha256, note, actor, added_at)
         VALUES (@id, @incidentId, @name, @media_type, @size, @sha256, @note, @actor, @now)`,
      )
      .run({ id, incidentId, ...input, now })
    this.db.prepare('UPDATE incidents SET updated_at = @now WHERE id = @id').run({ now, id: incidentId })
    return this.evidence(id)
  }

  /** Adds observables (stored once per type and value); first/last seen move with each sighting. */
  observe(id: string, inputs: readonly ObservableInput[], now = Date.now()): number {
    this.row(id)
    let added = 0
    for (const input of inputs) {
      const found = this.db
        .prepare('SELECT id FROM observables WHERE type = ? AND value = ?')
        .get(input.type, input.value) as { id: string } | undefined
      const observableId = found?.id ?? randomUUID()
      if (!found)
        this.db
          .prepare(
            'INSERT INTO observables (id, type, value, first_seen, last_seen, note, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          )
          .run(observableId, input.type, input.value, now, now, input.note ?? null, now)
      else
        this.db
          .prepare(
            `UPDATE observables SET first_seen = min(coalesce(first_seen, @now), @now),
               last_seen = max(coalesce(last_seen, @now), @now), note = coalesce(@note, note) WHERE id = @id`,
          )
          .run({ now, note: input.note ?? null, id: observableId })
      // A re-add after a removal is a new add: after every removal of it, even in the same millisecond.
      const removedUpto = this.db
        .prepare(
          "SELECT max(upto) AS upto FROM incident_removals WHERE incident_id = ? AND part = 'observables' AND key = ?",
        )
        .get(id, `${input.type}:${input.value}`) as { upto: number | null }
      const addedAt = Math.max(now, (removedUpto.upto ?? -1) + 1)
      added += this.db
        .prepare(
          'INSERT OR IGNORE INTO incident_observables (incident_id, observable_id, added_at) VALUES (?, ?, ?)',
        )
        .run(id, observableId, addedAt).changes
    }
    this.db.prepare('UPDATE incidents SET updated_at = ? WHERE id = ?').run(now, id)
    return added
  }
}

/**
 * Erases retracted comments' text from the versions of this incident a sync conflict keeps for
 * review (the Sync view shows them), so a retraction leaves the text nowhere in the store.
 */
export const scrubRetractedText = (db: Database, incidentId: string): void => {
  const retracted = new Set(
    (
      db
        .prepare("SELECT key FROM incident_removals WHERE incident_id = ? AND part = 'comments'")
        .all(incidentId) as Array<{ key: string }>
    ).map((r) => r.key),
  )
  if (retracted.size === 0) return
  const rows = db
    .prepare("SELECT id, local, remote FROM sync_conflicts WHERE kind = 'incident' AND object_id = ?")
    .all(incidentId) as Array<{ id: number; local: string; remote: string }>
  const update = db.prepare('UPDATE sync_conflicts SET local = ?, remote = ? WHERE id = ?')
  for (const row of rows) {
    let changed = false
    const [local, remote] = [row.local, row.remote].map((json) => {
      const record = JSON.parse(json) as { body?: { comments?: unknown } }
      const comments = Array.isArray(record.body?.comments) ? (record.body.comments as unknown[]) : []
      for (const c of comments) {
        const comment = c as { id?: unknown; body?: unknown } | null
        if (comment && typeof comment.id === 'string' && retracted.has(comment.id) && comment.body !== '') {
          comment.body = ''
          changed = true
        }
      }
      // The comment's entry on the timeline carries its text too.
      const timeline = Array.isArray((record.body as { timeline?: unknown } | undefined)?.timeline)
        ? (record.body as { timeline: unknown[] }).timeline
        : []
      for (const t of timeline) {
        const entry = t as { kind?: unknown; ref?: unknown; text?: unknown } | null
        if (
          entry?.kind === 'comment' &&
          typeof entry.ref === 'string' &&
          retracted.has(entry.ref) &&
          !(typeof entry.text === 'string' && entry.text.includes('(comment retracted'))
        ) {
          entry.text = '(comment retracted)'
          changed = true
        }
      }
      return JSON.stringify(record)
    })
    if (changed) update.run(local, remote, row.id)
  }
}

const parseDetails = (details: string): Record<string, unknown> => {
  try {
    const parsed = JSON.parse(details) as unknown
    return parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {}
  } catch {
    return {}
  }
}

const commentOf = (details: string): string | null => {
  const comment = parseDetails(details).comment
  return typeof comment === 'string' ? comment : null
}

/** An audited action as the timeline says it: removals and retractions in words, others by their details. */
const actionText = (actor: string, action: string, details: string): string => {
  const d = parseDetails(details)
  if (action === 'unobserve' && typeof d.type === 'string' && typeof d.value === 'string')
    return `${actor} removed observable ${d.type} ${d.value}`
  if (action === 'retract')
    return `${actor} retracted a comment${typeof d.author === 'string' ? ` by ${d.author}` : ''}`
  return `${actor} ${action} ${describeDetails(details)}`.trim()
}

const describeDetails = (details: string): string => {
  try {
    const parsed = JSON.parse(details) as Record<string, unknown>
    return Object.entries(parsed)
      .filter(([, v]) => v !== null && v !== undefined)
      .map(
        ([k, v]) =>
          `${k}: ${typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v)}`,
      )
      .join('; ')
  } catch {
    return ''
  }
}

/**
 * Incidents as cases: status, assignee, TLP/PAP, comments, observables, and a timeline built from
 * what the store already holds (its alerts, its comments, the audit log's entries for it), so the
 * timeline can never disagree with them. Callers hold the transaction.
 */
import { randomUUID } from 'node:crypto'
import type { Database } from 'better-sqlite3'
import type { Alert, Evidence, Incident, IncidentStatus, Observable } from '../../contract'
import { toIncident, type AlertsRepo, type IncidentRow } from './alerts-repo'
import type { ObservableInput } from './reports-repo'
import { ReportError } from './reports-repo'

export type CaseComment = { id: string; at: string; actor: string; body: string }
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
  observables: Observable[]
  evidence: Evidence[]
  timeline: TimelineEntry[]
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
    const comments = (
      this.db
        .prepare('SELECT id, at, actor, body FROM incident_comments WHERE incident_id = ? ORDER BY at, id')
        .all(id) as Array<{ id: string; at: number; actor: string; body: string }>
    ).map((c) => ({ ...c, at: new Date(c.at).toISOString() }))
    const observables = (
      this.db
        .prepare(
          `SELECT o.* FROM observables o JOIN incident_observables i ON i.observable_id = o.id
           WHERE i.incident_id = ? ORDER BY o.type, o.value`,
        )
        .all(id) as Array<{
        id: string
        type: Observable['type']
        value: string
        first_seen: number | null
        last_seen: number | null
        note: string | null
      }>
    ).map((o) => ({ ...o, first_seen: iso(o.first_seen), last_seen: iso(o.last_seen) }))
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
        text: `${c.actor}: ${c.body}`,
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
          text: `${a.actor} ${a.action} ${describeDetails(a.details)}`.trim(),
          ref: null,
          order: a.seq,
        })),
      ...responses,
    ]
    entries.push(...this.syncedActions(id, new Set(entries.map((e) => `${e.at}|${e.text}`))))
    entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.order - b.order))
    const timeline: TimelineEntry[] = entries.map(({ order: _order, ...entry }) => entry)
    return { incident, alerts, comments, observables, evidence, timeline }
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
    return { ...comment, at: new Date(now).toISOString() }
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
      added += this.db
        .prepare(
          'INSERT OR IGNORE INTO incident_observables (incident_id, observable_id, added_at) VALUES (?, ?, ?)',
        )
        .run(id, observableId, now).changes
    }
    this.db.prepare('UPDATE incidents SET updated_at = ? WHERE id = ?').run(now, id)
    return added
  }
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

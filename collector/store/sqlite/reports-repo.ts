import { randomUUID } from 'node:crypto'
import type { Database } from 'better-sqlite3'
import type { Observable, ObservableType, Report, ReportStatus, ReportSummary, Tlp } from '../../contract'
import { newEventId } from '../../ingest/event-id'

type ReportRow = {
  seq: number
  id: string
  title: string
  body: string
  status: ReportStatus
  tlp: Tlp
  author: string
  techniques: string
  labels: string
  version: number
  created_at: number
  updated_at: number
}
type ObservableRow = {
  id: string
  type: ObservableType
  value: string
  first_seen: number | null
  last_seen: number | null
  note: string | null
}

export type ObservableInput = { type: ObservableType; value: string; note?: string | undefined }
export type ReportInput = {
  title: string
  body: string
  tlp: Tlp
  techniques: string[]
  labels: string[]
  observables: ObservableInput[]
}
export type ReportChange = Partial<ReportInput> & { status?: ReportStatus | undefined }

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

const toObservable = (r: ObservableRow): Observable => ({
  id: r.id,
  type: r.type,
  value: r.value,
  first_seen: iso(r.first_seen),
  last_seen: iso(r.last_seen),
  note: r.note,
})

/** Which status may follow which: a report is reviewed before it is published. */
const NEXT: Record<ReportStatus, readonly ReportStatus[]> = {
  draft: ['review'],
  review: ['draft', 'published'],
  published: ['draft'],
}

/** A change the caller asked for that cannot be made; says what and how to fix it. */
export class ReportError extends Error {
  constructor(
    readonly code: 'not_found' | 'conflict' | 'invalid_request',
    message: string,
  ) {
    super(message)
    this.name = 'ReportError'
  }
}

/** Intelligence reports, their observables and their versions. Callers hold the transaction. */
export class ReportsRepo {
  constructor(private readonly db: Database) {}

  private observablesOf(reportId: string): Observable[] {
    const rows = this.db
      .prepare(
        `SELECT o.* FROM observables o JOIN report_observables r ON r.observable_id = o.id
         WHERE r.report_id = ? ORDER BY o.type, o.value`,
      )
      .all(reportId) as ObservableRow[]
    return rows.map(toObservable)
  }

  private toReport(r: ReportRow): Report {
    return {
      seq: r.seq,
      id: r.id,
      title: r.title,
      body: r.body,
      status: r.status,
      tlp: r.tlp,
      author: r.author,
      techniques: JSON.parse(r.techniques) as string[],
      labels: JSON.parse(r.labels) as string[],
      observables: this.observablesOf(r.id),
      version: r.version,
      created_at: new Date(r.created_at).toISOString(),
      updated_at: new Date(r.updated_at).toISOString(),
    }
  }

  get(id: string): Report | undefined {
    const row = this.db.prepare('SELECT * FROM reports WHERE id = ?').get(id) as ReportRow | undefined
    return row && this.toReport(row)
  }

  list(options: { limit: number; query?: string | undefined; status?: ReportStatus | undefined }): {
    reports: ReportSummary[]
    total: number
  } {
    const where: string[] = []
    const args: unknown[] = []
    if (options.status) {
      where.push('status = ?')
      args.push(options.status)
    }
    const query = options.query?.trim()
    if (query) {
      const like = `%${query.replace(/[\\%_]/g, (c) => '\\' + c)}%`
      where.push(`(title LIKE ? ESCAPE '\\' OR body LIKE ? ESCAPE '\\' OR labels LIKE ? ESCAPE '\\')`)
      args.push(like, like, like)
    }
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''
    const total = (
      this.db.prepare(`SELECT count(*) AS n FROM reports ${clause}`).get(...args) as { n: number }
    ).n
    const rows = this.db
      .prepare(
        `SELECT r.*, (SELECT count(*) FROM report_observables o WHERE o.report_id = r.id) AS observable_count
         FROM reports r ${clause} ORDER BY r.updated_at DESC, r.seq DESC LIMIT ?`,
      )
      .all(...args, options.limit) as Array<ReportRow & { observable_count: number }>
    return {
      reports: rows.map((r) => {
        const { body: _body, observables: _observables, ...summary } = this.toReport(r)
        return { ...summary, observables: r.observable_count }
      }),
      total,
    }
  }

  /** The observable's id, stored once per (type, value). */
  private observable(input: ObservableInput, now: number): string {
    const found = this.db
      .prepare('SELECT id FROM observables WHERE type = ? AND value = ?')
      .get(input.type, input.value) as { id: string } | undefined
    if (found) {
      if (input.note !== undefined)
        this.db.prepare('UPDATE observables SET note = ? WHERE id = ?').run(input.note, found.id)
      return found.id
    }
    const id = randomUUID()
    this.db
      .prepare('INSERT INTO observables (id, type, value, note, created_at) VALUES (?, ?, ?, ?, ?)')
      .run(id, input.type, input.value, input.note ?? null, now)
    return id
  }

  private linkObservables(reportId: string, observables: readonly ObservableInput[], now: number): void {
    this.db.prepare('DELETE FROM report_observables WHERE report_id = ?').run(reportId)
    const link = this.db.prepare(
      'INSERT OR IGNORE INTO report_observables (report_id, observable_id) VALUES (?, ?)',
    )
    for (const input of observables) link.run(reportId, this.observable(input, now))
  }

  private saveVersion(id: string, actor: string, now: number): void {
    this.db
      .prepare(
        `INSERT INTO report_versions (report_id, version, title, body, status, tlp, saved_at, actor)
         SELECT id, version, title, body, status, tlp, ?, ? FROM reports WHERE id = ?`,
      )
      .run(now, actor, id)
  }

  create(input: ReportInput, author: string, now = Date.now()): Report {
    const id = `report--${newEventId(now)}`
    this.db
      .prepare(
        `INSERT INTO reports (id, title, body, tlp, author, techniques, labels, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        input.title,
        input.body,
        input.tlp,
        author,
        JSON.stringify([...new Set(input.techniques)]),
        JSON.stringify([...new Set(input.labels)]),
        now,
        now,
      )
    this.linkObservables(id, input.observables, now)
    this.saveVersion(id, author, now)
    return this.get(id)!
  }

  /**
   * Applies a change made to `version`; a newer stored version means someone else saved in
   * between, and the change is refused rather than silently overwriting theirs.
   */
  update(id: string, version: number, change: ReportChange, actor: string, now = Date.now()): Report {
    const current = this.get(id)
    if (!current) throw new ReportError('not_found', `no report with id ${id}`)
    if (current.version !== version)
      throw new ReportError(
        'conflict',
        `report ${id} is at version ${current.version}, not ${version}: reload it and make the change again`,
      )
    if (
      change.status !== undefined &&
      change.status !== current.status &&
      !NEXT[current.status].includes(change.status)
    )
      throw new ReportError(
        'invalid_request',
        `a ${current.status} report cannot become ${change.status}; it can become ${NEXT[current.status].join(' or ')}`,
      )
    const next = {
      title: change.title ?? current.title,
      body: change.body ?? current.body,
      tlp: change.tlp ?? current.tlp,
      status: change.status ?? current.status,
      techniques: JSON.stringify([...new Set(change.techniques ?? current.techniques)]),
      labels: JSON.stringify([...new Set(change.labels ?? current.labels)]),
    }
    this.db
      .prepare(
        `UPDATE reports SET title = @title, body = @body, tlp = @tlp, status = @status, techniques = @techniques,
           labels = @labels, version = version + 1, updated_at = @now WHERE id = @id`,
      )
      .run({ ...next, now, id })
    if (change.observables !== undefined) this.linkObservables(id, change.observables, now)
    this.saveVersion(id, actor, now)
    return this.get(id)!
  }

  versions(
    id: string,
  ): { version: number; title: string; status: string; saved_at: string; actor: string }[] {
    return (
      this.db
        .prepare(
          'SELECT version, title, status, saved_at, actor FROM report_versions WHERE report_id = ? ORDER BY version',
        )
        .all(id) as Array<{ version: number; title: string; status: string; saved_at: number; actor: string }>
    ).map((v) => ({ ...v, saved_at: new Date(v.saved_at).toISOString() }))
  }
}

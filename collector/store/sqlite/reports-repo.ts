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
  operation_id: string | null
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
  operation_id: string | null
  incidents: string[]
  assets: string[]
}
export type ReportVersion = {
  version: number
  title: string
  status: ReportStatus
  tlp: Tlp
  saved_at: string
  actor: string
  body: string | null
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

  private linksOf(reportId: string, kind: 'incident' | 'asset'): string[] {
    return (
      this.db
        .prepare('SELECT ref FROM report_links WHERE report_id = @reportId AND kind = @kind ORDER BY ref')
        .all({ reportId, kind }) as Array<{ ref: string }>
    ).map((r) => r.ref)
  }

  /** Operation and incidents must exist (assets may not be seen yet); refused by name otherwise. */
  private checkLinks(change: Partial<Pick<ReportInput, 'operation_id' | 'incidents'>>): void {
    if (change.operation_id != null) {
      const found = this.db.prepare('SELECT 1 FROM operations WHERE id = ?').get(change.operation_id)
      if (!found)
        throw new ReportError(
          'not_found',
          `operation_id: no operation with id ${change.operation_id} (see operations:list)`,
        )
    }
    const exists = this.db.prepare('SELECT 1 FROM incidents WHERE id = ?')
    for (const [index, id] of (change.incidents ?? []).entries())
      if (!exists.get(id))
        throw new ReportError(
          'not_found',
          `incidents.${index}: no incident with id ${id} (see incidents:list)`,
        )
  }

  private link(reportId: string, kind: 'incident' | 'asset', refs: readonly string[]): void {
    this.db
      .prepare('DELETE FROM report_links WHERE report_id = @reportId AND kind = @kind')
      .run({ reportId, kind })
    const insert = this.db.prepare(
      'INSERT OR IGNORE INTO report_links (report_id, kind, ref) VALUES (@reportId, @kind, @ref)',
    )
    for (const ref of refs) insert.run({ reportId, kind, ref })
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
      operation_id: r.operation_id,
      incidents: this.linksOf(r.id, 'incident'),
      assets: this.linksOf(r.id, 'asset'),
      version: r.version,
      created_at: new Date(r.created_at).toISOString(),
      updated_at: new Date(r.updated_at).toISOString(),
    }
  }

  get(id: string): Report | undefined {
    const row = this.db.prepare('SELECT * FROM reports WHERE id = ?').get(id) as ReportRow | undefined
    return row && this.toReport(row)
  }

  list(options: {
    limit: number
    query?: string | undefined
    status?: ReportStatus | undefined
    operation_id?: string | undefined
  }): {
    reports: ReportSummary[]
    total: number
  } {
    const where: string[] = []
    const args: unknown[] = []
    if (options.status) {
      where.push('status = ?')
      args.push(options.status)
    }
    if (options.operation_id) {
      where.push('operation_id = ?')
      args.push(options.operation_id)
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
    this.checkLinks(input)
    const id = `report--${newEventId(now)}`
    this.db
      .prepare(
        `INSERT INTO reports (id, title, body, tlp, author, techniques, labels, created_at, updated_at, operation_id)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
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
        input.operation_id,
      )
    this.linkObservables(id, input.observables, now)
    this.link(id, 'incident', input.incidents)
    this.link(id, 'asset', input.assets)
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
    this.checkLinks(change)
    const next = {
      title: change.title ?? current.title,
      body: change.body ?? current.body,
      tlp: change.tlp ?? current.tlp,
      status: change.status ?? current.status,
      techniques: JSON.stringify([...new Set(change.techniques ?? current.techniques)]),
      labels: JSON.stringify([...new Set(change.labels ?? current.labels)]),
      operation_id: change.operation_id === undefined ? current.operation_id : change.operation_id,
    }
    this.db
      .prepare(
        `UPDATE reports SET title = @title, body = @body, tlp = @tlp, status = @status, techniques = @techniques,
           labels = @labels, operation_id = @operation_id, version = version + 1, updated_at = @now
         WHERE id = @id`,
      )
      .run({ ...next, now, id })
    if (change.observables !== undefined) this.linkObservables(id, change.observables, now)
    if (change.incidents !== undefined) this.link(id, 'incident', change.incidents)
    if (change.assets !== undefined) this.link(id, 'asset', change.assets)
    this.saveVersion(id, actor, now)
    return this.get(id)!
  }

  /**
   * A report as another installation saved it (a synced record): stored under its own id and
   * version number, replacing what is here; that version joins the history (once). No status
   * order or version check: the caller settled the conflict. Call inside the caller's transaction.
   */
  upsertFromSync(
    report: Omit<Report, 'seq' | 'observables'> & { observables: readonly ObservableInput[] },
    now = Date.now(),
  ): 'created' | 'updated' {
    const exists = this.db.prepare('SELECT 1 FROM reports WHERE id = ?').get(report.id) !== undefined
    const operation =
      report.operation_id !== null &&
      this.db.prepare('SELECT 1 FROM operations WHERE id = ?').get(report.operation_id) !== undefined
        ? report.operation_id
        : null
    this.db
      .prepare(
        `INSERT INTO reports (id, title, body, status, tlp, author, techniques, labels, version, created_at, updated_at, operation_id)
         VALUES (@id, @title, @body, @status, @tlp, @author, @techniques, @labels, @version, @created_at, @updated_at, @operation_id)
         ON CONFLICT (id) DO UPDATE SET title = excluded.title, body = excluded.body, status = excluded.status,
           tlp = excluded.tlp, author = excluded.author, techniques = excluded.techniques, labels = excluded.labels,
           version = excluded.version, updated_at = excluded.updated_at,
           operation_id = coalesce(excluded.operation_id, operation_id)`,
      )
      .run({
        id: report.id,
        title: report.title,
        body: report.body,
        status: report.status,
        tlp: report.tlp,
        author: report.author,
        techniques: JSON.stringify([...new Set(report.techniques)]),
        labels: JSON.stringify([...new Set(report.labels)]),
        version: report.version,
        created_at: Date.parse(report.created_at) || now,
        updated_at: Date.parse(report.updated_at) || now,
        operation_id: operation,
      })
    this.linkObservables(report.id, report.observables, now)
    this.link(report.id, 'incident', report.incidents)
    this.link(report.id, 'asset', report.assets)
    this.db
      .prepare(
        `INSERT OR IGNORE INTO report_versions (report_id, version, title, body, status, tlp, saved_at, actor)
         SELECT id, version, title, body, status, tlp, ?, author FROM reports WHERE id = ?`,
      )
      .run(now, report.id)
    return exists ? 'updated' : 'created'
  }

  /** Every saved version, newest first (bodies left out), or one version whole; undefined for an unknown report. */
  versions(id: string, version?: number): ReportVersion[] | undefined {
    if (!this.db.prepare('SELECT 1 FROM reports WHERE id = ?').get(id)) return undefined
    const rows = (
      version === undefined
        ? this.db
            .prepare(
              `SELECT version, title, status, tlp, saved_at, actor, NULL AS body FROM report_versions
               WHERE report_id = @id ORDER BY version DESC`,
            )
            .all({ id })
        : this.db
            .prepare(
              `SELECT version, title, status, tlp, saved_at, actor, body FROM report_versions
               WHERE report_id = @id AND version = @version`,
            )
            .all({ id, version })
    ) as Array<Omit<ReportVersion, 'saved_at'> & { saved_at: number }>
    return rows.map((v) => ({ ...v, saved_at: new Date(v.saved_at).toISOString() }))
  }
}

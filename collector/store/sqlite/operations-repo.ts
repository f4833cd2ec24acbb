/** Operations and their missions. Callers hold the transaction (with the audit entry). */
import type { Database } from 'better-sqlite3'
import type { Mission, Operation } from '../../contract'
import { newEventId } from '../../ingest/event-id'
import { ReportError } from './reports-repo'

type OperationRow = {
  seq: number
  id: string
  name: string
  objective: string
  status: Operation['status']
  starts_at: number | null
  ends_at: number | null
  lead: string | null
  classification: string | null
  tlp: Operation['tlp']
  created_at: number
  updated_at: number
  missions: number
  open_missions: number
  overdue_missions: number
}
type MissionRow = {
  seq: number
  id: string
  operation_id: string
  title: string
  objective: string
  assignee: string | null
  priority: Mission['priority']
  due_at: number | null
  status: Mission['status']
  checklist: string
  incidents: string
  assets: string
  created_at: number
  updated_at: number
}

export type OperationInput = Omit<
  Operation,
  'seq' | 'id' | 'missions' | 'open_missions' | 'overdue_missions' | 'created_at' | 'updated_at'
>
export type MissionInput = Omit<Mission, 'seq' | 'id' | 'overdue' | 'created_at' | 'updated_at'>

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())
const ms = (text: string | null | undefined): number | null => {
  if (text === null || text === undefined) return null
  const value = Date.parse(text)
  if (Number.isNaN(value))
    throw new ReportError('invalid_request', `"${text}" is not a date and time (ISO 8601)`)
  return value
}

const OPERATION_SELECT = `SELECT o.*,
  (SELECT count(*) FROM missions m WHERE m.operation_id = o.id) AS missions,
  (SELECT count(*) FROM missions m WHERE m.operation_id = o.id AND m.status <> 'done') AS open_missions,
  (SELECT count(*) FROM missions m WHERE m.operation_id = o.id AND m.status <> 'done'
     AND m.due_at IS NOT NULL AND m.due_at < @now) AS overdue_missions
  FROM operations o`

export class OperationsRepo {
  constructor(private readonly db: Database) {}

  private toOperation(r: OperationRow): Operation {
    return {
      seq: r.seq,
      id: r.id,
      name: r.name,
      objective: r.objective,
      status: r.status,
      starts_at: iso(r.starts_at),
      ends_at: iso(r.ends_at),
      lead: r.lead,
      classification: r.classification,
      tlp: r.tlp,
      missions: r.missions,
      open_missions: r.open_missions,
      overdue_missions: r.overdue_missions,
      created_at: new Date(r.created_at).toISOString(),
      updated_at: new Date(r.updated_at).toISOString(),
    }
  }

  private toMission(r: MissionRow, now: number): Mission {
    return {
      seq: r.seq,
      id: r.id,
      operation_id: r.operation_id,
      title: r.title,
      objective: r.objective,
      assignee: r.assignee,
      priority: r.priority,
      due_at: iso(r.due_at),
      status: r.status,
      checklist: JSON.parse(r.checklist) as Mission['checklist'],
      incidents: JSON.parse(r.incidents) as string[],
      assets: JSON.parse(r.assets) as string[],
      overdue: r.status !== 'done' && r.due_at !== null && r.due_at < now,
      created_at: new Date(r.created_at).toISOString(),
      updated_at: new Date(r.updated_at).toISOString(),
    }
  }

  operation(id: string, now = Date.now()): Operation {
    const row = this.db.prepare(`${OPERATION_SELECT} WHERE o.id = @id`).get({ id, now }) as
      OperationRow | undefined
    if (!row) throw new ReportError('not_found', `no operation with id ${id}`)
    return this.toOperation(row)
  }

  operations(
    options: { limit: number; status?: string | undefined; query?: string | undefined },
    now = Date.now(),
  ): Operation[] {
    const where: string[] = []
    const args: Record<string, unknown> = { now, limit: options.limit }
    if (options.status) {
      where.push('o.status = @status')
      args.status = options.status
    }
    if (options.query?.trim()) {
      where.push("(o.name LIKE @q ESCAPE '\\' OR o.objective LIKE @q ESCAPE '\\')")
      args.q = `%${options.query.trim().replace(/[\\%_]/g, (c) => '\\' + c)}%`
    }
    const clause = where.length ? `WHERE ${where.join(' AND ')}` : ''
    return (
      this.db
        .prepare(`${OPERATION_SELECT} ${clause} ORDER BY o.updated_at DESC LIMIT @limit`)
        .all(args) as OperationRow[]
    ).map((r) => this.toOperation(r))
  }

  private checkPeriod(starts: number | null, ends: number | null): void {
    if (starts !== null && ends !== null && ends < starts)
      throw new ReportError(
        'invalid_request',
        'ends_at is before starts_at: the period must end after it starts',
      )
  }

  createOperation(input: OperationInput, now = Date.now()): Operation {
    const starts = ms(input.starts_at)
    const ends = ms(input.ends_at)
    this.checkPeriod(starts, ends)
    const id = `operation--${newEventId(now)}`
    this.db
      .prepare(
        `INSERT INTO operations (id, name, objective, status, starts_at, ends_at, lead, classification, tlp, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        input.name,
        input.objective,
        input.status,
        starts,
        ends,
        input.lead,
        input.classification,
        input.tlp,
        now,
        now,
      )
    return this.operation(id, now)
  }

  updateOperation(id: string, change: Partial<OperationInput>, now = Date.now()): Operation {
    const current = this.operation(id, now)
    const next = {
      ...current,
      ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)),
    }
    const starts = ms(next.starts_at)
    const ends = ms(next.ends_at)
    this.checkPeriod(starts, ends)
    this.db
      .prepare(
        `UPDATE operations SET name = @name, objective = @objective, status = @status, starts_at = @starts,
           ends_at = @ends, lead = @lead, classification = @classification, tlp = @tlp, updated_at = @now WHERE id = @id`,
      )
      .run({ ...next, starts, ends, now, id })
    return this.operation(id, now)
  }

  mission(id: string, now = Date.now()): Mission {
    const row = this.db.prepare('SELECT * FROM missions WHERE id = ?').get(id) as MissionRow | undefined
    if (!row) throw new ReportError('not_found', `no mission with id ${id}`)
    return this.toMission(row, now)
  }

  /** Missions by the filters, soonest due first; `overdue` is decided in SQL, before the limit. */
  missions(
    options: {
      operation_id?: string | undefined
      overdue?: boolean | undefined
      status?: Mission['status'] | undefined
      assignee?: string | undefined
      query?: string | undefined
      limit: number
    },
    now = Date.now(),
  ): Mission[] {
    const where: string[] = []
    const args: Record<string, unknown> = { limit: options.limit, now }
    if (options.operation_id) {
      where.push('operation_id = @operation_id')
      args.operation_id = options.operation_id
    }
    if (options.status) {
      where.push('status = @status')
      args.status = options.status
    }
    if (options.assignee) {
      where.push('assignee = @assignee COLLATE NOCASE')
      args.assignee = options.assignee
    }
    const query = options.query?.trim()
    if (query) {
      where.push(`(title LIKE @like ESCAPE '\\' OR objective LIKE @like ESCAPE '\\')`)
      args.like = `%${query.replace(/[\\%_]/g, (c) => '\\' + c)}%`
    }
    const overdue = "status != 'done' AND due_at IS NOT NULL AND due_at < @now"
    if (options.overdue === true) where.push(`(${overdue})`)
    if (options.overdue === false) where.push(`NOT (${overdue})`)
    const clause = where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''
    const rows = this.db
      .prepare(`SELECT * FROM missions ${clause} ORDER BY due_at IS NULL, due_at, seq LIMIT @limit`)
      .all(args) as MissionRow[]
    return rows.map((r) => this.toMission(r, now))
  }

  private checkLinks(input: { incidents?: string[] | undefined }): void {
    for (const incident of input.incidents ?? [])
      if (!this.db.prepare('SELECT 1 FROM incidents WHERE id = ?').get(incident))
        throw new ReportError('invalid_request', `incidents: no incident with id ${incident}`)
  }

  createMission(input: MissionInput, now = Date.now()): Mission {
    const operation = this.operation(input.operation_id, now)
    if (operation.status === 'closed')
      throw new ReportError(
        'invalid_request',
        `operation ${operation.name} is closed: reopen it to add missions`,
      )
    this.checkLinks(input)
    const id = `mission--${newEventId(now)}`
    this.db
      .prepare(
        `INSERT INTO missions (id, operation_id, title, objective, assignee, priority, due_at, status, checklist,
           incidents, assets, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      )
      .run(
        id,
        input.operation_id,
        input.title,
        input.objective,
        input.assignee,
        input.priority,
        ms(input.due_at),
        input.status,
        JSON.stringify(input.checklist),
        JSON.stringify([...new Set(input.incidents)]),
        JSON.stringify([...new Set(input.assets)]),
        now,
        now,
      )
    this.db.prepare('UPDATE operations SET updated_at = ? WHERE id = ?').run(now, input.operation_id)
    return this.mission(id, now)
  }

  updateMission(id: string, change: Partial<MissionInput>, now = Date.now()): Mission {
    const current = this.mission(id, now)
    this.checkLinks(change)
    const next = {
      ...current,
      ...Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined)),
    }
    this.db
      .prepare(
        `UPDATE missions SET title = @title, objective = @objective, assignee = @assignee, priority = @priority,
           due_at = @due, status = @status, checklist = @checklist, incidents = @incidents, assets = @assets,
           updated_at = @now WHERE id = @id`,
      )
      .run({
        title: next.title,
        objective: next.objective,
        assignee: next.assignee,
        priority: next.priority,
        due: ms(next.due_at),
        status: next.status,
        checklist: JSON.stringify(next.checklist),
        incidents: JSON.stringify([...new Set(next.incidents)]),
        assets: JSON.stringify([...new Set(next.assets)]),
        now,
        id,
      })
    return this.mission(id, now)
  }
}

/** Saved hunts. Callers hold the transaction (with the audit entry). */
import { randomUUID } from 'node:crypto'
import type { Database } from 'better-sqlite3'
import type { SavedHunt } from '../../contract'

type HuntRow = {
  id: string
  name: string
  query: string
  range_from: string | null
  range_to: string | null
  schedule_minutes: number | null
  last_run_at: number | null
  last_count: number | null
  created_at: number
  updated_at: number
}

export type HuntInput = Pick<SavedHunt, 'name' | 'query' | 'from' | 'to' | 'schedule_minutes'>

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

const toHunt = (row: HuntRow): SavedHunt => ({
  id: row.id,
  name: row.name,
  query: row.query,
  from: row.range_from,
  to: row.range_to,
  schedule_minutes: row.schedule_minutes,
  last_run_at: iso(row.last_run_at),
  last_count: row.last_count,
  created_at: new Date(row.created_at).toISOString(),
  updated_at: new Date(row.updated_at).toISOString(),
})

export class HuntsRepo {
  constructor(private readonly db: Database) {}

  list(): SavedHunt[] {
    return (this.db.prepare('SELECT * FROM hunts ORDER BY name COLLATE NOCASE, seq').all() as HuntRow[]).map(
      toHunt,
    )
  }

  get(id: string): SavedHunt | undefined {
    const row = this.db.prepare('SELECT * FROM hunts WHERE id = @id').get({ id }) as HuntRow | undefined
    return row && toHunt(row)
  }

  /** Creates (no id) or replaces one; undefined when `id` names no hunt. */
  save(id: string | undefined, input: HuntInput, now = Date.now()): SavedHunt | undefined {
    const values = {
      name: input.name,
      query: input.query,
      from: input.from,
      to: input.to,
      schedule: input.schedule_minutes,
      now,
    }
    if (id === undefined) {
      const newId = randomUUID()
      this.db
        .prepare(
          `INSERT INTO hunts (id, name, query, range_from, range_to, schedule_minutes, created_at, updated_at)
           VALUES (@id, @name, @query, @from, @to, @schedule, @now, @now)`,
        )
        .run({ ...values, id: newId })
      return this.get(newId)
    }
    const changed = this.db
      .prepare(
        `UPDATE hunts SET name = @name, query = @query, range_from = @from, range_to = @to,
           schedule_minutes = @schedule, updated_at = @now WHERE id = @id`,
      )
      .run({ ...values, id }).changes
    return changed ? this.get(id) : undefined
  }

  delete(id: string): boolean {
    return this.db.prepare('DELETE FROM hunts WHERE id = @id').run({ id }).changes > 0
  }

  /** Scheduled hunts whose next run is due. */
  due(now = Date.now()): SavedHunt[] {
    return (
      this.db
        .prepare(
          `SELECT * FROM hunts WHERE schedule_minutes IS NOT NULL
             AND (last_run_at IS NULL OR last_run_at + schedule_minutes * 60000 <= @now) ORDER BY seq`,
        )
        .all({ now }) as HuntRow[]
    ).map(toHunt)
  }

  recordRun(id: string, count: number, at = Date.now()): void {
    this.db
      .prepare('UPDATE hunts SET last_run_at = @at, last_count = @count WHERE id = @id')
      .run({ id, at, count })
  }
}

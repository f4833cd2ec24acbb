import type { Database } from 'better-sqlite3'
import type { SyncRecord } from '../records'

const ms = (iso: unknown): number | null => (typeof iso === 'string' && iso ? Date.parse(iso) : null)
const text = (value: unknown, fallback = ''): string => (typeof value === 'string' ? value : fallback)
const maybe = (value: unknown): string | null => (typeof value === 'string' ? value : null)
const list = (value: unknown): string => JSON.stringify(Array.isArray(value) ? value : [])

/**
 * Writes a pulled operation or mission into the console's own tables (by its id, so the core's
 * and the console's copies are one object). Returns false for kinds applied elsewhere.
 */
export const applyPulledRecord = (db: Database, record: SyncRecord, now = Date.now()): boolean => {
  const b = record.body
  if (record.kind === 'operation') {
    if (record.deleted) {
      db.prepare("UPDATE operations SET status = 'closed', updated_at = ? WHERE id = ?").run(now, record.id)
      return true
    }
    db.prepare(
      `INSERT INTO operations (id, name, objective, status, starts_at, ends_at, lead, classification, tlp, created_at, updated_at)
       VALUES (@id, @name, @objective, @status, @starts, @ends, @lead, @classification, @tlp, @created, @updated)
       ON CONFLICT (id) DO UPDATE SET name = excluded.name, objective = excluded.objective, status = excluded.status,
         starts_at = excluded.starts_at, ends_at = excluded.ends_at, lead = excluded.lead,
         classification = excluded.classification, tlp = excluded.tlp, updated_at = excluded.updated_at`,
    ).run({
      id: record.id,
      name: text(b.name, record.id),
      objective: text(b.objective),
      status: text(b.status, 'planned'),
      starts: ms(b.starts_at),
      ends: ms(b.ends_at),
      lead: maybe(b.lead),
      classification: maybe(b.classification),
      tlp: text(b.tlp, 'amber'),
      created: ms(b.created_at) ?? now,
      updated: ms(b.updated_at) ?? now,
    })
    return true
  }
  if (record.kind === 'mission') {
    if (record.deleted) {
      db.prepare("UPDATE missions SET status = 'done', updated_at = ? WHERE id = ?").run(now, record.id)
      return true
    }
    db.prepare(
      `INSERT INTO missions (id, operation_id, title, objective, assignee, priority, due_at, status, checklist, incidents, assets, created_at, updated_at)
       VALUES (@id, @operation_id, @title, @objective, @assignee, @priority, @due, @status, @checklist, @incidents, @assets, @created, @updated)
       ON CONFLICT (id) DO UPDATE SET operation_id = excluded.operation_id, title = excluded.title,
         objective = excluded.objective, assignee = excluded.assignee, priority = excluded.priority,
         due_at = excluded.due_at, status = excluded.status, checklist = excluded.checklist,
         incidents = excluded.incidents, assets = excluded.assets, updated_at = excluded.updated_at`,
    ).run({
      id: record.id,
      operation_id: text(b.operation_id),
      title: text(b.title, record.id),
      objective: text(b.objective),
      assignee: maybe(b.assignee),
      priority: text(b.priority, 'medium'),
      due: ms(b.due_at),
      status: text(b.status, 'todo'),
      checklist: list(b.checklist),
      incidents: list(b.incidents),
      assets: list(b.assets),
      created: ms(b.created_at) ?? now,
      updated: ms(b.updated_at) ?? now,
    })
    return true
  }
  return false
}

/**
 * The audit log: every change an analyst (or the CLI) makes, append-only and hash-chained. Each
 * entry's hash is SHA-256 over the previous entry's hash and this entry's canonical JSON (keys
 * sorted, so the same entry always hashes the same), so changing, removing or inserting a row
 * breaks the chain at that row. SQLite triggers refuse UPDATE and DELETE; the chain catches
 * whoever drops them.
 */
import { createHash } from 'node:crypto'
import type { Database, Statement } from 'better-sqlite3'
import type { AuditEntry } from '../../contract'

export const GENESIS_HASH = '0'.repeat(64)

export type AuditInput = {
  actor: string
  /** create, update, delete, status, export, enable, disable, import… */
  action: string
  object_type: string
  object_id: string | null
  details?: Record<string, unknown>
}

type Row = {
  seq: number
  at: number
  actor: string
  action: string
  object_type: string
  object_id: string | null
  details: string
  prev_hash: string
  hash: string
}

/** JSON with object keys sorted at every level: one text per value. */
export const canonicalJson = (value: unknown): string => {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null'
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
}

const entryHash = (prev: string, row: Omit<Row, 'prev_hash' | 'hash'>): string =>
  createHash('sha256')
    .update(prev)
    .update(
      canonicalJson({
        seq: row.seq,
        at: row.at,
        actor: row.actor,
        action: row.action,
        object_type: row.object_type,
        object_id: row.object_id,
        details: JSON.parse(row.details) as unknown,
      }),
    )
    .digest('hex')

export const toEntry = (r: Row): AuditEntry => ({
  seq: r.seq,
  at: new Date(r.at).toISOString(),
  actor: r.actor,
  action: r.action,
  object_type: r.object_type,
  object_id: r.object_id,
  details: JSON.parse(r.details) as Record<string, unknown>,
  hash: r.hash,
})

export type AuditVerdict =
  { intact: true; entries: number } | { intact: false; entries: number; seq: number; reason: string }

export class AuditLog {
  private readonly last: Statement<[]>
  private readonly insert: Statement<Row>

  constructor(private readonly db: Database) {
    this.last = db.prepare('SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1')
    this.insert = db.prepare(
      `INSERT INTO audit_log (seq, at, actor, action, object_type, object_id, details, prev_hash, hash)
       VALUES (@seq, @at, @actor, @action, @object_type, @object_id, @details, @prev_hash, @hash)`,
    )
  }

  /** Appends one entry; call inside the transaction of the change it records. */
  append(input: AuditInput, now = Date.now()): AuditEntry {
    const previous = this.last.get() as { seq: number; hash: string } | undefined
    const base = {
      seq: (previous?.seq ?? 0) + 1,
      at: now,
      actor: input.actor,
      action: input.action,
      object_type: input.object_type,
      object_id: input.object_id,
      details: canonicalJson(input.details ?? {}),
    }
    const prev = previous?.hash ?? GENESIS_HASH
    const row: Row = { ...base, prev_hash: prev, hash: entryHash(prev, base) }
    this.insert.run(row)
    return toEntry(row)
  }

  list(limit: number, before?: number): AuditEntry[] {
    const rows =
      before === undefined
        ? this.db.prepare('SELECT * FROM audit_log ORDER BY seq DESC LIMIT ?').all(limit)
        : this.db
            .prepare('SELECT * FROM audit_log WHERE seq < ? ORDER BY seq DESC LIMIT ?')
            .all(before, limit)
    return (rows as Row[]).map(toEntry)
  }

  /** Walks the whole chain; the first entry that does not follow is reported with why. */
  verify(): AuditVerdict {
    let prev = GENESIS_HASH
    let expected = 1
    let entries = 0
    for (const row of this.db
      .prepare('SELECT * FROM audit_log ORDER BY seq')
      .iterate() as IterableIterator<Row>) {
      entries++
      const broken = (reason: string): AuditVerdict => ({ intact: false, entries, seq: row.seq, reason })
      if (row.seq !== expected)
        return broken(`entry ${expected} is missing (the next entry is ${row.seq}): rows were removed`)
      if (row.prev_hash !== prev)
        return broken(`entry ${row.seq} does not follow entry ${row.seq - 1}: its prev_hash differs`)
      let hash: string
      try {
        hash = entryHash(prev, row)
      } catch {
        return broken(`entry ${row.seq} has details that are not JSON: it was changed`)
      }
      if (hash !== row.hash)
        return broken(`entry ${row.seq} was changed after it was written: its hash differs`)
      prev = row.hash
      expected++
    }
    return { intact: true, entries }
  }
}

/**
 * This installation's syncable objects as SyncRecords, read from the repos (the online outbox,
 * `sync_outbox`, is built on another branch; once it exists it can feed bundles instead).
 */
import type { Database } from 'better-sqlite3'
import { AlertsRepo } from '../../store/sqlite/alerts-repo'
import { AssetsRepo } from '../../store/sqlite/assets-repo'
import { CasesRepo } from '../../store/sqlite/cases-repo'
import { ReportsRepo } from '../../store/sqlite/reports-repo'
import type { PUSH_KINDS, SyncRecord } from '../records'
import { canonicalJson, sha256 } from './format'

export type PushKind = (typeof PUSH_KINDS)[number]

export type LocalRecords = {
  records: SyncRecord[]
  /** Evidence files the records name, by SHA-256. */
  evidence: string[]
}

const msOf = (iso: string | undefined): number => (iso === undefined ? 0 : Date.parse(iso))

/**
 * Versions are this installation's own counter per object: it rises by one whenever the object's
 * body differs from what the last export carried (bundle_versions), so it is stable between exports.
 */
const versioned = (
  db: Database,
  kind: PushKind,
  id: string,
  body: Record<string, unknown>,
  options: { origin: string; now: string; exportSeq: number },
): { record: SyncRecord; exportSeq: number } => {
  const { origin, now } = options
  const hash = sha256(Buffer.from(canonicalJson(body)))
  const known = db
    .prepare(
      'SELECT version, body_hash, updated_at, export_seq FROM bundle_versions WHERE kind = ? AND id = ?',
    )
    .get(kind, id) as
    { version: number; body_hash: string; updated_at: string; export_seq: number } | undefined
  if (known?.body_hash === hash)
    return {
      record: {
        kind,
        id,
        version: known.version,
        updated_at: known.updated_at,
        origin,
        deleted: false,
        body,
      },
      exportSeq: known.export_seq,
    }
  const version = (known?.version ?? 0) + 1
  db.prepare(
    `INSERT INTO bundle_versions (kind, id, version, body_hash, updated_at, export_seq) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (kind, id) DO UPDATE SET version = excluded.version, body_hash = excluded.body_hash,
       updated_at = excluded.updated_at, export_seq = excluded.export_seq`,
  ).run(kind, id, version, hash, now, options.exportSeq)
  return {
    record: { kind, id, version, updated_at: now, origin, deleted: false, body },
    exportSeq: options.exportSeq,
  }
}

export const collectLocalRecords = (
  db: Database,
  options: {
    /** ISO-8601: objects updated since then. */
    since?: string | undefined
    /** Only versions first carried after bundle number `afterExport` (this export's included). */
    afterExport?: number | undefined
    /** The number of the bundle being written. */
    exportSeq: number
    kinds: ReadonlySet<PushKind>
    origin: string
    now?: Date
  },
): LocalRecords => {
  const since = msOf(options.since)
  const now = (options.now ?? new Date()).toISOString()
  const afterExport = options.afterExport ?? 0
  const alerts = new AlertsRepo(db)
  const records: SyncRecord[] = []
  const evidence = new Set<string>()
  const ids = (sql: string): string[] => (db.prepare(sql).pluck().all(since) as string[]) ?? []
  /** Versions the object; true when the bundle carries it. */
  const add = (kind: PushKind, id: string, body: Record<string, unknown>): boolean => {
    const made = versioned(db, kind, id, body, { origin: options.origin, now, exportSeq: options.exportSeq })
    if (made.exportSeq <= afterExport) return false
    records.push(made.record)
    return true
  }
  db.transaction(() => {
    if (options.kinds.has('alert'))
      for (const id of ids('SELECT id FROM alerts WHERE updated_at >= ? ORDER BY seq')) {
        const alert = alerts.get(id)
        if (alert) add('alert', id, alert)
      }
    if (options.kinds.has('incident') || options.kinds.has('evidence')) {
      const cases = new CasesRepo(db, alerts)
      for (const id of ids('SELECT id FROM incidents WHERE updated_at >= ? ORDER BY seq')) {
        const detail = cases.detail(id)
        if (options.kinds.has('incident')) add('incident', id, detail)
        if (options.kinds.has('evidence'))
          for (const item of cases.evidenceOf(id)) {
            if (add('evidence', item.id, item)) evidence.add(item.sha256)
          }
      }
    }
    if (options.kinds.has('report')) {
      const reports = new ReportsRepo(db)
      for (const id of ids('SELECT id FROM reports WHERE updated_at >= ? ORDER BY seq')) {
        const report = reports.get(id)
        if (report) add('report', id, report)
      }
    }
    if (options.kinds.has('asset')) {
      const assets = new AssetsRepo(db, alerts)
      // Only what analysts changed (owner, criticality, role, tags, note); the indexer's counters
      // are left out, or every export would be a new version.
      const rows = db
        .prepare("SELECT kind || ':' || value FROM assets WHERE updated_at IS NOT NULL AND updated_at >= ?")
        .pluck()
        .all(since) as string[]
      for (const id of rows) {
        const { asset } = assets.get(id, 0)
        const { events: _e, alerts: _a, first_seen: _f, last_seen: _l, ...kept } = asset
        add('asset', asset.id, kept)
      }
    }
    if (options.kinds.has('audit')) {
      const rows = db.prepare('SELECT * FROM audit_log WHERE at >= ? ORDER BY seq').all(since) as Array<
        Record<string, unknown> & { seq: number; at: number; details: string }
      >
      for (const row of rows)
        add('audit', `${options.origin}/${row.seq}`, {
          ...row,
          at: new Date(row.at).toISOString(),
          details: JSON.parse(row.details) as unknown,
        })
    }
  })()
  return { records, evidence: [...evidence] }
}

/**
 * This installation's syncable objects as SyncRecords for a selection bundle (`bundle export
 * --since`), on the same version line as online sync: each object's sync_versions version, this
 * node's id as origin, and the updated_at and base its outbox record carried, so a record sent
 * online and by bundle is the same record. (`bundle export --outbox` takes the outbox records as
 * they are instead.)
 */
import type { Database } from 'better-sqlite3'
import { AlertsRepo } from '../../store/sqlite/alerts-repo'
import { AssetsRepo } from '../../store/sqlite/assets-repo'
import { toEntry } from '../../store/sqlite/audit-repo'
import { CasesRepo } from '../../store/sqlite/cases-repo'
import { ReportsRepo } from '../../store/sqlite/reports-repo'
import type { SyncStore } from '../connector/sync-store'
import type { PUSH_KINDS, SyncRecord } from '../records'
import type { SyncLoaders } from '../sync-service'

export type PushKind = (typeof PUSH_KINDS)[number]

export type LocalRecords = {
  records: SyncRecord[]
  /** Evidence files the records name, by SHA-256. */
  evidence: string[]
}

const msOf = (iso: string | undefined): number => (iso === undefined ? 0 : Date.parse(iso))

/**
 * The object's current version as online sync sent (or will send) it. An object with no version
 * yet (never changed since sync existed) starts its line at 1 here; a version whose header was
 * not kept gets one now, kept, so later exports repeat it.
 */
const versioned = (
  store: SyncStore,
  kind: PushKind,
  id: string,
  body: Record<string, unknown>,
  now: string,
): SyncRecord => {
  let header = store.header(kind, id)
  if (!header) {
    store.bumpVersion(kind, id)
    header = store.header(kind, id)!
  }
  let updatedAt = header.updated_at
  if (updatedAt === null) {
    updatedAt = typeof body.updated_at === 'string' ? body.updated_at : now
    store.setHeader(kind, id, updatedAt, header.base)
  }
  const base =
    header.base ??
    (header.synced_version > 0 && header.synced_version < header.version ? header.synced_version : null)
  return {
    ...(base !== null ? { base } : {}),
    kind,
    id,
    version: header.version,
    updated_at: updatedAt,
    origin: store.nodeId(),
    deleted: false,
    body,
  }
}

/**
 * Which version each object's last bundle carried, and the number of the bundle that first carried
 * it: `--since N` takes the objects whose current version was first carried after bundle N.
 */
const carriedIn = (db: Database, record: SyncRecord, exportSeq: number): number => {
  const known = db
    .prepare('SELECT version, updated_at, export_seq FROM bundle_carried WHERE kind = ? AND id = ?')
    .get(record.kind, record.id) as { version: number; updated_at: string; export_seq: number } | undefined
  if (known && known.version === record.version && known.updated_at === record.updated_at)
    return known.export_seq
  db.prepare(
    `INSERT INTO bundle_carried (kind, id, version, updated_at, export_seq) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (kind, id) DO UPDATE SET version = excluded.version, updated_at = excluded.updated_at,
       export_seq = excluded.export_seq`,
  ).run(record.kind, record.id, record.version, record.updated_at, exportSeq)
  return exportSeq
}

/** Records that an outbox bundle carried: `--since N` after it does not carry them again. */
export const markCarried = (db: Database, records: readonly SyncRecord[], exportSeq: number): void => {
  for (const record of records) if (record.kind !== 'audit') carriedIn(db, record, exportSeq)
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
    store: SyncStore
    /** How online sync reads each kind (its bodies); the repos' own reads otherwise. */
    loaders?: SyncLoaders | undefined
    now?: Date
  },
): LocalRecords => {
  const since = msOf(options.since)
  const now = (options.now ?? new Date()).toISOString()
  const afterExport = options.afterExport ?? 0
  const { store, loaders } = options
  const alerts = new AlertsRepo(db)
  const records: SyncRecord[] = []
  const evidence = new Set<string>()
  const ids = (sql: string): string[] => (db.prepare(sql).pluck().all(since) as string[]) ?? []
  /** Versions the object; true when the bundle carries it. */
  const add = (kind: PushKind, id: string, body: Record<string, unknown>): boolean => {
    const record = versioned(store, kind, id, body, now)
    if (carriedIn(db, record, options.exportSeq) <= afterExport) return false
    records.push(record)
    return true
  }
  db.transaction(() => {
    if (options.kinds.has('alert'))
      for (const id of ids('SELECT id FROM alerts WHERE updated_at >= ? ORDER BY seq')) {
        const alert = loaders?.alert ? loaders.alert(id) : alerts.get(id)
        if (alert) add('alert', id, alert)
      }
    if (options.kinds.has('incident') || options.kinds.has('evidence')) {
      const cases = new CasesRepo(db, alerts)
      for (const id of ids('SELECT id FROM incidents WHERE updated_at >= ? ORDER BY seq')) {
        const detail = loaders?.incident?.(id) ?? cases.detail(id)
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
        const report = loaders?.report ? loaders.report(id) : reports.get(id)
        if (report) add('report', id, report)
      }
    }
    if (options.kinds.has('asset')) {
      const assets = new AssetsRepo(db, alerts)
      // Assets analysts changed (owner, criticality, role, tags, note).
      const rows = db
        .prepare("SELECT kind || ':' || value FROM assets WHERE updated_at IS NOT NULL AND updated_at >= ?")
        .pluck()
        .all(since) as string[]
      for (const id of rows) {
        if (loaders?.asset) {
          const body = loaders.asset(id)
          if (body) add('asset', id, body)
          continue
        }
        const { asset } = assets.get(id, 0)
        const { events: _e, alerts: _a, first_seen: _f, last_seen: _l, ...kept } = asset
        add('asset', asset.id, kept)
      }
    }
    if (options.kinds.has('audit')) {
      // Audit entries as online sync queues them: id `<node>:<seq>`, the entry as its body.
      const rows = db.prepare('SELECT * FROM audit_log WHERE at >= ? ORDER BY seq').all(since) as Array<
        Parameters<typeof toEntry>[0]
      >
      for (const row of rows) {
        const entry = toEntry(row)
        add('audit', `${store.nodeId()}:${entry.seq}`, entry)
      }
    }
  })()
  return { records, evidence: [...evidence] }
}

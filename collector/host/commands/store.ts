import type { Database } from 'better-sqlite3'
import { AuditLog, type AuditInput } from '../../store/sqlite/audit-repo'
import { SqliteStore } from '../../store/sqlite/sqlite-store'
import { loadConfig } from '../config'
import { prepareDataDir } from '../data-dir'
import { osUser } from '../os-user'
import { dataFiles, defaultDataDir } from '../paths'
import { syncLoaders } from '../sync-loaders'
import { createSyncService, type SyncService } from '../../sync/sync-service'

/**
 * The data dir's SQLite store for a CLI command, beside a running Outpost or not; `audited` runs a
 * change and its audit entry (actor `cli:<account>`) in one transaction. Closed after `use`.
 */
export const withStore = async <T>(
  dataDir: string | undefined,
  env: NodeJS.ProcessEnv,
  use: (store: {
    db: Database
    /** The data dir in use (files beside the database: evidence, uploads). */
    dataDir: string
    actor: string
    /** Sync on this data dir (a console's outbox and connector, a core's consoles and records). */
    sync: SyncService
    audited: <R>(
      entry: Omit<AuditInput, 'actor'> | ((result: R) => Omit<AuditInput, 'actor'>),
      change: () => R,
    ) => R
  }) => T | Promise<T>,
): Promise<T> => {
  const dir = dataDir ?? defaultDataDir(env)
  prepareDataDir(dir)
  const files = dataFiles(dir)
  const config = loadConfig(files.config)
  const store = SqliteStore.open(files.sqlite, { synchronous: config.storage.sqlite_synchronous })
  try {
    const audit = new AuditLog(store.db)
    const actor = `cli:${osUser()}`
    const sync = createSyncService({
      db: store.db,
      role: 'console',
      dataDir: dir,
      connector: config.connector,
      loaders: syncLoaders(store.db),
      evidenceDir: files.evidence,
      maxEvidenceBytes: config.storage.max_evidence_bytes,
      changed: () => undefined,
      log: () => undefined,
      // Its cursor keeps what NATS has not published yet from leaving the outbox on a CLI push.
      nats: config.nats,
      // An export-only console's outbox drains by `bundle export --outbox` (a data diode).
      bundleMode: config.bundles.mode,
    })
    try {
      return await use({
        db: store.db,
        dataDir: dir,
        actor,
        sync,
        // Like the core's: the change, its audit entry and its outbox records in one transaction.
        audited: (entry, change) =>
          store.db.transaction(() => {
            const result = change()
            sync.onAudit(audit.append({ ...(typeof entry === 'function' ? entry(result) : entry), actor }))
            return result
          })(),
      })
    } finally {
      await sync.stop()
    }
  } finally {
    store.close()
  }
}

import type { Database } from 'better-sqlite3'
import { AuditLog, type AuditInput } from '../../store/sqlite/audit-repo'
import { SqliteStore } from '../../store/sqlite/sqlite-store'
import { loadConfig } from '../config'
import { lockDataDir, prepareDataDir } from '../data-dir'
import { StartupError } from '../errors'
import { osUser } from '../os-user'
import { dataFiles, defaultDataDir } from '../paths'
import { syncLoaders } from '../sync-loaders'
import { createSyncService, dataDirRole, type SyncRole, type SyncService } from '../../sync/sync-service'

/**
 * The data dir's SQLite store for a CLI command, beside a running Outpost or not; `audited` runs a
 * change and its audit entry (actor `cli:<account>`) in one transaction. Closed after `use`.
 * With `asCore`, a core's data dir (dataDirRole) is opened as the core, its sync service merging
 * as the running core's does; that needs the data dir to itself, so it is locked (refused while
 * an Outpost serves it).
 */
export const withStore = async <T>(
  dataDir: string | undefined,
  env: NodeJS.ProcessEnv,
  use: (store: {
    db: Database
    /** The data dir in use (files beside the database: evidence, uploads). */
    dataDir: string
    /** console unless `asCore` and the data dir is a core's. */
    role: SyncRole
    actor: string
    /** Sync on this data dir (a console's outbox and connector, a core's consoles and records). */
    sync: SyncService
    audited: <R>(
      entry: Omit<AuditInput, 'actor'> | ((result: R) => Omit<AuditInput, 'actor'>),
      change: () => R,
    ) => R
  }) => T | Promise<T>,
  options: { asCore?: string } = {},
): Promise<T> => {
  const dir = dataDir ?? defaultDataDir(env)
  prepareDataDir(dir)
  const files = dataFiles(dir)
  const config = loadConfig(files.config)
  const store = SqliteStore.open(files.sqlite, { synchronous: config.storage.sqlite_synchronous })
  let unlock: (() => void) | undefined
  try {
    const role: SyncRole = options.asCore && dataDirRole(store.db) === 'core' ? 'core' : 'console'
    if (role === 'core') {
      try {
        unlock = lockDataDir(dir)
      } catch (error) {
        throw new StartupError(
          `${options.asCore} on a core's data dir goes through the core's merge, which needs the data dir to itself: ${(error as Error).message.replace(/; stop it or pass a different --data-dir$/, '')}. Do it through the running core (the System view, or bundles:import over its API), or stop the core first`,
          { cause: error },
        )
      }
    }
    const audit = new AuditLog(store.db)
    const actor = `cli:${osUser()}`
    const sync = createSyncService({
      db: store.db,
      role,
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
        role,
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
    unlock?.()
  }
}

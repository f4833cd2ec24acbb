import Database from 'better-sqlite3'
import { StartupError } from '../../host/errors'
import { migrate } from './migrate'
import { migrations } from './migrations'

export type SqliteOptions = {
  synchronous: 'full' | 'normal'
  /** better-sqlite3 built for another ABI (Electron's); by default the one npm built for Node. */
  nativeBinding?: string | undefined
}

/**
 * The operational store. One connection, one writer: better-sqlite3 is synchronous, so all
 * writes from this process are serialized by construction.
 */
export class SqliteStore {
  private constructor(
    readonly db: Database.Database,
    readonly path: string,
    readonly schemaVersion: number,
  ) {}

  static open(path: string, options: SqliteOptions): SqliteStore {
    let db: Database.Database
    try {
      db = new Database(path, options.nativeBinding ? { nativeBinding: options.nativeBinding } : {})
    } catch (error) {
      throw new StartupError(`cannot open ${path}: ${(error as Error).message}`, { cause: error })
    }
    try {
      db.pragma('journal_mode = WAL')
      db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`)
      db.pragma('foreign_keys = ON')
      db.pragma('busy_timeout = 5000')
      const version = migrate(db, migrations, path)
      return new SqliteStore(db, path, version)
    } catch (error) {
      db.close()
      if (error instanceof StartupError) throw error
      throw new StartupError(
        `cannot prepare ${path}: ${(error as Error).message}; is it an Outpost database?`,
        { cause: error },
      )
    }
  }

  close(): void {
    if (!this.db.open) return
    // Fold the WAL back so the file is whole on its own (backups, copies to other machines).
    this.db.pragma('wal_checkpoint(TRUNCATE)')
    this.db.close()
  }
}

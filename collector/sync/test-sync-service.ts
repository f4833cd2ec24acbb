// A console's sync service on an in-memory database, for tests. Not used by the product.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { migrate } from '../store/sqlite/migrate'
import { migrations } from '../store/sqlite/migrations'
import { createSyncService, type SyncService, type SyncServiceOptions } from './sync-service'

/** Services and folders the tests of a file made; `release` stops and removes them (afterEach). */
export const syncServices = () => {
  const made: Array<{ sync: SyncService; dir: string }> = []
  return {
    /** A console with no core configured, no loaders but `extra`'s, its files in a temp folder. */
    console(extra: Partial<SyncServiceOptions> = {}) {
      const dir = mkdtempSync(join(tmpdir(), 'outpost-sync-test-'))
      const db = new Database(':memory:')
      migrate(db, migrations, ':memory:')
      const sync = createSyncService({
        db,
        role: 'console',
        dataDir: dir,
        connector: { url: null, token: null, ca_file: null, cert_file: null, key_file: null, interval_s: 60 },
        loaders: {},
        evidenceDir: join(dir, 'evidence'),
        maxEvidenceBytes: 1024,
        changed: () => undefined,
        log: () => undefined,
        ...extra,
      })
      made.push({ sync, dir })
      return { sync, db, dir }
    },
    async release() {
      for (const { sync, dir } of made.splice(0)) {
        await sync.stop()
        rmSync(dir, { recursive: true, force: true })
      }
    },
  }
}

// Sync test scenes: a console's sync service on an in-memory database, a core's sync API on a
// loopback port, console tokens. Not used by the product.
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { migrate } from '../store/sqlite/migrate'
import { migrations } from '../store/sqlite/migrations'
import type { Core } from '../host/create-core'
import { SyncConsoles } from './core/consoles'
import type { SyncRole } from './core/consoles'
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

/** A core's sync API on a loopback port (what `serve --role core` mounts). */
export const serveSync = async (core: Core): Promise<{ url: string; server: Server }> => {
  const api = core.syncApi!
  const server = createServer((req, res) => {
    void api.handle(req, res, new URL(req.url ?? '/', 'http://127.0.0.1'))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server }
}

/** A console token made on a core's data dir, as `outpost sync consoles add` would. */
export const addConsole = (dataDir: string, name: string, role: SyncRole): string => {
  const db = new Database(join(dataDir, 'outpost.sqlite'))
  db.pragma('busy_timeout = 5000')
  try {
    return new SyncConsoles(db).add(name, role).token
  } finally {
    db.close()
  }
}

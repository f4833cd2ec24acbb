import type { Database } from 'better-sqlite3'
import { StartupError } from '../../host/errors'

export type Migration = { version: number; name: string; sql: string }

/**
 * Applies pending migrations, each in its own transaction with its version row, so a crash
 * leaves the schema at a known version. Refuses a database written by a newer Outpost.
 */
export const migrate = (db: Database, migrations: readonly Migration[], file: string): number => {
  migrations.forEach((m, index) => {
    if (m.version !== index + 1)
      throw new Error(`migration ${m.name} has version ${m.version}, expected ${index + 1}`)
  })
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`)
  const current =
    (db.prepare('SELECT max(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0
  if (current > migrations.length) {
    throw new StartupError(
      `${file} has schema version ${current}, newer than this Outpost knows (${migrations.length}); run a newer Outpost or use another --data-dir`,
    )
  }
  const record = db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)')
  for (const m of migrations.slice(current)) {
    db.transaction(() => {
      db.exec(m.sql)
      record.run(m.version, m.name, new Date().toISOString())
    })()
  }
  return migrations.length
}

import type { Database } from 'better-sqlite3'
import { StartupError } from '../../host/errors'

export type Migration = { version: number; name: string; sql: string }

/**
 * Applies pending migrations, each in its own transaction with its version row, so a crash
 * leaves the schema at a known version. Refuses a database written by a newer Outpost.
 * Versions increase but may skip a number reserved by a branch not merged yet: each migration
 * not recorded is applied, in order, so the reserved one still runs once it lands.
 */
export const migrate = (db: Database, migrations: readonly Migration[], file: string): number => {
  migrations.forEach((m, index) => {
    const previous = index === 0 ? 0 : migrations[index - 1]!.version
    if (m.version <= previous)
      throw new Error(`migration ${m.name} has version ${m.version}, expected more than ${previous}`)
  })
  const latest = migrations.at(-1)?.version ?? 0
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`)
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map(
      (row) => row.version,
    ),
  )
  const current = Math.max(0, ...applied)
  if (current > latest) {
    throw new StartupError(
      `${file} has schema version ${current}, newer than this Outpost knows (${latest}); run a newer Outpost or use another --data-dir`,
    )
  }
  const record = db.prepare(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (@version, @name, @at)',
  )
  for (const m of migrations.filter((m) => !applied.has(m.version))) {
    db.transaction(() => {
      db.exec(m.sql)
      record.run({ version: m.version, name: m.name, at: new Date().toISOString() })
    })()
  }
  return latest
}

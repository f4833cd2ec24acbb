import type { Database } from 'better-sqlite3'
import { StartupError } from '../../host/errors'

export type Migration = { version: number; name: string; sql: string }

/**
 * Applies pending migrations, each in its own transaction with its version row, so a crash
 * leaves the schema at a known version. Refuses a database written by a newer Outpost (a version
 * recorded that this one does not know). Versions must rise; a gap is allowed (branches that land
 * out of order): each migration is applied once, by version, whatever else is already there.
 */
export const migrate = (db: Database, migrations: readonly Migration[], file: string): number => {
  migrations.forEach((m, index) => {
    const previous = migrations[index - 1]
    if (m.version < 1 || (previous && m.version <= previous.version))
      throw new Error(
        `migration ${m.name} has version ${m.version}, expected above ${previous?.version ?? 0}`,
      )
  })
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    applied_at TEXT NOT NULL
  ) STRICT`)
  const applied = new Set(
    (db.prepare('SELECT version FROM schema_migrations').all() as Array<{ version: number }>).map(
      (r) => r.version,
    ),
  )
  const known = new Set(migrations.map((m) => m.version))
  const unknown = [...applied].filter((v) => !known.has(v))
  if (unknown.length > 0) {
    throw new StartupError(
      `${file} has schema version ${Math.max(...unknown)}, newer than this Outpost knows (${latest(migrations)}); run a newer Outpost or use another --data-dir`,
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
  return latest(migrations)
}

const latest = (migrations: readonly Migration[]): number => migrations[migrations.length - 1]?.version ?? 0

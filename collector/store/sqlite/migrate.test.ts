import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { StartupError } from '../../host/errors'
import { migrate, type Migration } from './migrate'

const m = (version: number): Migration => ({
  version,
  name: `m${version}`,
  sql: `CREATE TABLE t${version} (a INTEGER) STRICT;`,
})
const applied = (db: Database.Database): number[] =>
  (
    db.prepare('SELECT version FROM schema_migrations ORDER BY version').all() as Array<{ version: number }>
  ).map((r) => r.version)

describe('migrate', () => {
  it('applies each migration once by version, gaps allowed while branches land out of order', () => {
    const db = new Database(':memory:')
    expect(migrate(db, [m(1), m(2), m(5)], 'x.sqlite')).toBe(5)
    expect(applied(db)).toEqual([1, 2, 5])
    expect(migrate(db, [m(1), m(2), m(5)], 'x.sqlite')).toBe(5)
    // 3 and 4 land later (another branch merged): only they run.
    expect(migrate(db, [m(1), m(2), m(3), m(4), m(5)], 'x.sqlite')).toBe(5)
    expect(applied(db)).toEqual([1, 2, 3, 4, 5])
  })

  it('refuses a database with a version this build does not know, and versions out of order', () => {
    const db = new Database(':memory:')
    migrate(db, [m(1), m(2), m(5)], 'x.sqlite')
    expect(() => migrate(db, [m(1), m(2)], 'x.sqlite')).toThrow(StartupError)
    expect(() => migrate(db, [m(1), m(2)], 'x.sqlite')).toThrow(
      'x.sqlite has schema version 5, newer than this Outpost knows (2)',
    )
    expect(() => migrate(new Database(':memory:'), [m(2), m(1)], 'y')).toThrow('expected above 2')
  })
})

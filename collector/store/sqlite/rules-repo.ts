import type { Database, Statement } from 'better-sqlite3'

export type RuleOrigin = 'imported' | 'user' | 'example'
export type RuleFile = { path: string; text: string; origin: RuleOrigin; license: string | null }
export type RuleState = { enabled: boolean; hits: number; last_hit: number | null }

/** The rule store's files, each rule's state, and the engine's cursor over stored events. */
export class RulesRepo {
  private readonly upsertFile: Statement<Record<string, unknown>>
  private readonly insertState: Statement<[string, number]>
  private readonly setState: Statement<{ key: string; enabled: number }>
  private readonly addHit: Statement<{ key: string; count: number; last: number }>

  constructor(private readonly db: Database) {
    this.upsertFile = db.prepare(
      `INSERT INTO rule_files (path, text, origin, license, created_at, updated_at)
       VALUES (@path, @text, @origin, @license, @now, @now)
       ON CONFLICT (path) DO UPDATE SET text = @text, origin = @origin, license = @license, updated_at = @now`,
    )
    this.insertState = db.prepare(
      'INSERT INTO rule_state (key, enabled) VALUES (?, ?) ON CONFLICT (key) DO NOTHING',
    )
    this.setState = db.prepare(
      'INSERT INTO rule_state (key, enabled) VALUES (@key, @enabled) ON CONFLICT (key) DO UPDATE SET enabled = @enabled',
    )
    this.addHit = db.prepare(
      `INSERT INTO rule_state (key, hits, last_hit) VALUES (@key, @count, @last)
       ON CONFLICT (key) DO UPDATE SET hits = hits + @count, last_hit = max(coalesce(last_hit, 0), @last)`,
    )
  }

  files(): RuleFile[] {
    return this.db
      .prepare('SELECT path, text, origin, license FROM rule_files ORDER BY path')
      .all() as RuleFile[]
  }

  file(path: string): RuleFile | undefined {
    return this.db.prepare('SELECT path, text, origin, license FROM rule_files WHERE path = ?').get(path) as
      RuleFile | undefined
  }

  /** Writes files and the default state of their new rules in one transaction. */
  putFiles(files: readonly RuleFile[], keys: readonly string[], enabled: boolean): void {
    const now = Date.now()
    this.db.transaction(() => {
      for (const file of files) this.upsertFile.run({ ...file, now })
      for (const key of keys) this.insertState.run(key, enabled ? 1 : 0)
    })()
  }

  deleteFile(path: string): boolean {
    return this.db.prepare('DELETE FROM rule_files WHERE path = ?').run(path).changes > 0
  }

  states(): Map<string, RuleState> {
    const rows = this.db.prepare('SELECT key, enabled, hits, last_hit FROM rule_state').all() as Array<{
      key: string
      enabled: number
      hits: number
      last_hit: number | null
    }>
    return new Map(rows.map((r) => [r.key, { enabled: r.enabled === 1, hits: r.hits, last_hit: r.last_hit }]))
  }

  setEnabled(keys: Iterable<string>, enabled: boolean): number {
    let changed = 0
    this.db.transaction(() => {
      for (const key of keys) changed += this.setState.run({ key, enabled: enabled ? 1 : 0 }).changes
    })()
    return changed
  }

  /** Adds hit counts; call inside the transaction that stores the alerts. */
  addHits(hits: ReadonlyMap<string, { count: number; last: number }>): void {
    for (const [key, { count, last }] of hits) this.addHit.run({ key, count, last })
  }

  cursor(name: string): number {
    const row = this.db.prepare('SELECT seq FROM detect_cursor WHERE name = ?').get(name) as
      { seq: number } | undefined
    return row?.seq ?? 0
  }

  setCursor(name: string, seq: number): void {
    this.db
      .prepare(
        'INSERT INTO detect_cursor (name, seq) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET seq = excluded.seq',
      )
      .run(name, seq)
  }
}

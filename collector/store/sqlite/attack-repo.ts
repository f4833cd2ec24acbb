import type { Database } from 'better-sqlite3'
import type { AlertTally } from '../../attack/matrix'
import type { AttackTactic, AttackTechnique, ParsedAttack } from '../../attack/parse-bundle'

export type AttackMeta = { version: string; imported_at: number; tactics: number; techniques: number }

type TechniqueRow = {
  id: string
  name: string
  tactics: string
  is_subtechnique: number
  parent: string | null
}

/** The imported ATT&CK set (attack_* tables), and ATT&CK hit counts over the alerts table. */
export class AttackRepo {
  constructor(private readonly db: Database) {}

  /** Replaces the whole set in one transaction: a failed import leaves the previous one. */
  replace(parsed: ParsedAttack, now = Date.now()): AttackMeta {
    const meta = {
      version: parsed.version,
      imported_at: now,
      tactics: parsed.tactics.length,
      techniques: parsed.techniques.length,
    }
    this.db.transaction(() => {
      this.db.exec('DELETE FROM attack_tactics; DELETE FROM attack_techniques; DELETE FROM attack_meta;')
      const tactic = this.db.prepare(
        'INSERT INTO attack_tactics (id, shortname, name, position) VALUES (@id, @shortname, @name, @position)',
      )
      for (const t of parsed.tactics) tactic.run(t)
      const technique = this.db.prepare(
        `INSERT INTO attack_techniques (id, name, tactics, is_subtechnique, parent)
         VALUES (?, ?, ?, ?, ?)`,
      )
      for (const t of parsed.techniques)
        technique.run(t.id, t.name, JSON.stringify(t.tactics), t.is_subtechnique ? 1 : 0, t.parent)
      this.db
        .prepare(
          `INSERT INTO attack_meta (id, version, imported_at, tactics, techniques)
           VALUES (1, @version, @imported_at, @tactics, @techniques)`,
        )
        .run(meta)
    })()
    return meta
  }

  meta(): AttackMeta | null {
    return (
      (this.db
        .prepare('SELECT version, imported_at, tactics, techniques FROM attack_meta WHERE id = 1')
        .get() as AttackMeta | undefined) ?? null
    )
  }

  tactics(): AttackTactic[] {
    return this.db
      .prepare('SELECT id, shortname, name, position FROM attack_tactics ORDER BY position')
      .all() as AttackTactic[]
  }

  techniques(): AttackTechnique[] {
    return (
      this.db
        .prepare('SELECT id, name, tactics, is_subtechnique, parent FROM attack_techniques ORDER BY id')
        .all() as TechniqueRow[]
    ).map((r) => ({
      id: r.id,
      name: r.name,
      tactics: JSON.parse(r.tactics) as string[],
      is_subtechnique: r.is_subtechnique === 1,
      parent: r.parent,
    }))
  }

  /** Names of the given technique ids that the imported set knows. */
  names(ids: readonly string[]): Record<string, string> {
    const names: Record<string, string> = {}
    if (ids.length === 0) return names
    const rows = this.db
      .prepare('SELECT t.id, t.name FROM attack_techniques t JOIN json_each(?) j ON j.value = t.id')
      .all(JSON.stringify(ids)) as Array<{ id: string; name: string }>
    for (const row of rows) names[row.id] = row.name
    return names
  }

  /** Alerts per technique, exact and rolled up to the parent technique, counted in SQL. */
  alertTally(): AlertTally {
    const exact = this.db
      .prepare(
        `SELECT j.value AS id, count(*) AS n FROM alerts, json_each(alerts.techniques) j GROUP BY j.value`,
      )
      .all() as Array<{ id: string; n: number }>
    const rolled = this.db
      .prepare(
        `SELECT CASE WHEN instr(j.value, '.') > 0 THEN substr(j.value, 1, instr(j.value, '.') - 1)
                     ELSE j.value END AS id,
                count(DISTINCT alerts.seq) AS n
         FROM alerts, json_each(alerts.techniques) j GROUP BY 1`,
      )
      .all() as Array<{ id: string; n: number }>
    const pairs = this.db
      .prepare(`SELECT DISTINCT techniques, tactics FROM alerts WHERE techniques <> '[]'`)
      .all() as Array<{ techniques: string; tactics: string }>
    return {
      exact: new Map(exact.map((r) => [r.id, r.n])),
      rolled: new Map(rolled.map((r) => [r.id, r.n])),
      pairs: pairs.map((p) => ({
        techniques: JSON.parse(p.techniques) as string[],
        tactics: JSON.parse(p.tactics) as string[],
      })),
    }
  }
}

import type { Database } from 'better-sqlite3'

type Keyed = { key: string; count: number }

/** The dashboard's alert and incident figures: these live in SQLite, not in the archive. */
export const alertFigures = (
  db: Database,
  from: number,
  to: number,
  top: number,
): {
  top_rules: Array<Keyed & { title: string }>
  alerts_by_level: Keyed[]
  incidents_by_status: Keyed[]
  tactics: Keyed[]
} => {
  const range = { from, to, top }
  const topRules = db
    .prepare(
      `SELECT coalesce(rule_id, title) AS key, max(title) AS title, sum(count) AS count FROM alerts
       WHERE ts >= @from AND ts < @to GROUP BY 1 ORDER BY count DESC, key LIMIT @top`,
    )
    .all(range) as Array<Keyed & { title: string }>
  const byLevel = db
    .prepare(
      `SELECT level AS key, count(*) AS count FROM alerts WHERE status IN ('new', 'acknowledged')
       GROUP BY level ORDER BY count DESC`,
    )
    .all() as Keyed[]
  const incidents = db
    .prepare('SELECT status AS key, count(*) AS count FROM incidents GROUP BY status ORDER BY count DESC')
    .all() as Keyed[]
  const tactics = db
    .prepare(
      `SELECT t.value AS key, count(*) AS count FROM alerts, json_each(alerts.tactics) AS t
       WHERE alerts.ts >= @from AND alerts.ts < @to GROUP BY 1 ORDER BY count DESC, key`,
    )
    .all({ from, to }) as Keyed[]
  return { top_rules: topRules, alerts_by_level: byLevel, incidents_by_status: incidents, tactics }
}

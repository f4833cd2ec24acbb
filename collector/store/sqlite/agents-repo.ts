/** The automation agents' settings, run history and held conditions. Callers hold transactions. */
import type { Database, Statement } from 'better-sqlite3'
import type { AgentRun } from '../../contract'
import type { AgentName, AgentRunResult } from '../../agents/types'

/** Run history kept per agent; older runs are dropped as new ones finish. */
export const RUNS_KEPT = 500

export type AgentSettings = {
  enabled: boolean
  interval_s: number
  options: Record<string, unknown>
}

type RunRow = {
  id: number
  agent: AgentName
  started_at: number
  finished_at: number | null
  duration_ms: number | null
  outcome: AgentRun['outcome']
  summary: string
  output: string
  alerts: number
  actions: number
  trigger: AgentRun['trigger']
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

const toRun = (row: RunRow): AgentRun => ({
  id: row.id,
  agent: row.agent,
  started_at: new Date(row.started_at).toISOString(),
  finished_at: iso(row.finished_at),
  duration_ms: row.duration_ms,
  outcome: row.outcome,
  summary: row.summary,
  output: JSON.parse(row.output) as Record<string, unknown>,
  alerts: row.alerts,
  actions: row.actions,
  trigger: row.trigger,
})

export class AgentsRepo {
  private readonly newest: Statement<[string]>

  constructor(private readonly db: Database) {
    this.newest = db.prepare('SELECT * FROM agent_runs WHERE agent = ? ORDER BY id DESC LIMIT 1')
  }

  /** Stored settings; undefined while the agent runs on its defaults. */
  settings(name: AgentName): AgentSettings | undefined {
    const row = this.db.prepare('SELECT * FROM agent_settings WHERE name = ?').get(name) as
      { enabled: number; interval_s: number; options: string } | undefined
    return (
      row && {
        enabled: row.enabled === 1,
        interval_s: row.interval_s,
        options: JSON.parse(row.options) as Record<string, unknown>,
      }
    )
  }

  saveSettings(name: AgentName, settings: AgentSettings, now = Date.now()): void {
    this.db
      .prepare(
        `INSERT INTO agent_settings (name, enabled, interval_s, options, updated_at)
         VALUES (@name, @enabled, @interval_s, @options, @now)
         ON CONFLICT (name) DO UPDATE SET enabled = excluded.enabled, interval_s = excluded.interval_s,
           options = excluded.options, updated_at = excluded.updated_at`,
      )
      .run({
        name,
        enabled: settings.enabled ? 1 : 0,
        interval_s: settings.interval_s,
        options: JSON.stringify(settings.options),
        now,
      })
  }

  startRun(agent: AgentName, trigger: AgentRun['trigger'], at: number): number {
    return Number(
      this.db
        .prepare('INSERT INTO agent_runs (agent, started_at, trigger) VALUES (?, ?, ?)')
        .run(agent, at, trigger).lastInsertRowid,
    )
  }

  /** Records the result and drops the agent's runs beyond the newest RUNS_KEPT. */
  finishRun(id: number, result: AgentRunResult, finishedAt: number): AgentRun {
    const row = this.db.prepare('SELECT * FROM agent_runs WHERE id = ?').get(id) as RunRow | undefined
    if (!row) throw new Error(`no agent run ${id}`)
    this.db
      .prepare(
        `UPDATE agent_runs SET finished_at = @finishedAt, duration_ms = @duration, outcome = @outcome,
           summary = @summary, output = @output, alerts = @alerts, actions = @actions WHERE id = @id`,
      )
      .run({
        id,
        finishedAt,
        duration: Math.max(0, finishedAt - row.started_at),
        outcome: result.outcome,
        summary: result.summary,
        output: JSON.stringify(result.output),
        alerts: result.alerts,
        actions: result.actions,
      })
    this.db
      .prepare(
        `DELETE FROM agent_runs WHERE agent = @agent AND id <= (
           SELECT id FROM agent_runs WHERE agent = @agent ORDER BY id DESC LIMIT 1 OFFSET @kept)`,
      )
      .run({ agent: row.agent, kept: RUNS_KEPT })
    return this.run(id)!
  }

  run(id: number): AgentRun | undefined {
    const row = this.db.prepare('SELECT * FROM agent_runs WHERE id = ?').get(id) as RunRow | undefined
    return row && toRun(row)
  }

  lastRun(agent: AgentName): AgentRun | undefined {
    const row = this.newest.get(agent) as RunRow | undefined
    return row && toRun(row)
  }

  /** When the newest run started, ms since the epoch: the schedule counts from it. */
  lastStarted(agent: AgentName): number | undefined {
    return (this.newest.get(agent) as RunRow | undefined)?.started_at
  }

  runs(agent: AgentName, limit: number, beforeId?: number): { runs: AgentRun[]; total: number } {
    const rows = this.db
      .prepare('SELECT * FROM agent_runs WHERE agent = @agent AND id < @before ORDER BY id DESC LIMIT @limit')
      .all({ agent, before: beforeId ?? Number.MAX_SAFE_INTEGER, limit }) as RunRow[]
    const { n } = this.db.prepare('SELECT count(*) AS n FROM agent_runs WHERE agent = ?').get(agent) as {
      n: number
    }
    return { runs: rows.map(toRun), total: n }
  }

  /** Runs left unfinished by a stop or a crash are recorded as failed. */
  closeUnfinished(now: number): number {
    return this.db
      .prepare(
        `UPDATE agent_runs SET finished_at = @now, duration_ms = max(0, @now - started_at), outcome = 'failed',
           summary = 'interrupted: Outpost stopped during the run' WHERE finished_at IS NULL`,
      )
      .run({ now }).changes
  }

  /** Conditions the agent raised an alert for that still held at its last run. */
  conditions(agent: AgentName): Set<string> {
    const rows = this.db.prepare('SELECT key FROM agent_conditions WHERE agent = ?').all(agent) as Array<{
      key: string
    }>
    return new Set(rows.map((r) => r.key))
  }

  holdCondition(agent: AgentName, key: string, since: number, alertId: string | null): void {
    this.db
      .prepare('INSERT OR REPLACE INTO agent_conditions (agent, key, since, alert_id) VALUES (?, ?, ?, ?)')
      .run(agent, key, since, alertId)
  }

  clearCondition(agent: AgentName, key: string): void {
    this.db.prepare('DELETE FROM agent_conditions WHERE agent = ? AND key = ?').run(agent, key)
  }
}

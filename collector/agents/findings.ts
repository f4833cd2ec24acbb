import type { Database } from 'better-sqlite3'
import type { Alert, AlertLevel } from '../contract'
import type { AlertsRepo } from '../store/sqlite/alerts-repo'
import type { AgentsRepo } from '../store/sqlite/agents-repo'
import type { AgentName } from './types'

/** Something an agent found that deserves an alert, with the numbers that justify it. */
export type Finding = {
  /** Stable while the condition holds (e.g. `silent:fw-01`): one alert per stretch, not per run. */
  key: string
  /** `outpost-agent-<agent>-<check>`. */
  rule_id: string
  title: string
  level: AlertLevel
  host: string | null
  user: string | null
  /** Observed, baseline, threshold…: shown with the alert (its `group` fields). */
  details: Record<string, string | number | null>
  tags?: string[]
}

/** Takes an agent's findings of one run; returns how many alerts were raised (new conditions). */
export type FindingSink = (agent: AgentName, findings: readonly Finding[], now: number) => number

const text = (value: string | number | null): string | null =>
  value === null ? null : typeof value === 'number' ? String(Math.round(value * 100) / 100) : value

/**
 * Raises an alert for each finding whose condition is new, and forgets conditions that no longer
 * hold, in one transaction: a silent source is one alert while it stays silent, and a new one if
 * it goes silent again after it came back.
 */
export const findingSink =
  (deps: {
    db: Database
    alerts: AlertsRepo
    agents: AgentsRepo
    raised: (alerts: Alert[]) => void
  }): FindingSink =>
  (agent, findings, now) => {
    const ids = deps.db.transaction(() => {
      const held = deps.agents.conditions(agent)
      const current = new Set(findings.map((f) => f.key))
      for (const key of held) if (!current.has(key)) deps.agents.clearCondition(agent, key)
      const raised: string[] = []
      for (const finding of findings) {
        if (held.has(finding.key)) continue
        held.add(finding.key)
        const { id } = deps.alerts.raise(
          {
            origin: 'agent',
            rule_id: finding.rule_id,
            rule_key: null,
            title: finding.title,
            level: finding.level,
            tags: finding.tags ?? [],
            techniques: [],
            tactics: [],
            author: `Outpost ${agent} agent`,
            license: null,
            host: finding.host,
            user: finding.user,
            ts: now,
            event_ids: [],
            group: Object.fromEntries(Object.entries(finding.details).map(([k, v]) => [k, text(v)])),
            dedup_key: `${finding.rule_id}:${finding.key}`,
          },
          0,
          null,
          now,
        )
        deps.agents.holdCondition(agent, finding.key, now, id)
        raised.push(id)
      }
      return raised
    })()
    if (ids.length > 0)
      deps.raised(
        ids
          .map((id) => deps.alerts.get(id))
          .filter((a) => a !== undefined)
          .sort((a, b) => b.seq - a.seq),
      )
    return ids.length
  }

import type { AlertDraft } from '../store/sqlite/events-repo'

/**
 * Wazuh alerts (alerts.json lines, or what its integrations POST) arrive on any JSON path: HTTP,
 * HEC, _bulk, forward, import. They are already detections, so they become alerts directly,
 * mapped to ECS, alongside the stored event.
 */
type WazuhRule = {
  id?: unknown
  level: number
  description: string
  groups?: unknown
  mitre?: { id?: unknown; tactic?: unknown; technique?: unknown }
}
export type WazuhAlertJson = {
  rule: WazuhRule
  agent?: { id?: unknown; name?: unknown; ip?: unknown }
  manager?: { name?: unknown }
  decoder?: { name?: unknown }
  timestamp?: unknown
  id?: unknown
  full_log?: unknown
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** A Wazuh alert at the top level, or wrapped as `{ "alert": {...} }` by some integrations. */
export const detectWazuh = (raw: Record<string, unknown>): WazuhAlertJson | null => {
  const candidate = isObject(raw.alert) && isObject(raw.alert.rule) ? raw.alert : raw
  const rule = candidate.rule
  if (!isObject(rule) || typeof rule.level !== 'number' || typeof rule.description !== 'string') return null
  // A rule with a level is not enough (other tools have `rule`): Wazuh alerts name their agent,
  // manager or decoder.
  if (!isObject(candidate.agent) && !isObject(candidate.manager) && !isObject(candidate.decoder)) return null
  return candidate as WazuhAlertJson
}

const strings = (value: unknown): string[] =>
  Array.isArray(value)
    ? value.filter((v): v is string => typeof v === 'string')
    : typeof value === 'string'
      ? [value]
      : []

/** Wazuh writes rule ids as strings ("5763"); accept numbers too. */
const ruleId = (alert: WazuhAlertJson): string | null =>
  typeof alert.rule.id === 'string'
    ? alert.rule.id
    : typeof alert.rule.id === 'number'
      ? String(alert.rule.id)
      : null

/** Wazuh levels 0-15 (its rules classification) -> Sigma-style alert levels. */
export const wazuhLevel = (level: number): AlertDraft['level'] =>
  level >= 13
    ? 'critical'
    : level >= 10
      ? 'high'
      : level >= 7
        ? 'medium'
        : level >= 4
          ? 'low'
          : 'informational'

/** The ECS view of a Wazuh alert: added to the stored event beside the original fields. */
export const wazuhEcs = (alert: WazuhAlertJson): Record<string, unknown> => {
  const ecs: Record<string, unknown> = {
    'event.kind': 'alert',
    'event.module': 'wazuh',
    'event.severity': alert.rule.level,
    'rule.id': ruleId(alert),
    'rule.name': alert.rule.description,
    'rule.ruleset': 'wazuh',
    tags: strings(alert.rule.groups),
  }
  if (typeof alert.agent?.name === 'string') ecs['host.name'] = alert.agent.name
  if (typeof alert.agent?.ip === 'string') ecs['host.ip'] = alert.agent.ip
  if (typeof alert.manager?.name === 'string') ecs['observer.name'] = alert.manager.name
  const techniques = strings(alert.rule.mitre?.id)
  if (techniques.length) ecs['threat.technique.id'] = techniques
  const tactics = strings(alert.rule.mitre?.tactic)
  if (tactics.length) ecs['threat.tactic.name'] = tactics
  if (typeof alert.full_log === 'string') ecs['event.original'] = alert.full_log
  return ecs
}

export const wazuhAlertDraft = (alert: WazuhAlertJson, ts: number): AlertDraft => {
  const techniques = strings(alert.rule.mitre?.id)
  return {
    origin: 'wazuh',
    rule_id: ruleId(alert) === null ? null : `wazuh:${ruleId(alert)}`,
    title: alert.rule.description,
    level: wazuhLevel(alert.rule.level),
    ts,
    // ATT&CK ids as Sigma tags spell them, so issue 4's alerts and these read the same.
    tags: [...strings(alert.rule.groups), ...techniques.map((t) => `attack.${t.toLowerCase()}`)],
    techniques,
    host: typeof alert.agent?.name === 'string' ? alert.agent.name : null,
  }
}

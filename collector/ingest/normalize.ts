import { newEventId } from './event-id'
import { detectWazuh, wazuhAlertDraft, wazuhEcs, wazuhLevel } from './wazuh'
import type { NewEvent } from '../store/sqlite/events-repo'

export type ReceiveContext = { listener: string; source: string | null; receivedAt: number }

const get = (obj: Record<string, unknown>, path: string): unknown => {
  if (path in obj) return obj[path] // flat dotted keys, as many forwarders send them
  let cur: unknown = obj
  for (const part of path.split('.')) {
    if (typeof cur !== 'object' || cur === null) return undefined
    cur = (cur as Record<string, unknown>)[part]
  }
  return cur
}

const firstString = (obj: Record<string, unknown>, paths: readonly string[]): string | null => {
  for (const path of paths) {
    const value = get(obj, path)
    if (typeof value === 'string' && value.length > 0) return value
    if (typeof value === 'number') return String(value)
  }
  return null
}

/** Epoch seconds or milliseconds, or an ISO/RFC date string; anything else is not a time. */
export const parseTime = (value: unknown): number | null => {
  if (typeof value === 'number' && Number.isFinite(value))
    return value > 1e11 ? Math.round(value) : Math.round(value * 1000)
  if (typeof value !== 'string' || value.length === 0) return null
  if (/^\d+(\.\d+)?$/.test(value)) return parseTime(Number(value))
  const ms = Date.parse(value)
  return Number.isNaN(ms) ? null : ms
}

const TIME_FIELDS = [
  '@timestamp',
  'timestamp',
  'time',
  'TimeCreated',
  'TimeCreated.SystemTime',
  'UtcTime',
  'date',
] as const
const HOST_FIELDS = ['host.name', 'host.hostname', 'hostname', 'host', 'Computer', 'computer_name'] as const
const MESSAGE_FIELDS = ['message', 'msg', 'Message', 'short_message', 'event.original'] as const
const SEVERITY_FIELDS = ['log.level', 'severity', 'level', 'event.severity', 'Level'] as const
const ID_FIELDS = ['event.id'] as const

/**
 * One JSON object from a forwarder -> the canonical stored event; the original is kept whole.
 * `text` is the object's JSON as received, when the caller has it (stored as is, not re-serialized).
 */
export const normalizeJson = (raw: Record<string, unknown>, ctx: ReceiveContext, text?: string): NewEvent => {
  let ts: number | null = null
  for (const path of TIME_FIELDS) {
    ts = parseTime(get(raw, path))
    if (ts !== null) break
  }
  const wazuh = detectWazuh(raw)
  if (wazuh) {
    const when = ts ?? parseTime(wazuh.timestamp) ?? ctx.receivedAt
    const ecs = wazuhEcs(wazuh)
    // Wazuh's own alert id makes a re-sent alerts.json line a duplicate, stored once.
    const wazuhId = typeof wazuh.id === 'string' && wazuh.id ? `wazuh:${wazuh.id}` : null
    return {
      id: firstString(raw, ID_FIELDS) ?? wazuhId ?? newEventId(ctx.receivedAt),
      ts: when,
      received_at: ctx.receivedAt,
      listener: ctx.listener,
      source: ctx.source,
      host: (ecs['host.name'] as string | undefined) ?? firstString(raw, HOST_FIELDS),
      severity: wazuhLevel(wazuh.rule.level),
      message: firstString(raw, MESSAGE_FIELDS) ?? wazuh.rule.description,
      fields: JSON.stringify({ ...raw, ...ecs }),
      alert: wazuhAlertDraft(wazuh, when),
    }
  }
  return {
    id: firstString(raw, ID_FIELDS) ?? newEventId(ctx.receivedAt),
    ts: ts ?? ctx.receivedAt,
    received_at: ctx.receivedAt,
    listener: ctx.listener,
    source: ctx.source,
    host: firstString(raw, HOST_FIELDS),
    severity: firstString(raw, SEVERITY_FIELDS),
    message: firstString(raw, MESSAGE_FIELDS),
    fields: text ?? JSON.stringify(raw),
    // Parsed from `text` itself, so it is what JSON.parse(fields) would give: the live engine
    // evaluates it without parsing again. (Without text, raw may hold what JSON cannot.)
    ...(text === undefined ? {} : { record: raw }),
  }
}

/**
 * The record a rule sees for a stored event. Sigma rules name Windows' own fields (Image,
 * CommandLine, EventID, Channel), so shapes that wrap them are flattened first: evtx_dump JSON
 * (Event.System / Event.EventData) and Winlogbeat's ECS documents (winlog.event_data.*); raw
 * auditd and access-log lines are split into fields. Other events are evaluated as sent.
 */
import { flattenEvtxDump, isEvtxDumpEvent } from '../ingest/import/win-event'
import { parseAccessLog } from './access-log'
import { createAuditdAssembler, parseAuditd } from './auditd'
import type { EventRecord } from './sigma/compile'
import { applyAliases, type FieldAlias } from './sigma/field-aliases'

type Obj = Record<string, unknown>
const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** Winlogbeat: winlog.{channel,event_id,computer_name,provider_name,event_data,user_data}. */
const flattenWinlog = (fields: Obj, winlog: Obj): EventRecord => {
  const out: EventRecord = { ...fields }
  for (const part of [winlog.user_data, winlog.event_data]) if (isObj(part)) Object.assign(out, part)
  if (winlog.channel !== undefined) out.Channel = winlog.channel
  if (winlog.event_id !== undefined) out.EventID = Number(winlog.event_id)
  if (winlog.computer_name !== undefined) out.Computer = winlog.computer_name
  if (winlog.provider_name !== undefined) out.Provider_Name = winlog.provider_name
  return out
}

/** The record before field aliases: flattened Windows shapes, parsed access-log lines. */
const baseRecord = (fields: Obj): EventRecord => {
  if (isEvtxDumpEvent(fields)) return flattenEvtxDump(fields)
  if (isObj(fields.winlog) && (fields.winlog.channel !== undefined || isObj(fields.winlog.event_data)))
    return flattenWinlog(fields, fields.winlog)
  const message = fields.message
  if (typeof message !== 'string' || fields.type !== undefined || fields['cs-method'] !== undefined)
    return fields
  // Cheap tests first: an auditd line starts with type=, an access-log line has a quoted request.
  const parsed = message.startsWith('type=')
    ? parseAuditd(message)
    : message.includes('] "')
      ? parseAccessLog(message)
      : null
  return parsed ? { ...fields, ...parsed } : fields
}

/**
 * What rules see for a stored event's fields. `aliases` (resources/sigma/fields.yaml) adds the
 * Sigma names some sources lack, e.g. Image for Security 4688's NewProcessName.
 */
export const detectionRecord = (fields: Obj, aliases: readonly FieldAlias[] = []): EventRecord =>
  aliases.length === 0 ? baseRecord(fields) : applyAliases(aliases, baseRecord(fields))

/**
 * detectionRecord for a stream of events in order, with what needs several of them: auditd's
 * records of one process start joined into a process_creation event (see auditd.ts). One view
 * per stream (the live engine, one hunt, one rule test).
 */
export const createRecordView = (aliases: readonly FieldAlias[]): ((fields: Obj) => EventRecord) => {
  const assemble = createAuditdAssembler()
  return (fields) => {
    const record = baseRecord(fields)
    const joined = record.type === 'EXECVE' || record.type === 'SYSCALL' ? assemble(record) : record
    return aliases.length === 0 ? joined : applyAliases(aliases, joined)
  }
}

const USER_FIELDS = [
  'User',
  'TargetUserName',
  'SubjectUserName',
  'AccountName',
  'user',
  'user.name',
  'username',
]

/** The account an event is about, as alerts and incidents group by it. */
export const eventUser = (record: EventRecord): string | null => {
  for (const field of USER_FIELDS) {
    const value = field.includes('.') ? (record[field] ?? dig(record, field)) : record[field]
    if (typeof value === 'string' && value !== '' && value !== '-') return value
  }
  return null
}

const dig = (record: EventRecord, path: string): unknown => {
  let node: unknown = record
  for (const key of path.split('.')) {
    if (!isObj(node)) return undefined
    node = node[key]
  }
  return node
}

/**
 * The machine an event is about. A Windows event names it (Computer), and that wins over the
 * stored host column, which for forwarded events (Windows Event Collector, a relay) is the
 * forwarder's; otherwise the stored host, then the record's own host fields.
 */
export const eventHost = (record: EventRecord, stored: string | null): string | null => {
  const computer = record.Computer
  if (typeof computer === 'string' && computer !== '') return computer
  if (stored) return stored
  for (const field of ['host', 'hostname']) {
    const value = record[field]
    if (typeof value === 'string' && value !== '') return value
  }
  return null
}

const TACTICS = new Set([
  'reconnaissance',
  'resource_development',
  'initial_access',
  'execution',
  'persistence',
  'privilege_escalation',
  'defense_evasion',
  'credential_access',
  'discovery',
  'lateral_movement',
  'collection',
  'command_and_control',
  'exfiltration',
  'impact',
])

/** ATT&CK technique ids (T1059.001) and tactics (execution) from a rule's attack.* tags. */
export const attackFromTags = (tags: readonly string[]): { techniques: string[]; tactics: string[] } => {
  const techniques: string[] = []
  const tactics: string[] = []
  for (const tag of tags) {
    const lower = tag.toLowerCase()
    if (!lower.startsWith('attack.')) continue
    const rest = lower.slice('attack.'.length)
    if (/^t\d{4}(\.\d{3})?$/.test(rest)) techniques.push(rest.toUpperCase())
    else if (TACTICS.has(rest.replaceAll('-', '_'))) tactics.push(rest.replaceAll('-', '_'))
  }
  return { techniques: [...new Set(techniques)], tactics: [...new Set(tactics)] }
}

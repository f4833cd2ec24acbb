import { eventHost, eventUser } from '../detect/record'
import type { EventRecord } from '../detect/sigma/compile'

/** The columns extracted at archive time (DuckDB migration 3), from the record rules see. */
export type HotFields = {
  host: string | null
  kind: string | null
  event_code: string | null
  channel: string | null
  user_name: string | null
  process: string | null
  parent_process: string | null
  command_line: string | null
  src_ip: string | null
  dst_ip: string | null
  dst_port: number | null
}

const text = (record: EventRecord, ...names: string[]): string | null => {
  for (const name of names) {
    const value = record[name] ?? dig(record, name)
    if (typeof value === 'string' && value !== '' && value !== '-') return value
    if (typeof value === 'number' && Number.isFinite(value)) return String(value)
  }
  return null
}

const dig = (record: EventRecord, path: string): unknown => {
  if (!path.includes('.')) return undefined
  let node: unknown = record
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null || Array.isArray(node)) return undefined
    node = (node as Record<string, unknown>)[key]
  }
  return node
}

/** Sysmon event ids -> what happened. */
const SYSMON_KIND: Record<string, string> = {
  '1': 'process',
  '3': 'network',
  '5': 'process',
  '7': 'image_load',
  '8': 'process',
  '10': 'process_access',
  '11': 'file',
  '12': 'registry',
  '13': 'registry',
  '14': 'registry',
  '15': 'file',
  '22': 'dns',
  '23': 'file',
  '26': 'file',
}
/** Windows Security event ids -> what happened. */
const SECURITY_KIND: Record<string, string> = {
  '4624': 'logon',
  '4625': 'logon',
  '4634': 'logon',
  '4647': 'logon',
  '4648': 'logon',
  '4672': 'logon',
  '4688': 'process',
  '4689': 'process',
  '4720': 'account',
  '4722': 'account',
  '4723': 'account',
  '4724': 'account',
  '4725': 'account',
  '4726': 'account',
  '4728': 'account',
  '4732': 'account',
  '4756': 'account',
  '4768': 'auth',
  '4769': 'auth',
  '4771': 'auth',
  '4776': 'auth',
  '5140': 'file',
  '5145': 'file',
  '5156': 'network',
  '7045': 'service',
  '4697': 'service',
  '1102': 'audit_log',
}

const kindOf = (record: EventRecord, code: string | null, channel: string | null): string | null => {
  const category = text(record, 'event.category', 'kind')
  if (category) return category.toLowerCase()
  if (code && channel) {
    if (/sysmon/i.test(channel)) return SYSMON_KIND[code] ?? null
    if (/^(security|system)$/i.test(channel)) return SECURITY_KIND[code] ?? null
    if (/powershell/i.test(channel)) return 'script'
  }
  const type = typeof record.type === 'string' ? record.type : null
  if (type === 'EXECVE' || type === 'SYSCALL') return record.Image ? 'process' : 'syscall'
  if (type === 'USER_LOGIN' || type === 'USER_AUTH' || type === 'USER_START') return 'logon'
  if (record['cs-method'] !== undefined || record['c-uri'] !== undefined) return 'web'
  if (record.Image !== undefined && record.CommandLine !== undefined) return 'process'
  if (record.dst_ip !== undefined || record.DestinationIp !== undefined) return 'network'
  return null
}

const port = (value: string | null): number | null => {
  if (value === null || !/^\d{1,5}$/.test(value)) return null
  const n = Number(value)
  return n <= 65535 ? n : null
}

/** What hunts filter on, from one event's detection record (Sysmon, Security, Winlogbeat, auditd, ECS). */
export const hotFields = (record: EventRecord, storedHost: string | null): HotFields => {
  const code = text(record, 'EventID', 'event.code', 'event_id')
  const channel = text(record, 'Channel', 'log.file.path')
  return {
    host: eventHost(record, storedHost),
    kind: kindOf(record, code, channel),
    event_code: code,
    channel,
    user_name: eventUser(record),
    process: text(record, 'Image', 'process.executable', 'exe', 'NewProcessName'),
    parent_process: text(record, 'ParentImage', 'process.parent.executable', 'ParentProcessName'),
    command_line: text(record, 'CommandLine', 'process.command_line', 'cmdline'),
    src_ip: text(record, 'SourceIp', 'src_ip', 'source.ip', 'IpAddress', 'addr'),
    dst_ip: text(record, 'DestinationIp', 'dst_ip', 'destination.ip'),
    dst_port: port(text(record, 'DestinationPort', 'dst_port', 'destination.port')),
  }
}

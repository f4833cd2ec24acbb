/**
 * The entities one stored event names, and how they relate: the inventory is built from these.
 * Pure and table-driven: each role (the event's machine, an address of its own, a peer's address,
 * the acting account, the program, its parent, a service) has one list of field names, first
 * found wins (for addresses, every listed field counts).
 *
 * Choices, so the graph says what the events say and no more:
 * - host: the record's own machine (Windows `Computer`, OTRF's `Hostname` beside a `Channel`),
 *   else eventHost (the stored host column, then Computer/host/hostname). The stored column can
 *   be a forwarder (a WEC, a syslog relay): a Windows record's own Computer is the machine.
 *   `WorkstationName` (a logon's source machine) is a host too, tied to the account by `logon`.
 * - ip: validated with net.isIP, IPv4-mapped IPv6 folded to IPv4, IPv6 lowercased and
 *   compressed, zone ids dropped. Loopback, unspecified, multicast and broadcast addresses name
 *   no asset. An address is the host's own (`address`) when the source says it is the local end:
 *   host.ip, s-ip, Sysmon 3's local end (see sysmonLocalIp), the
 *   Windows Filtering Platform's SourceAddress (5156-5159: always the local end). Any other
 *   address (logon sources, clients, peers, firewall source/destination) is `connected`.
 * - user: eventUser, as alerts and incidents name accounts (CORP\bob and bob stay two accounts).
 *   Well-known accounts (SYSTEM, LOCAL SERVICE, machine accounts) are kept: they run things too.
 *   The host and the account are linked by `logon` (the account acted there); a logon source
 *   address (IpAddress, ClientAddress, c-ip, client.ip) and the account by `logon` too.
 * - process: the program's path (Image, NewProcessName, process.executable, exe, ProcessName),
 *   its parent (ParentImage, ParentProcessName, process.parent.executable). The host and the
 *   account `ran` it; the parent `spawned` it. Keys are lowercased (Windows paths are not case
 *   sensitive; Linux ones rarely differ only by case).
 * - service: ServiceName, service.name; the host has it (`service`).
 */
import { isIP } from 'node:net'
import type { AssetKind, AssetRelation } from '../contract'
import { eventHost, eventUser } from '../detect/record'
import type { EventRecord } from '../detect/sigma/compile'

export type Entity = { kind: AssetKind; key: string; value: string }
/** `from` and `to` index the event's entities; `from` is the source (host -> ip, parent -> child). */
export type EntityLink = { from: number; to: number; relation: AssetRelation }
export type Extracted = { entities: Entity[]; links: EntityLink[] }

/** The machine's own name, where the record carries it (preferred over the stored host column). */
const OWN_HOST_FIELDS = ['Computer', 'computer_name']
/** A logon's source machine. */
const SOURCE_HOST_FIELDS = ['WorkstationName']
/** Addresses that are always the host's own. */
const OWN_IP_FIELDS = ['host.ip', 's-ip']
/** Addresses of a logon's source: peers, and tied to the account by `logon`. */
const LOGON_IP_FIELDS = ['IpAddress', 'ClientAddress', 'c-ip', 'client.ip']
/** Other peers' addresses (for a network device, both ends of what it saw). */
const PEER_IP_FIELDS = [
  'src_ip',
  'dst_ip',
  'src',
  'dst',
  'source.ip',
  'destination.ip',
  'SourceAddress',
  'DestAddress',
  'DestinationAddress',
  'SourceIp',
  'DestinationIp',
]
/** Placeholders some sources write where a program's path would be (Sysmon's `<unknown process>`). */
const isPlaceholder = (value: string): boolean => value.startsWith('<') && value.endsWith('>')
const PROCESS_FIELDS = ['Image', 'NewProcessName', 'process.executable', 'exe', 'ProcessName']
const PARENT_FIELDS = ['ParentImage', 'ParentProcessName', 'process.parent.executable']
const SERVICE_FIELDS = ['ServiceName', 'service.name']

/** Windows Filtering Platform connection events: SourceAddress is the local end, whatever the direction. */
const WFP_EVENTS = new Set([5031, 5150, 5151, 5152, 5154, 5155, 5156, 5157, 5158, 5159])

type Obj = Record<string, unknown>
const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** A field by name: flat (dotted keys as sent), else nested (ECS objects). */
const field = (record: EventRecord, name: string): unknown => {
  const flat = record[name]
  if (flat !== undefined || !name.includes('.')) return flat
  let node: unknown = record
  for (const part of name.split('.')) {
    if (!isObj(node)) return undefined
    node = node[part]
  }
  return node
}

const text = (value: unknown): string | null => {
  if (typeof value !== 'string') return null
  const trimmed = value.trim()
  return trimmed === '' || trimmed === '-' ? null : trimmed
}

const firstText = (record: EventRecord, names: readonly string[]): string | null => {
  for (const name of names) {
    const value = text(field(record, name))
    if (value !== null) return value
  }
  return null
}

/** Strings (or lists of them, as ECS host.ip) under `name`. */
const texts = (record: EventRecord, name: string): string[] => {
  const value = field(record, name)
  if (Array.isArray(value)) return value.map(text).filter((v) => v !== null)
  const one = text(value)
  return one === null ? [] : [one]
}

/**
 * An address as the inventory keys it, or null when it is none or names no asset (loopback,
 * unspecified, multicast, broadcast).
 */
export const canonicalIp = (raw: string): string | null => {
  let value = raw.trim()
  if (value.startsWith('[') && value.endsWith(']')) value = value.slice(1, -1)
  const zone = value.indexOf('%')
  if (zone > 0) value = value.slice(0, zone)
  const family = isIP(value)
  if (family === 0) return null
  if (family === 6) {
    let v6: string
    try {
      v6 = new URL(`http://[${value}]/`).hostname.slice(1, -1)
    } catch {
      return null
    }
    const mapped =
      /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v6) ?? /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6)
    if (mapped) {
      const v4 =
        mapped.length === 2
          ? mapped[1]!
          : [mapped[1]!, mapped[2]!]
              .map((h) => parseInt(h, 16))
              .flatMap((n) => [n >> 8, n & 255])
              .join('.')
      return canonicalIp(v4)
    }
    if (v6 === '::' || v6 === '::1' || v6.startsWith('ff')) return null
    return v6
  }
  const octets = value.split('.').map(Number)
  const first = octets[0]!
  if (first === 0 || first === 127 || (first >= 224 && first <= 239) || value === '255.255.255.255')
    return null
  return value
}

/** The key an asset is found by: IPs canonical, the rest lowercase. Null when `value` names none. */
export const assetKey = (kind: AssetKind, value: string): string | null => {
  if (kind === 'ip') return canonicalIp(value)
  const trimmed = value.trim()
  return trimmed === '' ? null : trimmed.toLowerCase()
}

const bool = (value: unknown): boolean | null =>
  value === true || value === 'true' ? true : value === false || value === 'false' ? false : null

/**
 * Sysmon 3's own end: SourceIp when this host initiated the connection. Inbound (Initiated
 * false), Sysmon writes the listening side under either name (seen in the OTRF recordings: dns.exe
 * answering on 53 as SourceIp, SMB on 445 as DestinationIp); the listening port is the lower one.
 */
const sysmonLocalIp = (record: EventRecord, initiated: boolean): unknown => {
  if (initiated) return record.SourceIp
  const source = Number(record.SourcePort)
  const destination = Number(record.DestinationPort)
  return source < destination ? record.SourceIp : record.DestinationIp
}

/** The entities and links of one record (the record view of a stored event) and its host column. */
export const extractAssets = (record: EventRecord, storedHost: string | null): Extracted => {
  const entities: Entity[] = []
  const links: EntityLink[] = []
  const index = new Map<string, number>()
  const add = (kind: AssetKind, value: string | null): number => {
    if (value === null) return -1
    const key = assetKey(kind, value)
    if (key === null) return -1
    const id = `${kind}:${key}`
    const found = index.get(id)
    if (found !== undefined) return found
    index.set(id, entities.length)
    entities.push({ kind, key, value: kind === 'ip' ? key : value })
    return entities.length - 1
  }
  const link = (from: number, to: number, relation: AssetRelation): void => {
    if (from < 0 || to < 0 || from === to) return
    if (links.some((l) => l.from === from && l.to === to && l.relation === relation)) return
    links.push({ from, to, relation })
  }

  const channelHost = typeof record.Channel === 'string' ? text(record.Hostname) : null
  const host = add('host', firstText(record, OWN_HOST_FIELDS) ?? channelHost ?? eventHost(record, storedHost))
  const user = add('user', eventUser(record))
  link(host, user, 'logon')

  const sourceHost = add('host', firstText(record, SOURCE_HOST_FIELDS))
  link(sourceHost, user, 'logon')

  // Addresses: own, then logon sources, then peers (an address listed twice keeps its first role).
  const seenIp = new Set<number>()
  const own = (ip: number): void => {
    if (ip < 0 || seenIp.has(ip)) return
    seenIp.add(ip)
    link(host, ip, 'address')
  }
  const peer = (ip: number, logon: boolean): void => {
    if (ip < 0) return
    if (logon) link(ip, user, 'logon')
    if (seenIp.has(ip)) return
    seenIp.add(ip)
    link(host, ip, 'connected')
  }
  for (const name of OWN_IP_FIELDS) for (const value of texts(record, name)) own(add('ip', value))
  const initiated = bool(record.Initiated)
  if (initiated !== null && record.SourceIp !== undefined)
    own(add('ip', text(sysmonLocalIp(record, initiated))))
  if (WFP_EVENTS.has(Number(record.EventID)) && record.DestAddress !== undefined)
    own(add('ip', text(record.SourceAddress)))
  for (const name of LOGON_IP_FIELDS) for (const value of texts(record, name)) peer(add('ip', value), true)
  for (const name of PEER_IP_FIELDS) for (const value of texts(record, name)) peer(add('ip', value), false)

  const processValue = firstText(record, PROCESS_FIELDS)
  const process = add('process', processValue !== null && isPlaceholder(processValue) ? null : processValue)
  link(host, process, 'ran')
  link(user, process, 'ran')
  const parent = add('process', firstText(record, PARENT_FIELDS))
  if (parent >= 0 && process >= 0) {
    link(host, parent, 'ran')
    link(parent, process, 'spawned')
  }

  link(host, add('service', firstText(record, SERVICE_FIELDS)), 'service')
  return { entities, links }
}

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
import type { AssetKind, AssetRelation } from '../contract'
import { eventHost, eventUser } from '../detect/record'
import type { EventRecord } from '../detect/sigma/compile'
import { assetKey } from '../store/sqlite/asset-key'

export type Entity = { kind: AssetKind; key: string; value: string }
/** `from` and `to` index the event's entities; `from` is the source (host -> ip, parent -> child). */
export type EntityLink = { from: number; to: number; relation: AssetRelation }
export type Extracted = { entities: Entity[]; links: EntityLink[] }

/** A field name, with its path split once when dotted (ECS objects may nest it). */
type Field = { name: string; path: readonly string[] | null }
const fields = (names: readonly string[]): Field[] =>
  names.map((name) => ({ name, path: name.includes('.') ? name.split('.') : null }))

/** The machine's own name, where the record carries it (preferred over the stored host column). */
const OWN_HOST_FIELDS = fields(['Computer', 'computer_name'])
/** A logon's source machine. */
const SOURCE_HOST_FIELDS = fields(['WorkstationName'])
/** Addresses that are always the host's own. */
const OWN_IP_FIELDS = fields(['host.ip', 's-ip'])
/** Addresses of a logon's source: peers, and tied to the account by `logon`. */
const LOGON_IP_FIELDS = fields(['IpAddress', 'ClientAddress', 'c-ip', 'client.ip'])
/** Other peers' addresses (for a network device, both ends of what it saw). */
const PEER_IP_FIELDS = fields([
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
])
/** Placeholders some sources write where a program's path would be (Sysmon's `<unknown process>`). */
const isPlaceholder = (value: string): boolean => value.startsWith('<') && value.endsWith('>')
const PROCESS_FIELDS = fields(['Image', 'NewProcessName', 'process.executable', 'exe', 'ProcessName'])
const PARENT_FIELDS = fields(['ParentImage', 'ParentProcessName', 'process.parent.executable'])
const SERVICE_FIELDS = fields(['ServiceName', 'service.name'])

/** Every field the inventory reads addresses from (IOC matching checks the same ones). */
export const ADDRESS_FIELD_NAMES: readonly string[] = [
  ...OWN_IP_FIELDS,
  ...LOGON_IP_FIELDS,
  ...PEER_IP_FIELDS,
].map((f) => f.name)
/** Every field the inventory reads a program's path from, its parent's included. */
export const PROGRAM_FIELD_NAMES: readonly string[] = [...PROCESS_FIELDS, ...PARENT_FIELDS].map((f) => f.name)

/** Windows Filtering Platform connection events: SourceAddress is the local end, whatever the direction. */
const WFP_EVENTS = new Set([5031, 5150, 5151, 5152, 5154, 5155, 5156, 5157, 5158, 5159])

type Obj = Record<string, unknown>
const isObj = (value: unknown): value is Obj =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** A field: flat (dotted keys as sent), else nested. */
const field = (record: EventRecord, { name, path }: Field): unknown => {
  const flat = record[name]
  if (flat !== undefined || path === null) return flat
  let node: unknown = record
  for (const part of path) {
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

const firstText = (record: EventRecord, names: readonly Field[]): string | null => {
  for (const name of names) {
    const value = text(field(record, name))
    if (value !== null) return value
  }
  return null
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
/** One event's entities and links as they are found; methods, not closures, as it runs per event. */
class Found {
  readonly entities: Entity[] = []
  readonly links: EntityLink[] = []
  /** Addresses already given a role in this event: the first role found stands. */
  private readonly placed = new Set<number>()
  host = -1
  user = -1

  /** The entity's index, added if new; -1 when the value names none. */
  add(kind: AssetKind, value: string | null): number {
    if (value === null) return -1
    const key = assetKey(kind, value)
    if (key === null) return -1
    const { entities } = this
    for (let i = 0; i < entities.length; i++) {
      const e = entities[i]!
      if (e.kind === kind && e.key === key) return i
    }
    entities.push({ kind, key, value: kind === 'ip' ? key : value })
    return entities.length - 1
  }

  link(from: number, to: number, relation: AssetRelation): void {
    if (from < 0 || to < 0 || from === to) return
    for (const l of this.links) if (l.from === from && l.to === to && l.relation === relation) return
    this.links.push({ from, to, relation })
  }

  own(value: string | null): void {
    const ip = this.add('ip', value)
    if (ip < 0 || this.placed.has(ip)) return
    this.placed.add(ip)
    this.link(this.host, ip, 'address')
  }

  peer(value: string | null, logon: boolean): void {
    const ip = this.add('ip', value)
    if (ip < 0) return
    if (logon) this.link(ip, this.user, 'logon')
    if (this.placed.has(ip)) return
    this.placed.add(ip)
    this.link(this.host, ip, 'connected')
  }

  /** Every address under `names` (strings or lists of them), as own or peer addresses. */
  addresses(record: EventRecord, names: readonly Field[], role: 'own' | 'logon' | 'peer'): void {
    for (const name of names) {
      const value = field(record, name)
      if (value === undefined) continue
      if (Array.isArray(value)) for (const item of value) this.address(text(item), role)
      else this.address(text(value), role)
    }
  }

  private address(value: string | null, role: 'own' | 'logon' | 'peer'): void {
    if (value === null) return
    if (role === 'own') this.own(value)
    else this.peer(value, role === 'logon')
  }
}

/** The entities and links of one record (the record view of a stored event) and its host column. */
export const extractAssets = (record: EventRecord, storedHost: string | null): Extracted => {
  const found = new Found()
  const channelHost = typeof record.Channel === 'string' ? text(record.Hostname) : null
  const host = (found.host = found.add(
    'host',
    firstText(record, OWN_HOST_FIELDS) ?? channelHost ?? eventHost(record, storedHost),
  ))
  const user = (found.user = found.add('user', eventUser(record)))
  found.link(host, user, 'logon')
  found.link(found.add('host', firstText(record, SOURCE_HOST_FIELDS)), user, 'logon')

  // Addresses: own, then logon sources, then peers.
  found.addresses(record, OWN_IP_FIELDS, 'own')
  const initiated = bool(record.Initiated)
  if (initiated !== null && record.SourceIp !== undefined) found.own(text(sysmonLocalIp(record, initiated)))
  if (record.DestAddress !== undefined && WFP_EVENTS.has(Number(record.EventID)))
    found.own(text(record.SourceAddress))
  found.addresses(record, LOGON_IP_FIELDS, 'logon')
  found.addresses(record, PEER_IP_FIELDS, 'peer')

  const processValue = firstText(record, PROCESS_FIELDS)
  const process = found.add(
    'process',
    processValue !== null && isPlaceholder(processValue) ? null : processValue,
  )
  found.link(host, process, 'ran')
  found.link(user, process, 'ran')
  const parent = found.add('process', firstText(record, PARENT_FIELDS))
  if (parent >= 0 && process >= 0) {
    found.link(host, parent, 'ran')
    found.link(parent, process, 'spawned')
  }

  found.link(host, found.add('service', firstText(record, SERVICE_FIELDS)), 'service')
  return { entities: found.entities, links: found.links }
}

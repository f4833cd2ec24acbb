/**
 * The watchlist held in memory as hash sets, one per kind of value, and the matching of one event
 * against it (the fields read are in fields.ts). Values are compared canonical on both sides:
 * addresses by canonicalIp (IPv6 compressed and lowercased, IPv4-mapped folded to IPv4), domains
 * lowercased without a trailing dot, URLs as WHATWG `href` without the fragment, hashes and
 * e-mail addresses lowercased, file names lowercased (Windows names are not case sensitive).
 *
 * Choices:
 * - A domain indicator matches the name and, with `matchSubdomains` (detection.ioc.match_subdomains,
 *   on by default), every name under it: evil.example matches cdn.evil.example. Feeds list the
 *   registered domain and attackers rotate the labels below it.
 * - A CIDR indicator (or a TAXII ipv4/ipv6 value with a prefix) matches every address inside.
 * - Loopback, unspecified and multicast addresses never match (canonicalIp names no machine there).
 * - An indicator counts from its valid_from (inclusive, compared with the time of matching: once
 *   it has come, the indicator matches every event, older ones too, as a retro-hunt would; feeds
 *   set it when they publish, not when the infrastructure turned hostile) until its valid_until
 *   (exclusive, compared with the event's own time: a log that arrives late still matches what
 *   was listed when it happened). Expired indicators are held too (late logs), and shown as such.
 */
import type { AlertLevel } from '../../contract'
import { assetKey, canonicalIp } from '../../store/sqlite/asset-key'
import type { EventRecord } from '../sigma/compile'
import { IOC_FIELDS, TEXT_BYTES, TEXT_URLS, type FieldKind } from './fields'

/** One row of the watchlist view (migrations 0023, 0026, 0029). */
export type WatchlistRow = {
  list: string
  type: string
  value: string
  source: string | null
  valid_from: string | null
  valid_until: string | null
  level: AlertLevel | null
}

export type IocType = 'ip' | 'cidr' | 'domain' | 'url' | 'md5' | 'sha1' | 'sha256' | 'email' | 'filename'

export type IocIndicator = {
  list: string
  type: IocType
  /** Canonical, as compared. */
  value: string
  /** Who vouches for it: a TAXII source's name, or the list's own source column. */
  source: string | null
  stix_id: string | null
  level: AlertLevel | null
  /** ms since the epoch; -Infinity: from the start. */
  validFrom: number
  /** ms since the epoch; Infinity: no expiry. */
  validUntil: number
  /** The row it came from, as the watchlist view names it (list, type, value): its hit counts' key. */
  key: string
}

/** The key of a watchlist view row (watchlist_hits). */
export const rowKey = (list: string, type: string, value: string): string =>
  `${list}\u0000${type}\u0000${value}`

export type IocHit = {
  /** The indicators of that value still valid (one per list holding it), the first one leading. */
  indicators: IocIndicator[]
  /** The event field it was found in, and what the field said. */
  field: string
  matched: string
}

type Entries = Map<string, IocIndicator[]>
type Prefix = { words: number; bits: number }
type Slot = { map: Entries; key: string; type: IocType; value: string; prefix: Prefix | null }

export const canonicalDomain = (raw: string): string | null => {
  const value = raw.trim().toLowerCase().replace(/\.$/, '')
  return value === '' || value === '-' || /\s/.test(value) ? null : value
}

export const canonicalUrl = (raw: string): string | null => {
  try {
    const url = new URL(raw.trim())
    url.hash = ''
    return url.href
  } catch {
    return null
  }
}

const HEX: Record<'md5' | 'sha1' | 'sha256', number> = { md5: 32, sha1: 40, sha256: 64 }

/** 32 bits per group: IPv4 one, IPv6 four; null when not an address. */
const ipWords = (ip: string): number[] | null => {
  if (!ip.includes(':')) {
    const parts = ip.split('.').map(Number)
    return parts.length === 4
      ? [((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0]
      : null
  }
  const [head = '', tail = ''] = ip.split('::')
  const a = head === '' ? [] : head.split(':')
  const b = ip.includes('::') ? (tail === '' ? [] : tail.split(':')) : []
  const groups = [...a, ...Array<string>(8 - a.length - b.length).fill('0'), ...b].map((g) => parseInt(g, 16))
  if (groups.length !== 8 || groups.some((g) => Number.isNaN(g))) return null
  return [0, 2, 4, 6].map((i) => ((groups[i]! << 16) | groups[i + 1]!) >>> 0)
}

/** The network key of an address under a prefix length: family, length and the masked words. */
const networkKey = (words: readonly number[], bits: number): string => {
  const out: number[] = []
  for (let i = 0; i < words.length; i++) {
    const keep = Math.max(0, Math.min(32, bits - i * 32))
    out.push(keep === 0 ? 0 : keep === 32 ? words[i]! : (words[i]! & (~0 << (32 - keep))) >>> 0)
  }
  return `${words.length}/${bits}/${out.join('.')}`
}

const isObj = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** A field: flat (dotted keys as sent), else nested (ECS objects). */
const read = (record: EventRecord, name: string, path: readonly string[] | null): unknown => {
  const flat = record[name]
  if (flat !== undefined || path === null) return flat
  let node: unknown = record
  for (const part of path) {
    if (!isObj(node)) return undefined
    node = node[part]
  }
  return node
}

const URL_IN_TEXT = /\b(?:https?|ftp):\/\/[^\s'"<>`|^{}\\]+/gi

export type IocIndexOptions = { matchSubdomains: boolean }

export class IocIndex {
  private readonly ips: Entries = new Map()
  /** Network key -> indicators; and the prefix lengths in use per family (words: 1 or 4). */
  private readonly networks: Entries = new Map()
  private readonly prefixes = new Map<number, number[]>()
  private readonly domains: Entries = new Map()
  private readonly urls: Entries = new Map()
  private readonly hashes: Entries = new Map()
  private readonly emails: Entries = new Map()
  private readonly filenames: Entries = new Map()
  /** How many networks use each prefix length (interned per family and length). */
  private readonly prefixCounts = new Map<Prefix, number>()
  private readonly prefixKeys = new Map<string, Prefix>()
  /** Field kinds worth reading at all with what is held. */
  private fields: Array<{ kind: FieldKind; name: string; path: readonly string[] | null }> = []

  constructor(rows: Iterable<WatchlistRow>, options: IocIndexOptions) {
    this.matchSubdomains = options.matchSubdomains
    this.hold(rows)
    this.refreshFields()
  }

  /** Indicators held. */
  size = 0
  /** Values left out (no indicator of their type), per list. */
  private readonly rejectedBy = new Map<string, number>()

  get rejected(): number {
    let n = 0
    for (const count of this.rejectedBy.values()) n += count
    return n
  }

  private hold(rows: Iterable<WatchlistRow>): void {
    for (const row of rows)
      if (this.upsert(row) === null) this.rejectedBy.set(row.list, (this.rejectedBy.get(row.list) ?? 0) + 1)
  }

  /**
   * Replaces what one list holds with `rows` (that list's pull or install), the other lists
   * untouched: the cost of a walk over the held values and of that list's rows, not of reading
   * back the whole watchlist.
   */
  replaceList(list: string, rows: Iterable<WatchlistRow>): void {
    const maps = [this.ips, this.networks, this.domains, this.urls, this.hashes, this.emails, this.filenames]
    for (const map of maps)
      for (const [key, entries] of map) {
        const at = entries.findIndex((i) => i.list === list)
        if (at < 0) continue
        entries.splice(at, 1)
        if (entries.length === 0) map.delete(key)
        this.size--
        if (map === this.networks) {
          const [words = '', bits = ''] = key.split('/')
          this.dropPrefix(this.prefix(Number(words), Number(bits)))
        }
      }
    this.rejectedBy.delete(list)
    this.hold(rows)
    this.refreshFields()
  }

  private dropPrefix(prefix: Prefix): void {
    const left = (this.prefixCounts.get(prefix) ?? 1) - 1
    if (left > 0) return void this.prefixCounts.set(prefix, left)
    this.prefixCounts.delete(prefix)
    this.prefixes.set(
      prefix.words,
      (this.prefixes.get(prefix.words) ?? []).filter((b) => b !== prefix.bits),
    )
  }

  /** The field kinds worth reading with what is held (after a load, or an edit of one). */
  private refreshFields(): void {
    const wanted = new Set<FieldKind>()
    if (this.ips.size > 0 || this.networks.size > 0) wanted.add('address').add('dns-reply')
    if (this.domains.size > 0) wanted.add('domain')
    if (this.urls.size > 0 || this.domains.size > 0 || this.ips.size > 0 || this.networks.size > 0)
      wanted.add('url').add('text')
    if (this.hashes.size > 0) wanted.add('hashes').add('md5').add('sha1').add('sha256')
    if (this.emails.size > 0) wanted.add('email')
    if (this.filenames.size > 0) wanted.add('path')
    this.fields = IOC_FIELDS.filter(([kind]) => wanted.has(kind)).flatMap(([kind, names]) =>
      names.map((name) => ({ kind, name, path: name.includes('.') ? name.split('.') : null })),
    )
  }

  /**
   * Holds one row, replacing what its list held for that value (an edit: level, validity): 'added',
   * 'replaced', or null when the value is no indicator of its type. Incremental: one analyst's edit
   * costs this, not a reload. `edit` refreshes the fields read (a load does it once at the end).
   */
  upsert(row: WatchlistRow, edit = false): 'added' | 'replaced' | null {
    const from = row.valid_from === null ? -Infinity : Date.parse(row.valid_from)
    const until = row.valid_until === null ? Infinity : Date.parse(row.valid_until)
    // This console's own TAXII source (taxii:<name>), or the team core's, pulled (taxii/<name>):
    // the source's name vouches, the row's source is the STIX id.
    const taxii = row.list.startsWith('taxii:') || row.list.startsWith('taxii/')
    const slot = this.locate(row.type, row.value)
    if (slot === null) return null
    const indicator: IocIndicator = {
      list: row.list,
      type: slot.type,
      value: slot.value,
      source: taxii ? row.list.slice('taxii:'.length) : row.source,
      stix_id: taxii ? row.source : null,
      level: row.level,
      validFrom: Number.isNaN(from) ? -Infinity : from,
      validUntil: Number.isNaN(until) ? Infinity : until,
      key: rowKey(row.list, row.type, row.value),
    }
    const entries = slot.map.get(slot.key)
    const at = entries?.findIndex((i) => i.list === row.list) ?? -1
    if (entries && at >= 0) {
      // Two TAXII indicators (STIX ids) of one value: it counts while either does.
      if (!edit) {
        const held = entries[at]!
        held.validFrom = Math.min(held.validFrom, indicator.validFrom)
        held.validUntil = Math.max(held.validUntil, indicator.validUntil)
        return 'replaced'
      }
      entries[at] = indicator
      return 'replaced'
    }
    if (entries) entries.push(indicator)
    else slot.map.set(slot.key, [indicator])
    if (slot.prefix) this.prefixCounts.set(slot.prefix, (this.prefixCounts.get(slot.prefix) ?? 0) + 1)
    if (slot.prefix && !(this.prefixes.get(slot.prefix.words) ?? []).includes(slot.prefix.bits))
      this.prefixes.set(slot.prefix.words, [
        ...(this.prefixes.get(slot.prefix.words) ?? []),
        slot.prefix.bits,
      ])
    this.size++
    if (edit) this.refreshFields()
    return 'added'
  }

  /** Drops what `list` holds for that value (an analyst's removal); whether it held it. */
  remove(list: string, type: string, value: string): boolean {
    return this.take(list, type, value) !== null
  }

  /** Removes one list's indicator and returns it (its key counts its hits), or null. */
  take(list: string, type: string, value: string): IocIndicator | null {
    const slot = this.locate(type, value)
    const entries = slot && slot.map.get(slot.key)
    const at = entries?.findIndex((i) => i.list === list) ?? -1
    if (!slot || !entries || at < 0) return null
    const [taken] = entries.splice(at, 1)
    if (entries.length === 0) slot.map.delete(slot.key)
    if (slot.prefix) this.dropPrefix(slot.prefix)
    this.size--
    this.refreshFields()
    return taken!
  }

  private readonly matchSubdomains: boolean

  private prefix(words: number, bits: number): Prefix {
    const id = `${words}/${bits}`
    let prefix = this.prefixKeys.get(id)
    if (!prefix) this.prefixKeys.set(id, (prefix = { words, bits }))
    return prefix
  }

  /** Where a value of a type is held, canonical; null when it is no indicator of that type. */
  private locate(type: string, raw: string): Slot | null {
    const value = raw.trim()
    const slot = (map: Entries, key: string, t: IocType): Slot => ({
      map,
      key,
      type: t,
      value: key,
      prefix: null,
    })
    switch (type) {
      case 'ip':
      case 'ipv4':
      case 'ipv6':
      case 'cidr': {
        const [address = '', bits, ...rest] = value.split('/')
        const ip = canonicalIp(address)
        if (ip === null || rest.length > 0) return null
        if (bits === undefined) return slot(this.ips, ip, 'ip')
        const words = ipWords(ip)
        const length = Number(bits)
        if (!words || !/^\d+$/.test(bits) || length > words.length * 32) return null
        return {
          map: this.networks,
          key: networkKey(words, length),
          type: 'cidr',
          value: `${ip}/${length}`,
          prefix: this.prefix(words.length, length),
        }
      }
      case 'domain': {
        const domain = canonicalDomain(value)
        return domain === null ? null : slot(this.domains, domain, type)
      }
      case 'url': {
        const url = canonicalUrl(value)
        return url === null ? null : slot(this.urls, url, type)
      }
      case 'md5':
      case 'sha1':
      case 'sha256': {
        const hex = value.toLowerCase()
        return hex.length !== HEX[type] || !/^[0-9a-f]+$/.test(hex) ? null : slot(this.hashes, hex, type)
      }
      case 'email': {
        const email = value.toLowerCase()
        return email.includes('@') ? slot(this.emails, email, type) : null
      }
      case 'filename': {
        const name = value.toLowerCase()
        return name === '' ? null : slot(this.filenames, name, type)
      }
      default:
        return null
    }
  }

  /** One match at a time (the engine's thread): its hits, the values already hit, the event's time. */
  private hits: IocHit[] = []
  private seen: Set<string> | null = null
  private at = 0
  private now = 0

  /**
   * The indicators one event names, once per indicator value (the first field found wins): not
   * expired at `at`, the event's time (ms), and valid from `now` (ms) on. Empty at once when the
   * watchlist is.
   */
  match(record: EventRecord, at: number, now = Date.now()): IocHit[] {
    if (this.size === 0) return []
    const hits: IocHit[] = (this.hits = [])
    this.seen = null
    this.at = at
    this.now = now
    for (const { kind, name, path } of this.fields) {
      const value = read(record, name, path)
      if (value === undefined || value === null) continue
      if (Array.isArray(value)) for (const item of value as unknown[]) this.item(kind, name, item)
      else this.item(kind, name, value)
    }
    this.hits = []
    return hits
  }

  private item(kind: FieldKind, name: string, item: unknown): void {
    if (typeof item !== 'string' || item === '' || item === '-') return
    switch (kind) {
      case 'address':
        this.address(item, name)
        break
      case 'dns-reply':
        for (const part of item.split(';'))
          if (part !== '' && !part.startsWith('type:')) this.address(part, name)
        break
      case 'domain':
        this.domain(item, name)
        break
      case 'url':
        this.url(item, name)
        break
      case 'text': {
        const text = item.length > TEXT_BYTES ? item.slice(0, TEXT_BYTES) : item
        if (!text.includes('://')) break
        let n = 0
        for (const m of text.matchAll(URL_IN_TEXT)) {
          this.url(m[0].replace(/[.,;:)\]]+$/, ''), name)
          if (++n >= TEXT_URLS) break
        }
        break
      }
      case 'hashes':
        // Sysmon: SHA1=…,MD5=…,SHA256=…,IMPHASH=… (IMPHASH is no file hash: not read).
        for (const pair of item.split(',')) {
          const eq = pair.indexOf('=')
          if (eq < 0) continue
          const algorithm = pair.slice(0, eq).trim().toLowerCase().replace('-', '')
          if (algorithm === 'md5' || algorithm === 'sha1' || algorithm === 'sha256')
            this.hash(pair.slice(eq + 1), name, algorithm)
        }
        break
      case 'md5':
      case 'sha1':
      case 'sha256':
        this.hash(item, name, kind)
        break
      case 'email': {
        if (!item.includes('@')) break
        const email = item.trim().toLowerCase()
        this.found(this.emails.get(email), email, name, item)
        break
      }
      case 'path': {
        const base = item
          .slice(Math.max(item.lastIndexOf('\\'), item.lastIndexOf('/')) + 1)
          .trim()
          .toLowerCase()
        if (base !== '') this.found(this.filenames.get(base), base, name, item)
        break
      }
    }
  }

  private found(entries: IocIndicator[] | undefined, key: string, field: string, matched: string): void {
    if (!entries) return
    const { at, now } = this
    const valid = entries.filter((i) => i.validFrom <= now && i.validUntil > at)
    if (valid.length === 0) return
    this.seen ??= new Set()
    const id = `${valid[0]!.type}|${key}`
    if (this.seen.has(id)) return
    this.seen.add(id)
    this.hits.push({ indicators: valid, field, matched })
  }

  private address(raw: string, field: string): void {
    // Events repeat the same few addresses: assetKey keeps the canonical forms (bounded cache).
    const ip = assetKey('ip', raw)
    if (ip === null) return
    this.found(this.ips.get(ip), ip, field, raw)
    if (this.networks.size === 0) return
    const words = ipWords(ip)
    if (!words) return
    for (const bits of this.prefixes.get(words.length) ?? []) {
      const key = networkKey(words, bits)
      this.found(this.networks.get(key), key, field, raw)
    }
  }

  private domain(raw: string, field: string): void {
    const name = canonicalDomain(raw)
    if (name === null) return
    if (/^[\d.]+$/.test(name) || name.includes(':') || name.startsWith('[')) return this.address(name, field)
    if (this.domains.size === 0) return
    let at = name
    for (;;) {
      this.found(this.domains.get(at), at, field, raw)
      if (!this.matchSubdomains) return
      const dot = at.indexOf('.')
      if (dot < 0 || dot === at.length - 1) return
      at = at.slice(dot + 1)
      if (!at.includes('.')) return // a bare TLD is no indicator
    }
  }

  private url(raw: string, field: string): void {
    const href = canonicalUrl(raw)
    if (href === null) return
    this.found(this.urls.get(href), href, field, raw)
    const { hostname } = new URL(href)
    if (hostname !== '') this.domain(hostname, field)
  }

  private hash(raw: string, field: string, algorithm: 'md5' | 'sha1' | 'sha256'): void {
    const hex = raw.trim().toLowerCase()
    if (hex.length === HEX[algorithm]) this.found(this.hashes.get(hex), hex, field, raw)
  }
}

/** IOC watchlists: parsed from CSV or JSON, each indicator checked, every problem located. */
import { isIP } from 'node:net'
import { z } from 'zod'
import { AlertLevel } from '../../contract'

export const INDICATOR_TYPES = [
  'ip',
  'cidr',
  'domain',
  'url',
  'md5',
  'sha1',
  'sha256',
  'email',
  'filename',
] as const
export type IndicatorType = (typeof INDICATOR_TYPES)[number]

export type Indicator = {
  type: IndicatorType
  value: string
  source: string | null
  valid_until: string | null
  /** The alert level a match raises (absent: detection.ioc.default_level). */
  level?: AlertLevel
}

const ALIASES: Record<string, IndicatorType> = {
  ipv4: 'ip',
  ipv6: 'ip',
  'domain-name': 'domain',
  hostname: 'domain',
}
const HEX = (n: number) => new RegExp(`^[0-9a-f]{${n}}$`)
const DOMAIN = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/

/** The indicator normalised, or why it is not one. */
const check = (type: IndicatorType, raw: string): string | { value: string } => {
  const value = raw.trim()
  switch (type) {
    case 'ip':
      return isIP(value) ? { value: value.toLowerCase() } : `"${value}" is not an IPv4 or IPv6 address`
    case 'cidr': {
      const [addr, bits, ...rest] = value.split('/')
      const family = isIP(addr ?? '')
      const max = family === 4 ? 32 : 128
      return family && rest.length === 0 && /^\d+$/.test(bits ?? '') && Number(bits) <= max
        ? { value: value.toLowerCase() }
        : `"${value}" is not a CIDR range like 10.0.0.0/8`
    }
    case 'domain':
      return DOMAIN.test(value.toLowerCase())
        ? { value: value.toLowerCase() }
        : `"${value}" is not a domain name`
    case 'url':
      try {
        return { value: new URL(value).href }
      } catch {
        return `"${value}" is not an absolute URL`
      }
    case 'md5':
    case 'sha1':
    case 'sha256': {
      const n = { md5: 32, sha1: 40, sha256: 64 }[type]
      return HEX(n).test(value.toLowerCase())
        ? { value: value.toLowerCase() }
        : `"${value}" is not ${n} hex digits (${type})`
    }
    case 'email':
      return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)
        ? { value: value.toLowerCase() }
        : `"${value}" is not an e-mail address`
    case 'filename':
      return value && !/[\\/]/.test(value) ? { value } : `"${value}" is not a file name (no slashes)`
  }
}

const Row = z.object({
  type: z.string(),
  value: z.string(),
  source: z.string().nullish(),
  valid_until: z.string().nullish(),
  level: z.string().nullish(),
})

export class WatchlistError extends Error {}

export const toIndicator = (row: z.infer<typeof Row>, where: string): Indicator => {
  const lower = row.type.trim().toLowerCase()
  const type = (ALIASES[lower] ?? lower) as IndicatorType
  if (!INDICATOR_TYPES.includes(type))
    throw new WatchlistError(
      `${where}: unknown indicator type "${row.type}" (use ${INDICATOR_TYPES.join(', ')})`,
    )
  const checked = check(type, row.value)
  if (typeof checked === 'string') throw new WatchlistError(`${where}: ${checked}`)
  const until = row.valid_until?.trim() || null
  if (until !== null && Number.isNaN(Date.parse(until)))
    throw new WatchlistError(`${where}: valid_until "${until}" is not an ISO-8601 date`)
  const level = row.level?.trim().toLowerCase() || null
  if (level !== null && !AlertLevel.safeParse(level).success)
    throw new WatchlistError(
      `${where}: level "${row.level}" is not one of ${AlertLevel.options.join(', ')} (or leave it empty)`,
    )
  return {
    type,
    value: checked.value,
    source: row.source?.trim() || null,
    valid_until: until === null ? null : new Date(until).toISOString(),
    ...(level === null ? {} : { level: level as AlertLevel }),
  }
}

const splitCsvLine = (line: string): string[] => {
  const cells: string[] = []
  let cell = ''
  let quoted = false
  for (let i = 0; i < line.length; i++) {
    const c = line[i]!
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        cell += '"'
        i++
      } else if (c === '"') quoted = false
      else cell += c
    } else if (c === '"') quoted = true
    else if (c === ',') {
      cells.push(cell)
      cell = ''
    } else cell += c
  }
  cells.push(cell)
  return cells
}

/**
 * A watchlist file: CSV with a header naming at least `type` and `value` (also `source`,
 * `valid_until`, `level`), or JSON (an array of such objects, or `{ "indicators": [...] }`).
 */
export const parseWatchlist = (text: string, file: string): Indicator[] => {
  const trimmed = text.trim()
  const seen = new Set<string>()
  const out: Indicator[] = []
  const push = (indicator: Indicator): void => {
    const key = `${indicator.type}\u0000${indicator.value}`
    if (seen.has(key)) return
    seen.add(key)
    out.push(indicator)
  }
  if (trimmed.startsWith('[') || trimmed.startsWith('{')) {
    let json: unknown
    try {
      json = JSON.parse(trimmed)
    } catch (error) {
      throw new WatchlistError(`${file}: not JSON: ${(error as Error).message}`)
    }
    const list = Array.isArray(json) ? json : (json as { indicators?: unknown }).indicators
    if (!Array.isArray(list))
      throw new WatchlistError(`${file}: expected an array of indicators or {"indicators": [...]}`)
    list.forEach((item, i) => {
      const row = Row.safeParse(item)
      if (!row.success)
        throw new WatchlistError(`${file}: indicator ${i + 1}: needs string "type" and "value" fields`)
      push(toIndicator(row.data, `${file}: indicator ${i + 1}`))
    })
  } else {
    const lines = trimmed.split(/\r?\n/)
    const header = splitCsvLine(lines[0] ?? '').map((h) => h.trim().toLowerCase())
    const col = (name: string) => header.indexOf(name)
    if (col('type') < 0 || col('value') < 0)
      throw new WatchlistError(
        `${file}: line 1: the CSV header must name the columns type and value (got ${header.join(',')})`,
      )
    lines.slice(1).forEach((line, i) => {
      if (!line.trim() || line.trimStart().startsWith('#')) return
      const cells = splitCsvLine(line)
      const at = (name: string) => (col(name) >= 0 ? cells[col(name)] : undefined)
      push(
        toIndicator(
          {
            type: at('type') ?? '',
            value: at('value') ?? '',
            source: at('source'),
            valid_until: at('valid_until'),
            level: at('level'),
          },
          `${file}: line ${i + 2}`,
        ),
      )
    })
  }
  if (out.length === 0) throw new WatchlistError(`${file}: no indicators`)
  return out
}

/**
 * The checks an IOC watchlist indicator passes before it is stored, pure so the renderer shows the
 * same message beside the field the core would refuse (collector/sync/bundle/watchlist.ts uses
 * them for files, bundles, pulls and watchlist:add).
 */
import { AlertLevel } from './detection'

/** The analyst's own list (watchlist:add / remove); every other list is replaced whole from its origin. */
export const ANALYST_LIST_NAME = 'analyst'

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

const ALIASES: Record<string, IndicatorType> = {
  ipv4: 'ip',
  ipv6: 'ip',
  'domain-name': 'domain',
  hostname: 'domain',
}

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]\d|\d)){3}$/

/** 4 or 6 as node's isIP says it (IPv6 through the WHATWG URL parser, so the browser agrees). */
export const ipFamily = (value: string): 0 | 4 | 6 => {
  if (IPV4.test(value)) return 4
  if (!value.includes(':') || /[^0-9a-fA-F:.]/.test(value)) return 0
  try {
    new URL(`http://[${value}]/`)
    return 6
  } catch {
    return 0
  }
}

const HEX_DIGITS = { md5: 32, sha1: 40, sha256: 64 } as const
const DOMAIN = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/

/** The type named (aliases folded: ipv4, ipv6, domain-name, hostname), or null. */
export const indicatorType = (raw: string): IndicatorType | null => {
  const lower = raw.trim().toLowerCase()
  const type = ALIASES[lower] ?? lower
  return (INDICATOR_TYPES as readonly string[]).includes(type) ? (type as IndicatorType) : null
}

/** The value normalised as stored, or why it is no indicator of that type. */
export const checkIndicatorValue = (type: IndicatorType, raw: string): string | { value: string } => {
  const value = raw.trim()
  switch (type) {
    case 'ip':
      return ipFamily(value) ? { value: value.toLowerCase() } : `"${value}" is not an IPv4 or IPv6 address`
    case 'cidr': {
      const [addr, bits, ...rest] = value.split('/')
      const family = ipFamily(addr ?? '')
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
      const n = HEX_DIGITS[type]
      return new RegExp(`^[0-9a-f]{${n}}$`).test(value.toLowerCase())
        ? { value: value.toLowerCase() }
        : `"${value}" is not ${n} hex digits (${type}; it has ${value.length} characters)`
    }
    case 'email':
      return /^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(value)
        ? { value: value.toLowerCase() }
        : `"${value}" is not an e-mail address`
    case 'filename':
      return value && !/[\\/]/.test(value) ? { value } : `"${value}" is not a file name (no slashes)`
  }
}

export type IndicatorInput = {
  type: string
  value: string
  source?: string | null | undefined
  valid_from?: string | null | undefined
  valid_until?: string | null | undefined
  level?: string | null | undefined
}

export type CheckedIndicator = {
  type: IndicatorType
  value: string
  source: string | null
  valid_from: string | null
  valid_until: string | null
  level: AlertLevel | null
}

export type IndicatorField = 'type' | 'value' | 'valid_from' | 'valid_until' | 'level'

/**
 * One indicator checked field by field: normalised, or every problem by the field it is about
 * (valid_from must come before valid_until).
 */
export const checkIndicator = (
  row: IndicatorInput,
):
  | { ok: true; indicator: CheckedIndicator }
  | { ok: false; errors: Partial<Record<IndicatorField, string>> } => {
  const errors: Partial<Record<IndicatorField, string>> = {}
  const type = indicatorType(row.type)
  let value = ''
  if (type === null) errors.type = `unknown indicator type "${row.type}" (use ${INDICATOR_TYPES.join(', ')})`
  else {
    const checked = checkIndicatorValue(type, row.value)
    if (typeof checked === 'string') errors.value = checked
    else value = checked.value
  }
  const date = (field: 'valid_from' | 'valid_until'): string | null => {
    const text = row[field]?.trim() || null
    if (text === null) return null
    if (Number.isNaN(Date.parse(text))) {
      errors[field] = `${field} "${text}" is not an ISO-8601 date (like 2026-12-31 or 2026-12-31T12:00:00Z)`
      return null
    }
    return new Date(text).toISOString()
  }
  const validFrom = date('valid_from')
  const validUntil = date('valid_until')
  if (validFrom !== null && validUntil !== null && validFrom >= validUntil)
    errors.valid_until = `valid_until (${validUntil}) must be after valid_from (${validFrom})`
  const level = row.level?.trim().toLowerCase() || null
  if (level !== null && !AlertLevel.safeParse(level).success)
    errors.level = `level "${row.level}" is not one of ${AlertLevel.options.join(', ')} (or leave it empty)`
  if (type === null || Object.keys(errors).length > 0) return { ok: false, errors }
  return {
    ok: true,
    indicator: {
      type,
      value,
      source: row.source?.trim() || null,
      valid_from: validFrom,
      valid_until: validUntil,
      level: level as AlertLevel | null,
    },
  }
}

import { isDigit } from './shared'

/** Timestamp pieces shared by the RFC 5424 and BSD syslog readers. */
export type TimeParts = {
  year: number
  month: number
  day: number
  hour: number
  minute: number
  second: number
  /** Fraction digits as sent, without the dot ('' when absent). */
  fraction: string
  /** null when the text carries no zone. */
  offsetMinutes: number | null
}

export type Rfc3339Scan = { end: number; parts: TimeParts } | { at: number; reason: string }

export const isLeapYear = (year: number): boolean => (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0

export const daysInMonth = (year: number, month: number): number =>
  month === 2
    ? isLeapYear(year)
      ? 29
      : 28
    : month === 4 || month === 6 || month === 9 || month === 11
      ? 30
      : 31

/** Two digits at `at` as a number, or -1. */
export const twoDigits = (text: string, at: number): number => {
  const a = text.charCodeAt(at)
  const b = text.charCodeAt(at + 1)
  return isDigit(a) && isDigit(b) ? (a - 0x30) * 10 + b - 0x30 : -1
}

export const fourDigits = (text: string, at: number): number => {
  const hi = twoDigits(text, at)
  const lo = twoDigits(text, at + 2)
  return hi < 0 || lo < 0 ? -1 : hi * 100 + lo
}

/** hh:mm:ss at `at`; the error names the part that is wrong. */
export const scanClock = (
  text: string,
  at: number,
): { hour: number; minute: number; second: number } | { at: number; reason: string } => {
  const hour = twoDigits(text, at)
  if (hour < 0 || hour > 23) return { at, reason: 'hour must be 00-23' }
  if (text.charCodeAt(at + 2) !== 0x3a) return { at: at + 2, reason: "expected ':' after hour" }
  const minute = twoDigits(text, at + 3)
  if (minute < 0 || minute > 59) return { at: at + 3, reason: 'minute must be 00-59' }
  if (text.charCodeAt(at + 5) !== 0x3a) return { at: at + 5, reason: "expected ':' after minute" }
  const second = twoDigits(text, at + 6)
  // RFC 5424 6.2.3: leap seconds MUST NOT be used, so 60 is refused too.
  if (second < 0 || second > 59) return { at: at + 6, reason: 'second must be 00-59' }
  return { hour, minute, second }
}

/**
 * RFC 3339 as RFC 5424 narrows it (upper-case T and Z, at most 6 fraction digits, a zone), or,
 * when `strict` is false, as devices send it in BSD syslog (t/z, 9 digits, zone optional).
 */
export const scanRfc3339 = (text: string, start: number, strict: boolean): Rfc3339Scan => {
  const year = fourDigits(text, start)
  if (year < 0) return { at: start, reason: 'expected a 4-digit year in TIMESTAMP' }
  let k = start + 4
  if (text.charCodeAt(k) !== 0x2d) return { at: k, reason: "expected '-' after year in TIMESTAMP" }
  const month = twoDigits(text, k + 1)
  if (month < 1 || month > 12) return { at: k + 1, reason: 'month must be 01-12 in TIMESTAMP' }
  k += 3
  if (text.charCodeAt(k) !== 0x2d) return { at: k, reason: "expected '-' after month in TIMESTAMP" }
  const day = twoDigits(text, k + 1)
  if (day < 1 || day > 31) return { at: k + 1, reason: 'day must be 01-31 in TIMESTAMP' }
  if (day > daysInMonth(year, month))
    return { at: k + 1, reason: `${text.slice(start, k + 3)} is not a valid date` }
  k += 3
  const t = text.charCodeAt(k)
  if (t !== 0x54 && (strict || t !== 0x74)) return { at: k, reason: "expected 'T' between date and time" }
  const clock = scanClock(text, k + 1)
  if ('reason' in clock) return { at: clock.at, reason: `${clock.reason} in TIMESTAMP` }
  k += 9
  let fraction = ''
  if (text.charCodeAt(k) === 0x2e) {
    const from = k + 1
    let end = from
    while (isDigit(text.charCodeAt(end))) end++
    const max = strict ? 6 : 9
    if (end === from) return { at: from, reason: "expected digits after '.' in TIMESTAMP" }
    if (end - from > max) return { at: from + max, reason: `TIMESTAMP fraction has more than ${max} digits` }
    fraction = text.slice(from, end)
    k = end
  }
  let offsetMinutes: number | null
  const z = text.charCodeAt(k)
  if (z === 0x5a || (!strict && z === 0x7a)) {
    offsetMinutes = 0
    k++
  } else if (z === 0x2b || z === 0x2d) {
    const hours = twoDigits(text, k + 1)
    if (hours < 0 || hours > 23) return { at: k + 1, reason: 'offset hours must be 00-23 in TIMESTAMP' }
    if (text.charCodeAt(k + 3) !== 0x3a) return { at: k + 3, reason: "expected ':' in TIMESTAMP offset" }
    const minutes = twoDigits(text, k + 4)
    if (minutes < 0 || minutes > 59) return { at: k + 4, reason: 'offset minutes must be 00-59 in TIMESTAMP' }
    offsetMinutes = (z === 0x2d ? -1 : 1) * (hours * 60 + minutes)
    k += 6
  } else if (strict) return { at: k, reason: "expected 'Z' or a ±hh:mm offset in TIMESTAMP" }
  else offsetMinutes = null
  return { end: k, parts: { year, month, day, ...clock, fraction, offsetMinutes } }
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n))

export const formatOffset = (minutes: number): string => {
  if (minutes === 0) return 'Z'
  const abs = Math.abs(minutes)
  return `${minutes < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`
}

export const formatIso = (p: TimeParts, offsetMinutes: number): string =>
  `${String(p.year).padStart(4, '0')}-${pad2(p.month)}-${pad2(p.day)}T${pad2(p.hour)}:${pad2(p.minute)}:${pad2(p.second)}` +
  `${p.fraction ? `.${p.fraction}` : ''}${formatOffset(offsetMinutes)}`

const MONTHS: Record<string, number> = {
  jan: 1,
  feb: 2,
  mar: 3,
  apr: 4,
  may: 5,
  jun: 6,
  jul: 7,
  aug: 8,
  sep: 9,
  oct: 10,
  nov: 11,
  dec: 12,
}

/** Month number of a three-letter English abbreviation at `at` (any case), or 0. */
export const monthAt = (text: string, at: number): number => {
  if (at + 3 > text.length) return 0
  return MONTHS[text.slice(at, at + 3).toLowerCase()] ?? 0
}

/**
 * Zone abbreviations Cisco devices print with `show-timezone`. Only unambiguous ones: CST, IST
 * and BST each name several zones, so those fall back to the configured offset like any unknown.
 */
const ZONES: Record<string, number> = {
  UTC: 0,
  UT: 0,
  GMT: 0,
  Z: 0,
  WET: 0,
  WEST: 60,
  CET: 60,
  CEST: 120,
  MET: 60,
  MEST: 120,
  EET: 120,
  EEST: 180,
  MSK: 180,
  EST: -300,
  EDT: -240,
  CDT: -300,
  MST: -420,
  MDT: -360,
  PST: -480,
  PDT: -420,
  AKST: -540,
  AKDT: -480,
  HST: -600,
  JST: 540,
  KST: 540,
  AEST: 600,
  AEDT: 660,
  NZST: 720,
  NZDT: 780,
}

export const zoneOffset = (abbreviation: string): number | null =>
  Object.hasOwn(ZONES, abbreviation) ? ZONES[abbreviation]! : null

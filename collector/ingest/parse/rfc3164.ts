import { blankMessage, fail, isDigit, readPri, withPriority } from './shared'
import {
  daysInMonth,
  formatIso,
  fourDigits,
  monthAt,
  scanClock,
  scanRfc3339,
  twoDigits,
  zoneOffset,
} from './timestamp'
import type { TimeParts } from './timestamp'
import type { ParseOptions, ParseResult, ParsedMessage } from './types'

const LABEL = 'rfc3164'
const SP = 0x20
const DAY_MS = 86_400_000

const isUpper = (c: number): boolean => c >= 0x41 && c <= 0x5a
const isMnemonicChar = (c: number): boolean =>
  isUpper(c) || isDigit(c) || c === 0x5f || c === 0x2d || (c >= 0x61 && c <= 0x7a)

const skipSpaces = (text: string, k: number): number => {
  while (text.charCodeAt(k) === SP) k++
  return k
}

const nextSpace = (text: string, k: number): number => {
  const at = text.indexOf(' ', k)
  return at < 0 ? text.length : at
}

/** The payload of a CEF or LEEF event, which is never a hostname or a tag. */
export const startsPayload = (text: string, k: number): boolean =>
  text.startsWith('CEF:', k) || text.startsWith('LEEF:', k)

/** Cisco `%FACILITY[-SUB]-SEVERITY-MNEMONIC:` at k; returns the index of its ':' or -1. */
const mnemonicEnd = (text: string, k: number): number => {
  if (text.charCodeAt(k) !== 0x25) return -1
  let j = k + 1
  let severityDash = false
  while (j < text.length && isMnemonicChar(text.charCodeAt(j))) {
    if (text.charCodeAt(j) === 0x2d && isDigit(text.charCodeAt(j + 1)) && text.charCodeAt(j + 2) === 0x2d)
      severityDash = j > k + 1
    j++
  }
  return severityDash && text.charCodeAt(j) === 0x3a ? j : -1
}

type Stamp = { end: number; iso: string } | { at: number; reason: string }

/** Year left out by BSD syslog: this year, unless that would put the event over a day in the future. */
const inferYear = (p: TimeParts, offset: number, options: ParseOptions): number => {
  const now = options.now === undefined ? Date.now() : +options.now
  const year = new Date(now + offset * 60_000).getUTCFullYear()
  const candidate = Date.UTC(year, p.month - 1, p.day, p.hour, p.minute, p.second) - offset * 60_000
  return candidate > now + DAY_MS ? year - 1 : year
}

/**
 * `Mmm dd [yyyy] hh:mm:ss[.fff] [ZONE][:]` at k (the month), as BSD, Cisco IOS and ASA print it.
 * The day may be space-padded ("Oct  9") or a single digit.
 */
const scanBsdStamp = (text: string, start: number, options: ParseOptions): Stamp => {
  const month = monthAt(text, start)
  let k = start
  k += 3
  if (text.charCodeAt(k) !== SP) return { at: k, reason: 'expected SP after month' }
  k++
  if (text.charCodeAt(k) === SP) k++
  const dayAt = k
  let day = twoDigits(text, k)
  if (day >= 0) k += 2
  else if (isDigit(text.charCodeAt(k))) day = text.charCodeAt(k++) - 0x30
  if (day < 1 || day > 31) return { at: dayAt, reason: 'day must be 1-31' }
  if (text.charCodeAt(k) !== SP) return { at: k, reason: 'expected SP after day' }
  k++
  let year: number | null = null
  const maybeYear = fourDigits(text, k)
  if (maybeYear >= 0 && text.charCodeAt(k + 4) === SP) {
    year = maybeYear
    k += 5
  }
  const clock = scanClock(text, k)
  if ('reason' in clock) return clock
  k += 8
  let fraction = ''
  if (text.charCodeAt(k) === 0x2e) {
    let j = k + 1
    while (j < text.length && j - k <= 9 && isDigit(text.charCodeAt(j))) j++
    if (j === k + 1 || j - k > 9) return { at: k + 1, reason: "expected 1-9 digits after '.' in time" }
    fraction = text.slice(k + 1, j)
    k = j
  }
  let offset = options.timezoneOffsetMinutes ?? 0
  if (text.charCodeAt(k) === SP) {
    // A zone is taken only when it cannot be a hostname: a known abbreviation before ':', or
    // any upper-case word before ': %MNEMONIC' (Cisco's `show-timezone`).
    let j = k + 1
    while (j - k <= 6 && isUpper(text.charCodeAt(j))) j++
    if (j - k >= 2 && text.charCodeAt(j) === 0x3a) {
      const known = zoneOffset(text.slice(k + 1, j))
      if (known !== null || mnemonicEnd(text, skipSpaces(text, j + 1)) >= 0) {
        if (known !== null) offset = known
        k = j
      }
    }
  }
  if (text.charCodeAt(k) === 0x3a) k++
  const parts: TimeParts = { year: 0, month, day, ...clock, fraction, offsetMinutes: offset }
  parts.year = year ?? inferYear(parts, offset, options)
  if (day > daysInMonth(parts.year, month))
    return {
      at: dayAt,
      reason: `${text.slice(start, start + 3)} ${day} is not a valid date in ${parts.year}${year === null ? ' (inferred year)' : ''}`,
    }
  return { end: k, iso: formatIso(parts, offset) }
}

const isBsdStampAt = (text: string, k: number): boolean =>
  monthAt(text, k) > 0 && text.charCodeAt(k + 3) === SP

/**
 * BSD syslog (RFC 3164) as real devices send it: `<PRI>Mmm dd hh:mm:ss HOST TAG[pid]: msg`, with
 * or without the host, Cisco sequence numbers and mnemonics, ASA years, or an RFC 3339 stamp.
 * Without a PRI it is not syslog: ok:false, and the caller keeps the line raw.
 */
export const parseRfc3164 = (line: string, options: ParseOptions = {}): ParseResult => {
  const pri = readPri(line, LABEL, false)
  if ('ok' in pri) return pri
  const out = blankMessage('rfc3164')
  withPriority(out, pri.value)
  let k = pri.end

  // Cisco IOS: a sequence number "123: " before the stamp.
  if (isDigit(line.charCodeAt(k))) {
    let j = k
    while (j < line.length && j - k < 12 && isDigit(line.charCodeAt(j))) j++
    if (line.charCodeAt(j) === 0x3a && line.charCodeAt(j + 1) === SP) k = skipSpaces(line, j + 1)
  }
  // Cisco: '*' clock never set, '.' clock was unsynchronized.
  const mark = line.charCodeAt(k)
  if ((mark === 0x2a || mark === 0x2e) && isBsdStampAt(line, k + 1)) k++

  let stamped = false
  if (fourDigits(line, k) >= 0 && line.charCodeAt(k + 4) === 0x2d) {
    const time = scanRfc3339(line, k, false)
    if ('reason' in time) return fail(LABEL, line, time.at, time.reason)
    const offset = time.parts.offsetMinutes ?? options.timezoneOffsetMinutes ?? 0
    out.timestamp = formatIso(time.parts, offset)
    k = time.end
    stamped = true
  } else if (isBsdStampAt(line, k)) {
    const time = scanBsdStamp(line, k, options)
    if ('reason' in time) return fail(LABEL, line, time.at, time.reason)
    out.timestamp = time.iso
    k = time.end
    stamped = true
  }
  if (stamped) {
    if (k < line.length && line.charCodeAt(k) !== SP)
      return fail(LABEL, line, k, 'expected SP after TIMESTAMP')
    k = skipSpaces(line, k)
    // HOSTNAME, unless the next word is already the tag ("su:", "sshd[42]:"), a Cisco mnemonic,
    // a CEF/LEEF payload, or the last word of the line.
    const end = nextSpace(line, k)
    if (end < line.length && !startsPayload(line, k) && mnemonicEnd(line, k) < 0) {
      const word = line.slice(k, end)
      if (!word.endsWith(':') && !word.includes('[')) {
        out.hostname = word
        k = skipSpaces(line, end)
        // ASA with a device id: "fw01 : %ASA-6-…"
        if (line.charCodeAt(k) === 0x3a && line.charCodeAt(k + 1) === SP) k = skipSpaces(line, k + 1)
      }
    }
  }
  return readTagAndMessage(line, k, out)
}

const readTagAndMessage = (line: string, k: number, out: ParsedMessage): ParsedMessage => {
  const mnemonic = mnemonicEnd(line, k)
  if (mnemonic >= 0) {
    out.msgid = line.slice(k + 1, mnemonic)
    k = skipSpaces(line, mnemonic + 1)
  } else if (!startsPayload(line, k)) {
    // TAG counts only when it is followed by ':' (then SP or the end) or by '[pid]'.
    let j = k
    while (j < line.length) {
      const c = line.charCodeAt(j)
      if (c === SP || c === 0x3a || c === 0x5b) break
      j++
    }
    const c = line.charCodeAt(j)
    if (j > k && c === 0x5b) {
      const close = line.indexOf(']', j + 1)
      const after = line.charCodeAt(close + 1)
      if (close > j + 1 && (close + 1 === line.length || after === SP || after === 0x3a)) {
        out.appname = line.slice(k, j)
        out.procid = line.slice(j + 1, close)
        k = close + 1
        if (line.charCodeAt(k) === 0x3a) k++
        if (line.charCodeAt(k) === SP) k++
      }
    } else if (j > k && c === 0x3a && (j + 1 === line.length || line.charCodeAt(j + 1) === SP)) {
      out.appname = line.slice(k, j)
      k = j + 1
      if (line.charCodeAt(k) === SP) k++
    }
  }
  out.message = k < line.length ? line.slice(k) : null
  return out
}

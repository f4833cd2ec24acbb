import type { Format, ParseFailure, ParsedMessage } from './types'

export const blankMessage = (format: Format): ParsedMessage => ({
  ok: true,
  format,
  priority: null,
  facility: null,
  severity: null,
  version: null,
  timestamp: null,
  hostname: null,
  appname: null,
  procid: null,
  msgid: null,
  structured_data: null,
  message: null,
})

/** 1-based column in characters (code points), so a non-BMP character before the fault counts once. */
export const columnAt = (text: string, index: number): number => {
  let column = index + 1
  const end = Math.min(index, text.length)
  for (let k = 1; k < end; k++) {
    const c = text.charCodeAt(k)
    if (c >= 0xdc00 && c <= 0xdfff) {
      const prev = text.charCodeAt(k - 1)
      if (prev >= 0xd800 && prev <= 0xdbff) column--
    }
  }
  return column
}

export const fail = (label: string, text: string, index: number, reason: string): ParseFailure => ({
  ok: false,
  error: `${label}: column ${columnAt(text, index)}: ${reason}`,
})

/** Sets a key even when it is "__proto__", which plain assignment would swallow. */
export const put = <T>(record: Record<string, T>, key: string, value: T): void => {
  if (key === '__proto__')
    Object.defineProperty(record, key, { value, enumerable: true, writable: true, configurable: true })
  else record[key] = value
}

export const isDigit = (c: number): boolean => c >= 0x30 && c <= 0x39

/** PRI: '<' 1-3 digits '>' with a value 0-191. RFC 5424 also forbids leading zeros. */
export const readPri = (
  text: string,
  label: string,
  strict: boolean,
): { value: number; end: number } | ParseFailure => {
  if (text.charCodeAt(0) !== 0x3c) return fail(label, text, 0, "expected '<' to start PRI")
  let value = 0
  let k = 1
  while (k < text.length && k <= 4 && isDigit(text.charCodeAt(k))) {
    value = value * 10 + text.charCodeAt(k) - 0x30
    k++
  }
  const digits = k - 1
  if (digits === 0) return fail(label, text, 1, 'expected PRI digits after <')
  if (digits > 3) return fail(label, text, 1, 'PRI has more than 3 digits')
  if (strict && digits > 1 && text.charCodeAt(1) === 0x30)
    return fail(label, text, 1, 'PRI has a leading zero')
  if (value > 191) return fail(label, text, 1, `PRI ${value} is out of range 0-191`)
  if (text.charCodeAt(k) !== 0x3e) return fail(label, text, k, "expected '>' to close PRI")
  return { value, end: k + 1 }
}

export const withPriority = (message: ParsedMessage, pri: number): void => {
  message.priority = pri
  message.facility = pri >> 3
  message.severity = pri & 7
}

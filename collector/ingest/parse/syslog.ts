import { isDigit } from './shared'
import { parseRfc3164 } from './rfc3164'
import { parseRfc5424 } from './rfc5424'
import type { ParseOptions, ParseResult } from './types'

/** `<PRI>` then a VERSION (nonzero digit, at most 3 digits) and SP: RFC 5424; otherwise BSD. */
export const looksLikeRfc5424 = (line: string): boolean => {
  const close = line.indexOf('>', 1)
  if (close < 2 || close > 4) return false
  let k = close + 1
  if (!isDigit(line.charCodeAt(k)) || line.charCodeAt(k) === 0x30) return false
  while (k - close <= 3 && isDigit(line.charCodeAt(k))) k++
  return line.charCodeAt(k) === 0x20
}

export const parseSyslogHeader = (line: string, options: ParseOptions): ParseResult =>
  looksLikeRfc5424(line) ? parseRfc5424(line) : parseRfc3164(line, options)

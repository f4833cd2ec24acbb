import { parseCef, parseCefAt } from './cef'
import { parseJson } from './json'
import { parseKv } from './kv'
import { parseLeef, parseLeefAt } from './leef'
import { parseRfc3164 } from './rfc3164'
import { parseRfc5424 } from './rfc5424'
import { blankMessage } from './shared'
import { parseSyslogHeader } from './syslog'
import type { FormatOption, ParseOptions, ParseResult } from './types'

/** A syslog message, with a CEF or LEEF payload in its MSG read as such. */
const parseSyslog = (line: string, options: ParseOptions): ParseResult => {
  const syslog = parseSyslogHeader(line, options)
  if (!syslog.ok || syslog.message === null) return syslog
  const at = line.length - syslog.message.length
  if (line.startsWith('CEF:', at)) return parseCefAt(line, at, syslog)
  if (line.startsWith('LEEF:', at)) return parseLeefAt(line, at, syslog)
  return syslog
}

const firstNonBlank = (line: string): number => {
  let k = 0
  while (line.charCodeAt(k) === 0x20 || line.charCodeAt(k) === 0x09) k++
  return k
}

/**
 * Which format a line is, in this order: a JSON object, syslog with a PRI (RFC 5424 when a
 * VERSION follows, else BSD; CEF/LEEF in its MSG), a bare CEF or LEEF line, two or more
 * key=value pairs. Anything else is ok:false: the caller keeps the line raw.
 */
export const detectAndParse = (line: string, options: ParseOptions = {}): ParseResult => {
  const first = line.charCodeAt(firstNonBlank(line))
  if (first === 0x7b) return parseJson(line)
  if (line.charCodeAt(0) === 0x3c) return parseSyslog(line, options)
  if (line.startsWith('CEF:')) return parseCefAt(line, 0, blankMessage('cef'))
  if (line.startsWith('LEEF:')) return parseLeefAt(line, 0, blankMessage('leef'))
  const kv = parseKv(line)
  if (kv.ok && Object.keys(kv.fields ?? {}).length >= 2) return kv
  return {
    ok: false,
    error:
      'auto: column 1: unrecognized format (not a JSON object, syslog <PRI>, CEF, LEEF or key=value pairs)',
  }
}

/** Parses one line as `format`, or detects it. Never throws: a fault is ok:false with its column. */
export const parseMessage = (
  line: string,
  format: FormatOption = 'auto',
  options: ParseOptions = {},
): ParseResult => {
  try {
    switch (format) {
      case 'auto':
        return detectAndParse(line, options)
      case 'rfc5424':
        return parseRfc5424(line)
      case 'rfc3164':
        return parseRfc3164(line, options)
      case 'cef':
        return parseCef(line, options)
      case 'leef':
        return parseLeef(line, options)
      case 'json':
        return parseJson(line)
      case 'kv':
        return parseKv(line)
    }
  } catch (error) {
    // A parser bug must cost one line, not the listener.
    return { ok: false, error: `${format}: column 1: internal parser error: ${String(error)}` }
  }
}

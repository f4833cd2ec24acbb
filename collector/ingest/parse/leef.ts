import { readExtension, readHeaderFields } from './extension'
import { blankMessage, fail, put } from './shared'
import { parseSyslogHeader } from './syslog'
import type { ParseOptions, ParseResult, ParsedMessage } from './types'

const LABEL = 'leef'
const FIELDS = ['Version', 'Vendor', 'Product', 'Version', 'EventID', 'attributes'] as const

/** LEEF 2.0 delimiter field: one character, or its code in hex (`x09`, `0x5E`); empty means tab. */
const delimiterOf = (spec: string): string | null => {
  if (spec.length === 0) return '\t'
  if (spec.length === 1) return spec
  const hex = /^0?[xX]([0-9A-Fa-f]{2,4})$/.exec(spec)
  return hex ? String.fromCharCode(parseInt(hex[1]!, 16)) : null
}

/**
 * `LEEF:1.0|Vendor|Product|Version|EventID|` then key=value attributes split by tab, or for LEEF
 * 2.0 by the delimiter given in an optional sixth header field.
 */
export const parseLeefAt = (line: string, start: number, base: ParsedMessage): ParseResult => {
  if (!line.startsWith('LEEF:', start)) return fail(LABEL, line, start, "expected 'LEEF:'")
  const header = readHeaderFields(line, start + 5, 5)
  if ('found' in header)
    return fail(
      LABEL,
      line,
      line.length,
      `missing ${FIELDS[header.found + 1]} (found ${header.found} of the 5 '|' separators of the header)`,
    )
  const [version, vendor, product, deviceVersion, eventId] = header.fields as [
    string,
    string,
    string,
    string,
    string,
  ]
  const major = version === '1.0' || version === '1' ? 1 : version === '2.0' || version === '2' ? 2 : 0
  if (major === 0) return fail(LABEL, line, start + 5, `unsupported LEEF version "${version}" (1.0 or 2.0)`)

  let k = header.end
  let delimiter = '\t'
  if (major === 2) {
    // The delimiter field is optional: it is present when a short valid spec is closed by '|'.
    const close = line.indexOf('|', k)
    if (close >= 0 && close - k <= 6) {
      const spec = delimiterOf(line.slice(k, close))
      if (spec !== null) {
        delimiter = spec
        k = close + 1
      }
    }
  }

  let extensions: Record<string, string> = {}
  if (line.indexOf(delimiter, k) < 0) {
    // Many devices write LEEF with spaces instead of the delimiter: read it the CEF way.
    const spaced = readExtension(line, k, false)
    if ('reason' in spaced) return fail(LABEL, line, spaced.at, spaced.reason)
    extensions = spaced.values
  } else {
    while (k <= line.length) {
      let end = line.indexOf(delimiter, k)
      if (end < 0) end = line.length
      if (end > k) {
        const eq = line.indexOf('=', k)
        if (eq < 0 || eq >= end) return fail(LABEL, line, k, 'expected key=value attribute')
        if (eq === k) return fail(LABEL, line, k, 'attribute has an empty key')
        put(extensions, line.slice(k, eq), line.slice(eq + 1, end))
      }
      k = end + delimiter.length
    }
  }
  return {
    ...base,
    format: 'leef',
    message: line.slice(start),
    leef: {
      version,
      device_vendor: vendor,
      device_product: product,
      device_version: deviceVersion,
      event_id: eventId,
      extensions,
    },
  }
}

/** A LEEF line, bare or as the MSG of a syslog message (RFC 5424 or BSD). */
export const parseLeef = (line: string, options: ParseOptions = {}): ParseResult => {
  if (line.startsWith('LEEF:')) return parseLeefAt(line, 0, blankMessage('leef'))
  if (line.charCodeAt(0) !== 0x3c) return fail(LABEL, line, 0, "expected 'LEEF:' or a syslog header")
  const syslog = parseSyslogHeader(line, options)
  if (!syslog.ok) return syslog
  const at = syslog.message === null ? line.length : line.length - syslog.message.length
  return parseLeefAt(line, at, syslog)
}

import { readExtension, readHeaderFields } from './extension'
import { blankMessage, fail } from './shared'
import { parseSyslogHeader } from './syslog'
import type { ParseOptions, ParseResult, ParsedMessage } from './types'

const LABEL = 'cef'
const FIELDS = [
  'Version',
  'Device Vendor',
  'Device Product',
  'Device Version',
  'Signature ID',
  'Name',
  'Severity',
  'Extension',
] as const
const SEVERITY_NAMES = new Set(['unknown', 'low', 'medium', 'high', 'very-high'])

const isSeverity = (value: string): boolean =>
  /^(?:[0-9]|10)$/.test(value) || SEVERITY_NAMES.has(value.toLowerCase())

/**
 * `CEF:Version|Device Vendor|Device Product|Device Version|Signature ID|Name|Severity|Extension`
 * starting at `start` of `line`; `base` carries the syslog header it came in, if any.
 */
export const parseCefAt = (line: string, start: number, base: ParsedMessage): ParseResult => {
  if (!line.startsWith('CEF:', start)) return fail(LABEL, line, start, "expected 'CEF:'")
  const header = readHeaderFields(line, start + 4, 7)
  if ('found' in header)
    return fail(
      LABEL,
      line,
      line.length,
      `missing ${FIELDS[header.found + 1]} (found ${header.found} of the 7 '|' separators of the header)`,
    )
  const [version, vendor, product, deviceVersion, signatureId, name, severity] = header.fields as [
    string,
    string,
    string,
    string,
    string,
    string,
    string,
  ]
  if (!/^\d{1,3}$/.test(version))
    return fail(LABEL, line, start + 4, `Version must be a number, found "${version}"`)
  if (!isSeverity(severity)) {
    return fail(
      LABEL,
      line,
      header.starts[6]!,
      `Severity must be 0-10 or Unknown, Low, Medium, High, Very-High, found "${severity}"`,
    )
  }
  const extension = readExtension(line, header.end, true)
  if ('reason' in extension) return fail(LABEL, line, extension.at, extension.reason)
  return {
    ...base,
    format: 'cef',
    message: line.slice(start),
    cef: {
      version: Number(version),
      device_vendor: vendor,
      device_product: product,
      device_version: deviceVersion,
      signature_id: signatureId,
      name,
      severity,
      extensions: extension.values,
    },
  }
}

/** A CEF line, bare or as the MSG of a syslog message (RFC 5424 or BSD). */
export const parseCef = (line: string, options: ParseOptions = {}): ParseResult => {
  if (line.startsWith('CEF:')) return parseCefAt(line, 0, blankMessage('cef'))
  if (line.charCodeAt(0) !== 0x3c) return fail(LABEL, line, 0, "expected 'CEF:' or a syslog header")
  const syslog = parseSyslogHeader(line, options)
  if (!syslog.ok) return syslog
  const at = syslog.message === null ? line.length : line.length - syslog.message.length
  return parseCefAt(line, at, syslog)
}

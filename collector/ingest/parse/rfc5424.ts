import { blankMessage, fail, isDigit, put, readPri, withPriority } from './shared'
import { scanRfc3339 } from './timestamp'
import type { ParseResult, StructuredData } from './types'

const LABEL = 'rfc5424'
const SP = 0x20

const isPrintable = (c: number): boolean => c >= 33 && c <= 126
/** SD-NAME: PRINTUSASCII except '=', SP, ']' and '"'. */
const isSdNameChar = (c: number): boolean => isPrintable(c) && c !== 0x3d && c !== 0x5d && c !== 0x22

type Field = { value: string | null; end: number } | { at: number; reason: string }

/** HOSTNAME, APP-NAME, PROCID, MSGID: NILVALUE or 1*max PRINTUSASCII, then SP. */
const readHeaderField = (text: string, start: number, max: number, name: string): Field => {
  let k = start
  // Stop one past the limit: a hostile 1 MB token costs no more than a legal one.
  const stop = Math.min(text.length, start + max + 1)
  while (k < stop && isPrintable(text.charCodeAt(k))) k++
  if (k - start > max) return { at: start + max, reason: `${name} is longer than ${max} characters` }
  if (k === start)
    return k < text.length && text.charCodeAt(k) !== SP
      ? { at: k, reason: `${name} has a character outside printable US-ASCII` }
      : { at: k, reason: `expected ${name} (or '-')` }
  if (k >= text.length) return { at: k, reason: `expected SP after ${name}` }
  if (text.charCodeAt(k) !== SP)
    return { at: k, reason: `${name} has a character outside printable US-ASCII` }
  return {
    value: k - start === 1 && text.charCodeAt(start) === 0x2d ? null : text.slice(start, k),
    end: k + 1,
  }
}

/** SD-NAME (SD-ID or PARAM-NAME): 1-32 characters. */
const readSdName = (text: string, start: number, name: string): Field => {
  let k = start
  const stop = Math.min(text.length, start + 33)
  while (k < stop && isSdNameChar(text.charCodeAt(k))) k++
  if (k === start) return { at: k, reason: `expected ${name}` }
  if (k - start > 32) return { at: start + 32, reason: `${name} is longer than 32 characters` }
  return { value: text.slice(start, k), end: k }
}

type Value = { value: string; end: number } | { at: number; reason: string }

/** PARAM-VALUE after its opening quote: \" \\ \] unescaped; any other backslash stays (RFC 5424 6.3.3). */
const readParamValue = (text: string, start: number): Value => {
  let value = ''
  let from = start
  for (let k = start; k < text.length;) {
    const c = text.charCodeAt(k)
    if (c === 0x22) return { value: value + text.slice(from, k), end: k + 1 }
    if (c === 0x5c) {
      const next = text.charCodeAt(k + 1)
      if (next === 0x22 || next === 0x5c || next === 0x5d) {
        value += text.slice(from, k)
        from = k + 1
        k += 2
        continue
      }
    } else if (c === 0x5d) return { at: k, reason: "']' in PARAM-VALUE must be escaped as \\]" }
    k++
  }
  return { at: text.length, reason: "unterminated PARAM-VALUE (missing closing '\"')" }
}

const readStructuredData = (
  text: string,
  start: number,
): { value: StructuredData; end: number } | { at: number; reason: string } => {
  const sd: StructuredData = {}
  let k = start
  while (text.charCodeAt(k) === 0x5b) {
    const id = readSdName(text, k + 1, 'SD-ID')
    if ('reason' in id) return id
    const sdId = id.value!
    if (Object.hasOwn(sd, sdId)) return { at: k + 1, reason: `duplicate SD-ID "${sdId}"` }
    const params: Record<string, string> = {}
    put(sd, sdId, params)
    k = id.end
    for (;;) {
      const c = text.charCodeAt(k)
      if (c === 0x5d) {
        k++
        break
      }
      if (c !== SP) return { at: k, reason: "expected SP or ']' in SD-ELEMENT" }
      const name = readSdName(text, k + 1, 'PARAM-NAME')
      if ('reason' in name) return name
      k = name.end
      if (text.charCodeAt(k) !== 0x3d) return { at: k, reason: "expected '=' after PARAM-NAME" }
      if (text.charCodeAt(k + 1) !== 0x22) return { at: k + 1, reason: "expected '\"' to open PARAM-VALUE" }
      const value = readParamValue(text, k + 2)
      if ('reason' in value) return value
      // A repeated PARAM-NAME is legal (origin's "ip"); the record keeps the last one.
      put(params, name.value!, value.value)
      k = value.end
    }
  }
  return { value: sd, end: k }
}

/** Strict RFC 5424: every field checked, the first fault reported with its column. */
export const parseRfc5424 = (line: string): ParseResult => {
  const pri = readPri(line, LABEL, true)
  if ('ok' in pri) return pri
  const out = blankMessage('rfc5424')
  withPriority(out, pri.value)

  let k = pri.end
  const versionStart = k
  const v0 = line.charCodeAt(k)
  if (!isDigit(v0) || v0 === 0x30) return fail(LABEL, line, k, 'expected VERSION (1-999, no leading zero)')
  let version = v0 - 0x30
  k++
  while (k < line.length && k - versionStart < 3 && isDigit(line.charCodeAt(k)))
    version = version * 10 + line.charCodeAt(k++) - 0x30
  if (line.charCodeAt(k) !== SP)
    return fail(
      LABEL,
      line,
      k,
      isDigit(line.charCodeAt(k)) ? 'VERSION has more than 3 digits' : 'expected SP after VERSION',
    )
  out.version = version
  k++

  if (line.charCodeAt(k) === 0x2d) k++
  else {
    const time = scanRfc3339(line, k, true)
    if ('reason' in time) return fail(LABEL, line, time.at, time.reason)
    out.timestamp = line.slice(k, time.end)
    k = time.end
  }
  if (line.charCodeAt(k) !== SP) return fail(LABEL, line, k, 'expected SP after TIMESTAMP')
  k++

  const host = readHeaderField(line, k, 255, 'HOSTNAME')
  if ('reason' in host) return fail(LABEL, line, host.at, host.reason)
  out.hostname = host.value
  const app = readHeaderField(line, host.end, 48, 'APP-NAME')
  if ('reason' in app) return fail(LABEL, line, app.at, app.reason)
  out.appname = app.value
  const proc = readHeaderField(line, app.end, 128, 'PROCID')
  if ('reason' in proc) return fail(LABEL, line, proc.at, proc.reason)
  out.procid = proc.value
  const msgid = readHeaderField(line, proc.end, 32, 'MSGID')
  if ('reason' in msgid) return fail(LABEL, line, msgid.at, msgid.reason)
  out.msgid = msgid.value
  k = msgid.end

  const c = line.charCodeAt(k)
  if (c === 0x2d) k++
  else if (c === 0x5b) {
    const sd = readStructuredData(line, k)
    if ('reason' in sd) return fail(LABEL, line, sd.at, sd.reason)
    out.structured_data = sd.value
    k = sd.end
  } else return fail(LABEL, line, k, "expected STRUCTURED-DATA ('[' or '-')")

  if (k < line.length) {
    if (line.charCodeAt(k) !== SP)
      return fail(LABEL, line, k, 'expected SP or end of line after STRUCTURED-DATA')
    // MSG-UTF8 starts with a BOM (RFC 5424 6.4); it marks the encoding and is not part of the text.
    out.message = line.slice(line.charCodeAt(k + 1) === 0xfeff ? k + 2 : k + 1)
  }
  return out
}

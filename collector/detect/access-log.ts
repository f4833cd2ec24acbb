/**
 * Web server access logs (Apache and nginx, common and combined formats) as the fields Sigma's
 * webserver and proxy rules use (W3C names: cs-method, cs-uri-query, sc-status, ...). Forwarders
 * send these lines as syslog or raw messages; the stored event keeps the line, rules see fields.
 *
 * cs-uri-query holds the whole request target (path and query): Sigma's generic webserver rules
 * look for traversal and injection patterns there, and only IIS logs the query apart.
 */
import type { EventRecord } from './sigma/compile'

// host ident user [time] "request" status bytes ["referer" "agent"]; quotes inside are \" or \x22.
const LINE =
  /^(\S+) (\S+) (\S+) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\d{3}) (\d+|-)(?: "((?:[^"\\]|\\.)*)" "((?:[^"\\]|\\.)*)")?/

const unescape = (text: string): string =>
  text.indexOf('\\') < 0
    ? text
    : text.replace(/\\x([0-9a-fA-F]{2})|\\(.)/g, (_, hex: string | undefined, char: string | undefined) =>
        hex !== undefined ? String.fromCharCode(parseInt(hex, 16)) : (char ?? ''),
      )

const dash = (value: string | undefined): string | undefined =>
  value === undefined || value === '-' || value === '' ? undefined : value

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']
const CLF_TIME = /^(\d\d)\/(\w{3})\/(\d{4}):(\d\d):(\d\d):(\d\d) ([+-])(\d\d)(\d\d)$/

/** `21/Nov/2026:10:00:00 +0100` -> ISO 8601 UTC, or null. */
const clfTime = (text: string): string | null => {
  const m = CLF_TIME.exec(text)
  if (!m) return null
  const [, day, month, year, hh, mm, ss, sign, oh, om] = m
  const index = MONTHS.indexOf(month!)
  if (index < 0) return null
  const offset = (sign === '-' ? -1 : 1) * (Number(oh) * 60 + Number(om)) * 60_000
  const utc = Date.UTC(Number(year), index, Number(day), Number(hh), Number(mm), Number(ss)) - offset
  return Number.isNaN(utc) ? null : new Date(utc).toISOString()
}

/** The W3C fields of one access-log line, or null when the line is not one. */
export const parseAccessLog = (line: string): EventRecord | null => {
  const m = LINE.exec(line)
  if (!m) return null
  const [, client, , user, time, request, status, bytes, referer, agent] = m
  const out: EventRecord = { 'c-ip': client, 'sc-status': Number(status) }
  const when = clfTime(time ?? '')
  if (when !== null) out['@timestamp'] = when
  const username = dash(user)
  if (username !== undefined) out['cs-username'] = username
  if (bytes !== '-') out['sc-bytes'] = Number(bytes)
  const parts = unescape(request ?? '').split(' ')
  if (parts.length >= 2) {
    const [method, target = '', version] = parts
    out['cs-method'] = method
    out['cs-uri'] = target
    out['cs-uri-query'] = target
    const q = target.indexOf('?')
    out['cs-uri-stem'] = q < 0 ? target : target.slice(0, q)
    if (version !== undefined) out['cs-version'] = version
  }
  const ref = dash(referer === undefined ? undefined : unescape(referer))
  if (ref !== undefined) out['cs-referer'] = ref
  const ua = dash(agent === undefined ? undefined : unescape(agent))
  if (ua !== undefined) {
    out['cs-user-agent'] = ua
  }
  return out
}

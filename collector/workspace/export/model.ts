// The input of every exporter: a report or an incident as the workspace hands it over. Pure data, no storage.
import { ObservableType as ObservableTypes, type ObservableType, type Tlp } from '../../contract/workspace'

export type { ObservableType, Tlp }
export type ExportObservable = {
  type: ObservableType
  value: string
  first_seen: string | null
  last_seen: string | null
  note: string | null
}
export type ExportTechnique = {
  id: string /* T1059.001 */
  name: string | null
  tactics: string[]
  alerts: number
}
export type ExportEvidence = { name: string; sha256: string; size: number; bytes?: Uint8Array }
export type ExportTimelineEntry = { at: string; kind: 'alert' | 'event' | 'action' | 'comment'; text: string }
/** What a report or incident is tied to in the workspace: its operation, incidents, assets. */
export type ExportRelated = { kind: 'operation' | 'incident' | 'asset'; id: string; label: string }
export type ExportDocument = {
  kind: 'report' | 'incident'
  id: string
  title: string
  body_markdown: string
  status: string
  tlp: Tlp
  author: string
  organization: string /* the identity that produced it, e.g. "Outpost" */
  created_at: string
  updated_at: string
  version: number
  observables: ExportObservable[]
  techniques: ExportTechnique[]
  timeline: ExportTimelineEntry[] // incidents; reports may have []
  evidence: ExportEvidence[]
  labels: string[]
  related?: ExportRelated[]
}

/** The contract's observable types, in its order. */
export const OBSERVABLE_TYPES: readonly ObservableType[] = ObservableTypes.options

const IPV4_OCTET = '(25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)'
const IPV4 = new RegExp(`^${IPV4_OCTET}(\\.${IPV4_OCTET}){3}$`)
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i
const HEX_LENGTHS = { md5: 32, sha1: 40, sha256: 64 } as const
// Control characters, and the separators no file name on any of our hosts may hold.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f]/
const BAD_FILE_CHARS = /[/\\]/

function splitCidr(value: string, max: number, kind: string): { address: string; error: string | null } {
  const slash = value.indexOf('/')
  if (slash === -1) return { address: value, error: null }
  const prefix = value.slice(slash + 1)
  const bits = Number(prefix)
  if (!/^\d{1,3}$/.test(prefix) || bits > max) {
    return {
      address: value.slice(0, slash),
      error: `${kind} CIDR prefix "/${prefix}" must be a number from 0 to ${max}`,
    }
  }
  return { address: value.slice(0, slash), error: null }
}

function isIpv6(address: string): boolean {
  // An embedded IPv4 tail (::ffff:10.0.0.1) counts as two groups.
  let text = address
  let groupsFromV4 = 0
  const lastColon = text.lastIndexOf(':')
  const tail = text.slice(lastColon + 1)
  if (tail.includes('.')) {
    if (!IPV4.test(tail)) return false
    text = `${text.slice(0, lastColon + 1)}0`
    groupsFromV4 = 1
  }
  const halves = text.split('::')
  if (halves.length > 2) return false
  const groups = halves.map((h) => (h === '' ? [] : h.split(':')))
  if (!groups.every((g) => g.every((x) => /^[0-9a-f]{1,4}$/i.test(x)))) return false
  const count = groups.reduce((n, g) => n + g.length, 0) + groupsFromV4
  return halves.length === 2 ? count <= 7 : count === 8
}

function isDomain(value: string): boolean {
  const name = value.endsWith('.') ? value.slice(0, -1) : value
  if (name.length === 0 || name.length > 253) return false
  const labels = name.split('.')
  return (
    labels.length >= 2 && labels.every((l) => LABEL.test(l)) && !/^\d+$/.test(labels[labels.length - 1] ?? '')
  )
}

/** What is wrong with an observable and how to fix it, or null when it is fine. */
export function validateObservable(type: ObservableType, value: string): string | null {
  if (value.trim() !== value) return `${type} "${value}" has leading or trailing spaces: trim them`
  if (value === '') return `${type} is empty: enter a value`
  switch (type) {
    case 'ipv4': {
      const { address, error } = splitCidr(value, 32, 'IPv4')
      if (error) return error
      return IPV4.test(address)
        ? null
        : `"${address}" is not an IPv4 address: use four numbers 0-255, e.g. 10.0.0.1 or 10.0.0.0/8`
    }
    case 'ipv6': {
      const { address, error } = splitCidr(value, 128, 'IPv6')
      if (error) return error
      return isIpv6(address)
        ? null
        : `"${address}" is not an IPv6 address: use hex groups separated by colons, e.g. 2001:db8::1`
    }
    case 'domain':
      return isDomain(value)
        ? null
        : `"${value}" is not a domain name: use dot-separated labels of letters, digits and hyphens, e.g. evil.example.com (no scheme, no path)`
    case 'url': {
      let url: URL
      try {
        url = new URL(value)
      } catch {
        return `"${value}" is not a URL: include the scheme and host, e.g. https://evil.example.com/path`
      }
      if (url.host === '')
        return `URL "${value}" has no host: include one, e.g. https://evil.example.com/path`
      return null
    }
    case 'md5':
    case 'sha1':
    case 'sha256': {
      const length = HEX_LENGTHS[type]
      if (!/^[0-9a-f]*$/i.test(value))
        return `${type.toUpperCase()} "${value}" must be hexadecimal (0-9, a-f) only`
      if (value.length !== length) {
        return `${type.toUpperCase()} must be ${length} hex characters, got ${value.length}: check it was copied whole`
      }
      return null
    }
    case 'email': {
      const at = value.lastIndexOf('@')
      const local = value.slice(0, at)
      const domain = value.slice(at + 1)
      if (at <= 0 || /\s/.test(local) || local.includes('@') || !isDomain(domain)) {
        return `"${value}" is not an email address: use local-part@domain, e.g. alice@example.com`
      }
      return null
    }
    case 'user':
      if (CONTROL_CHARS.test(value)) return `user "${value}" contains control characters: remove them`
      return value.length > 256 ? `user name is ${value.length} characters long: at most 256` : null
    case 'host': {
      if (IPV4.test(value) || isIpv6(value))
        return `"${value}" is an IP address: add it as ipv4 or ipv6, not host`
      const labels = value.split('.')
      return value.length <= 253 && labels.every((l) => /^(?!-)[a-z0-9_-]{1,63}$/i.test(l))
        ? null
        : `"${value}" is not a host name: use letters, digits, hyphens and dots, e.g. ws-042 or ws-042.corp.example`
    }
    case 'file':
      if (BAD_FILE_CHARS.test(value) || CONTROL_CHARS.test(value)) {
        return `file name "${value}" contains a path separator or control character: give the name only, e.g. invoice.exe`
      }
      return value.length > 255 ? `file name is ${value.length} characters long: at most 255` : null
  }
}

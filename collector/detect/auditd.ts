/**
 * Raw auditd lines (`type=EXECVE msg=audit(1604996384.965:93777): argc=4 a0="dd" …`) as the
 * fields Sigma's auditd rules use: type, the record's key=value pairs, and EXECVE/PROCTITLE
 * arguments decoded from the hex auditd writes when an argument holds spaces or quotes.
 * Syslog-forwarded auditd arrives already split into fields by the kv parser; files read by
 * `outpost hunt` arrive as lines.
 */
import type { EventRecord } from './sigma/compile'

const HEAD = /^type=(\w+) msg=audit\((\d+(?:\.\d+)?):(\d+)\):\s?/
const PAIR = /([\w-]+)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)/g
const HEX = /^(?:[0-9A-F]{2})+$/

const decodeHex = (hex: string): string => Buffer.from(hex, 'hex').toString('utf8').replaceAll('\0', ' ')

/** The fields of one auditd line, or null when the line is not one. */
export const parseAuditd = (line: string): EventRecord | null => {
  const head = HEAD.exec(line)
  if (!head) return null
  const type = head[1]!
  const out: EventRecord = { type, 'audit.time': Number(head[2]), 'audit.serial': Number(head[3]) }
  const encoded = type === 'EXECVE' || type === 'PROCTITLE'
  PAIR.lastIndex = head[0].length
  for (let m = PAIR.exec(line); m; m = PAIR.exec(line)) {
    const [, key = '', raw = ''] = m
    if (raw.startsWith('"') || raw.startsWith("'")) out[key] = raw.slice(1, -1).replace(/\\(.)/g, '$1')
    else if (encoded && (key === 'proctitle' || /^a\d+$/.test(key)) && HEX.test(raw))
      out[key] = decodeHex(raw)
    else out[key] = raw
  }
  return out
}

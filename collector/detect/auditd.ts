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
  const seconds = Number(head[2])
  const out: EventRecord = {
    type,
    '@timestamp': new Date(seconds * 1000).toISOString(),
    'audit.time': seconds,
    'audit.serial': Number(head[3]),
  }
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

type Obj = Record<string, unknown>

const SERIAL = /audit\(\d+(?:\.\d+)?:(\d+)\)/
const EXECVE_SYSCALLS = new Set(['59', '322', 'execve', 'execveat']) // x86_64 numbers, or as ausearch -i names them

/** The serial that ties one syscall's records together: from a raw line or a kv-parsed `msg`. */
const serialOf = (record: Obj): string | null => {
  if (typeof record['audit.serial'] === 'number') return String(record['audit.serial'])
  const msg = record.msg
  return typeof msg === 'string' ? (SERIAL.exec(msg)?.[1] ?? null) : null
}

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined

/** Records of one syscall held at most, waiting for their EXECVE (they arrive together). */
const PENDING = 256

/**
 * auditd writes one process start as several records (SYSCALL, EXECVE, CWD, PATH…) sharing a
 * serial. Sigma's linux process_creation rules want one event with Image and CommandLine: this
 * gives the EXECVE record the SYSCALL's exe, pid, ppid and uid, and its arguments joined, as
 * Image, CommandLine, ProcessId, ParentProcessId and User. Stateful: feed records in order.
 */
export const createAuditdAssembler = (): ((record: EventRecord) => EventRecord) => {
  const syscalls = new Map<string, Obj>()
  return (record) => {
    const type = record.type
    if (type !== 'SYSCALL' && type !== 'EXECVE') return record
    const serial = serialOf(record)
    if (serial === null) return record
    if (type === 'SYSCALL') {
      if (EXECVE_SYSCALLS.has(text(record.syscall) ?? '')) {
        syscalls.set(serial, record)
        if (syscalls.size > PENDING) syscalls.delete(syscalls.keys().next().value!)
      }
      return record
    }
    const syscall = syscalls.get(serial)
    if (!syscall) return record
    syscalls.delete(serial)
    const argc = Number(text(record.argc) ?? NaN)
    const args: string[] = []
    for (let i = 0; Number.isNaN(argc) ? `a${i}` in record : i < argc; i++)
      args.push(text(record[`a${i}`]) ?? '')
    const out: EventRecord = { ...record, CommandLine: args.join(' ') }
    const set = (to: string, from: string): void => {
      const value = text(syscall[from])
      if (value !== undefined && !(to in record)) out[to] = value
    }
    set('Image', 'exe')
    set('ProcessId', 'pid')
    set('ParentProcessId', 'ppid')
    set('User', 'uid')
    set('LogonId', 'auid')
    return out
  }
}

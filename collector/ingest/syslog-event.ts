import { newEventId } from './event-id'
import { firstInvalidUtf8 } from './utf8'
import type { NewEvent } from '../store/sqlite/events-repo'
import type { ReceiveContext } from './normalize'
import { parseMessage } from './parse'
import type { ParsedMessage } from './parse/types'
import { SYSLOG_FACILITIES as FACILITIES, SYSLOG_SEVERITIES as SEVERITIES } from './syslog-names'

/** Turns one received syslog frame into a stored event. Never throws: unknown input is kept raw. */
export type SyslogDecode = (frame: Buffer, ctx: ReceiveContext) => NewEvent

// CEF and LEEF keys -> ECS, for the common ones; the native keys stay as sent beside them.
const CEF_ECS: Record<string, string> = {
  src: 'source.ip',
  spt: 'source.port',
  shost: 'source.domain',
  suser: 'source.user.name',
  smac: 'source.mac',
  dst: 'destination.ip',
  dpt: 'destination.port',
  dhost: 'destination.domain',
  duser: 'destination.user.name',
  dmac: 'destination.mac',
  act: 'event.action',
  outcome: 'event.outcome',
  proto: 'network.transport',
  request: 'url.original',
  requestMethod: 'http.request.method',
  fname: 'file.name',
  filePath: 'file.path',
  fileHash: 'file.hash',
  sproc: 'process.name',
  spid: 'process.pid',
  dvchost: 'observer.hostname',
  dvc: 'observer.ip',
}
const LEEF_ECS: Record<string, string> = {
  src: 'source.ip',
  srcPort: 'source.port',
  srcMAC: 'source.mac',
  dst: 'destination.ip',
  dstPort: 'destination.port',
  dstMAC: 'destination.mac',
  usrName: 'user.name',
  proto: 'network.transport',
  identHostName: 'host.name',
  url: 'url.original',
  action: 'event.action',
}

const mapExtensions = (
  out: Record<string, unknown>,
  extensions: Record<string, string>,
  table: Record<string, string>,
): void => {
  for (const [key, value] of Object.entries(extensions)) {
    out[key] = value // the native name, as detection rules and analysts know it
    const ecs = table[key]
    if (ecs && !(ecs in out))
      out[ecs] = /\.port$|\.pid$/.test(ecs) && /^\d+$/.test(value) ? Number(value) : value
  }
}

/**
 * The canonical event for a parsed message: flat ECS names (`log.syslog.*`, `host.name`,
 * `process.*`, `observer.*`, `source.ip`…) plus the message's own fields under their native names
 * (CEF/LEEF extension keys, JSON or key=value payloads), and `event.original`.
 */
export const parsedToFields = (parsed: ParsedMessage, original: string): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  if (parsed.fields) Object.assign(out, parsed.fields)
  if (parsed.timestamp) out['@timestamp'] = parsed.timestamp
  out['event.original'] = original
  out['log.syslog.format'] = parsed.format
  if (parsed.priority !== null) {
    out['log.syslog.priority'] = parsed.priority
    out['log.syslog.facility.code'] = parsed.facility
    out['log.syslog.facility.name'] = FACILITIES[parsed.facility ?? -1] ?? null
    out['log.syslog.severity.code'] = parsed.severity
    out['log.syslog.severity.name'] = SEVERITIES[parsed.severity ?? -1] ?? null
  }
  if (parsed.version !== null) out['log.syslog.version'] = parsed.version
  if (parsed.hostname) out['host.hostname'] = out['host.name'] = parsed.hostname
  if (parsed.appname) out['log.syslog.appname'] = out['process.name'] = parsed.appname
  if (parsed.procid) {
    out['log.syslog.procid'] = parsed.procid
    if (/^\d+$/.test(parsed.procid)) out['process.pid'] = Number(parsed.procid)
  }
  if (parsed.msgid) out['log.syslog.msgid'] = out['event.code'] = parsed.msgid
  if (parsed.structured_data) out['log.syslog.structured_data'] = parsed.structured_data
  if (parsed.message !== null && !('message' in out)) out.message = parsed.message
  if (parsed.cef) {
    const { extensions, ...header } = parsed.cef
    out.cef = header
    out['observer.vendor'] = header.device_vendor
    out['observer.product'] = header.device_product
    out['observer.version'] = header.device_version
    out['event.code'] = header.signature_id
    out['event.reason'] = header.name
    mapExtensions(out, extensions, CEF_ECS)
    if (typeof extensions.msg === 'string') out.message = extensions.msg
    else out.message = header.name
  }
  if (parsed.leef) {
    const { extensions, ...header } = parsed.leef
    out.leef = header
    out['observer.vendor'] = header.device_vendor
    out['observer.product'] = header.device_product
    out['observer.version'] = header.device_version
    out['event.code'] = header.event_id
    mapExtensions(out, extensions, LEEF_ECS)
  }
  return out
}

const str = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null)

/** The collector's syslog decoder: strict parsers first, the raw line kept whole when none fits. */
export const syslogEvent: SyslogDecode = (frame, ctx) => {
  // rsyslog templates end in LF, which octet-counting and UDP keep; rsyslog itself drops it on
  // reception (parser.dropTrailingLFOnReception), and so do we.
  const text = frame.toString('utf8').replace(/\r?\n$/, '')
  // Devices do send Latin-1 and garbage. Keep the event (never drop it), parse what decodes, and
  // keep the exact bytes beside it with the reason: toString alone would hide the damage.
  const bad = firstInvalidUtf8(frame)
  const encoding: Record<string, unknown> =
    bad < 0
      ? {}
      : {
          'event.original_base64': frame.toString('base64'),
          'outpost.encoding_error': `invalid UTF-8: byte 0x${frame[bad]!.toString(16).padStart(2, '0')} at offset ${bad}; shown with U+FFFD, exact bytes in event.original_base64`,
        }
  const parsed = parseMessage(text, 'auto')
  if (!parsed.ok) {
    return {
      id: newEventId(ctx.receivedAt),
      ts: ctx.receivedAt,
      received_at: ctx.receivedAt,
      listener: ctx.listener,
      source: ctx.source,
      host: null,
      severity: null,
      message: text,
      fields: JSON.stringify({
        'event.original': text,
        message: text,
        'outpost.parse_error': parsed.error,
        ...encoding,
      }),
    }
  }
  const fields = { ...parsedToFields(parsed, text), ...encoding }
  const ts = parsed.timestamp ? Date.parse(parsed.timestamp) : Number.NaN
  return {
    id: newEventId(ctx.receivedAt),
    ts: Number.isNaN(ts) ? ctx.receivedAt : ts,
    received_at: ctx.receivedAt,
    listener: ctx.listener,
    source: ctx.source,
    host: str(fields['host.name']),
    severity: parsed.cef ? `cef:${parsed.cef.severity}` : (SEVERITIES[parsed.severity ?? -1] ?? null),
    message: str(fields.message),
    fields: JSON.stringify(fields),
    // Strings, numbers, nulls and plain objects only: what JSON.parse(fields) gives back.
    record: fields,
  }
}

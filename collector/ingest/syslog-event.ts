import { randomUUID } from 'node:crypto'
import type { NewEvent } from '../store/sqlite/events-repo'
import type { ReceiveContext } from './normalize'

/** Turns one received syslog frame into a stored event. Never throws: unknown input is kept raw. */
export type SyslogDecode = (frame: Buffer, ctx: ReceiveContext) => NewEvent

/** Kept whole when nothing better is known: the raw text is the message and `event.original`. */
export const rawSyslogEvent: SyslogDecode = (frame, ctx) => {
  const text = frame.toString('utf8')
  return {
    id: randomUUID(),
    ts: ctx.receivedAt,
    received_at: ctx.receivedAt,
    listener: ctx.listener,
    source: ctx.source,
    host: null,
    severity: null,
    message: text,
    fields: JSON.stringify({ 'event.original': text }),
  }
}

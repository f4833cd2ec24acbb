/**
 * The events an alert matched travel with it when a console pushes it, so a core's alert detail
 * can show them although the core never received them. Bounded per alert; kept on the core apart
 * from its events table (synced_alert_events), so its detection, inventory and searches never see
 * them: events:get falls back to them only for an id the core does not hold.
 */
import type { Database } from 'better-sqlite3'
import type { Alert, StoredEvent } from '../contract'

/** At most this many events per pushed alert… */
export const MAX_ALERT_EVENTS = 20
/** …and at most this many bytes of them (JSON); the body says when some were left out. */
export const MAX_ALERT_EVENT_BYTES = 256 * 1024

export type AlertEvents = {
  events: StoredEvent[]
  /** Matched events left out (over the bounds, or no longer stored). */
  events_omitted: number
}

/** The alert's matched events to send with it, within the bounds, oldest match first. */
export const alertEvents = (alert: Alert, read: (id: string) => StoredEvent | undefined): AlertEvents => {
  const ids = [...new Set(alert.event_ids.length > 0 ? alert.event_ids : [alert.event_id])].filter(
    (id) => id !== '',
  )
  const events: StoredEvent[] = []
  let bytes = 0
  for (const id of ids) {
    if (events.length >= MAX_ALERT_EVENTS) break
    const event = read(id)
    if (!event) continue
    const size = Buffer.byteLength(JSON.stringify(event))
    if (bytes + size > MAX_ALERT_EVENT_BYTES) break
    bytes += size
    events.push(event)
  }
  return { events, events_omitted: ids.length - events.length }
}

type Body = Record<string, unknown>
const isEvent = (value: unknown): value is StoredEvent => {
  const e = value as Body | null
  return (
    e !== null &&
    typeof e === 'object' &&
    typeof e.id === 'string' &&
    e.id.length > 0 &&
    typeof e.timestamp === 'string' &&
    !Number.isNaN(Date.parse(e.timestamp)) &&
    e.fields !== null &&
    typeof e.fields === 'object'
  )
}

/**
 * Keeps the events a pushed alert carries (well-formed ones, within the bounds) for its detail,
 * unless this installation holds them itself. Inside the caller's transaction.
 */
export const keepAlertEvents = (db: Database, alertId: string, events: unknown): number => {
  if (!Array.isArray(events)) return 0
  const local = db.prepare('SELECT 1 FROM events WHERE id = ?')
  const insert = db.prepare(
    'INSERT OR IGNORE INTO synced_alert_events (alert_id, event_id, ts, event) VALUES (?, ?, ?, ?)',
  )
  let kept = 0
  let bytes = 0
  for (const event of events.slice(0, MAX_ALERT_EVENTS)) {
    if (!isEvent(event) || local.get(event.id) !== undefined) continue
    const text = JSON.stringify(event)
    bytes += Buffer.byteLength(text)
    if (bytes > MAX_ALERT_EVENT_BYTES) break
    kept += insert.run(alertId, event.id, Date.parse(event.timestamp), text).changes
  }
  return kept
}

/** A matched event another installation sent with an alert (events:get's fallback). */
export const syncedAlertEvent = (db: Database, id: string): StoredEvent | undefined => {
  const row = db.prepare('SELECT event FROM synced_alert_events WHERE event_id = ? LIMIT 1').get(id) as
    { event: string } | undefined
  return row ? (JSON.parse(row.event) as StoredEvent) : undefined
}

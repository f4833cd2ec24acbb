/** The watchlist as IOC matching loads it, and the alert a match raises. */
import type { Database } from 'better-sqlite3'
import type { AlertLevel } from '../../contract'
import type { NewAlert } from '../../store/sqlite/alerts-repo'
import type { IocHit, WatchlistRow } from './ioc-index'

/**
 * Every indicator of the watchlist view (migration 0029): the lists of content bundles, the team
 * core and the analyst, and TAXII pulls (lists `taxii:<source>`); or only one list's.
 */
export const loadWatchlist = (db: Database, list?: string): WatchlistRow[] => {
  const columns = 'list, type, value, source, valid_from, valid_until, level'
  return (
    list === undefined
      ? db.prepare(`SELECT ${columns} FROM watchlist`).all()
      : db.prepare(`SELECT ${columns} FROM watchlist WHERE list = ?`).all(list)
  ) as WatchlistRow[]
}

/**
 * One match as an alert, through the same path as Sigma's (suppression, incidents, sync, pushes).
 * The indicator is named in `group` (shown beside the alert): its type and value, the list, its
 * source, its STIX id, and the event field it was found in. Matches of one indicator value on one
 * host fold within the suppression window. The level is the highest its lists give, else
 * `defaultLevel` (detection.ioc.default_level).
 */
export const iocDraft = (
  hit: IocHit,
  event: { id: string; ts: number; host: string | null; user: string | null },
  defaultLevel: AlertLevel,
  rank: (level: AlertLevel) => number,
): NewAlert => {
  const lead = hit.indicators[0]!
  const level = hit.indicators.reduce<AlertLevel | null>(
    (best, i) => (i.level !== null && (best === null || rank(i.level) > rank(best)) ? i.level : best),
    null,
  )
  const lists = [...new Set(hit.indicators.map((i) => i.list))]
  return {
    origin: 'ioc',
    rule_id: lead.stix_id,
    rule_key: null,
    title: `Watchlist match: ${lead.type} ${lead.value}`,
    level: level ?? defaultLevel,
    tags: ['ioc', `ioc.${lead.type}`],
    techniques: [],
    tactics: [],
    author: lists.join(', '),
    license: null,
    host: event.host,
    user: event.user,
    ts: event.ts,
    event_ids: [event.id],
    group: {
      indicator_type: lead.type,
      indicator: lead.value,
      list: lists.join(', '),
      source: lead.source,
      stix_id: lead.stix_id,
      field: hit.field,
      matched: hit.matched.length > 300 ? `${hit.matched.slice(0, 300)}…` : hit.matched,
    },
    dedup_key: `ioc|${lead.type}|${lead.value}|${event.host ?? ''}`,
  }
}

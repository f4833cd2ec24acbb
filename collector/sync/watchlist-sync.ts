/**
 * IOC watchlists from a team core to its consoles: a core publishes each of its installed lists
 * (from a content bundle, or its analysts' own list) as a `watchlist` pull record, the whole list
 * in one body; a console installs a pulled list into its watchlist under the record's id, in the
 * pull's transaction, replacing that list's indicators, and IOC matching reloads it at once.
 */
import type { Database } from 'better-sqlite3'
import { ANALYST_LIST } from '../detect/ioc/watchlist-calls'
import { toIndicator, WatchlistError, type Indicator } from './bundle/watchlist'
import type { SyncRecord } from './records'

/**
 * The id a core publishes its analysts' own list under: a console has an `analyst` list of its
 * own (watchlist:add), which a pulled list must never replace.
 */
export const CORE_ANALYST_LIST = 'core-analyst'

/** The list a core publishes under `id` (its own analyst list as CORE_ANALYST_LIST). */
const listOf = (id: string): string => (id === CORE_ANALYST_LIST ? ANALYST_LIST : id)

/** The id a core's list is published under. */
export const publishedListId = (list: string): string => (list === ANALYST_LIST ? CORE_ANALYST_LIST : list)

type IndicatorRow = {
  type: string
  value: string
  source: string | null
  valid_from: string | null
  valid_until: string | null
  version: string
  level: string | null
}

/** A core's list as it syncs ({ name, version, indicators }); undefined when it has none (a removal). */
export const watchlistBody = (db: Database, id: string): Record<string, unknown> | undefined => {
  // The analysts' list is only ever published as CORE_ANALYST_LIST.
  if (id === ANALYST_LIST) return undefined
  const rows = db
    .prepare(
      'SELECT type, value, source, valid_from, valid_until, version, level FROM watchlist_indicators WHERE list = ? ORDER BY type, value',
    )
    .all(listOf(id)) as IndicatorRow[]
  if (rows.length === 0) return undefined
  return {
    name: id,
    version: rows.reduce((v, r) => (r.version > v ? r.version : v), ''),
    indicators: rows.map(({ version: _version, ...indicator }) => indicator),
  }
}

/**
 * Installs a pulled list into the console's watchlist (inside the caller's transaction), replacing
 * the indicators it had under that name; a removal empties it. The console's own analyst list is
 * never written. Indicators that are not valid are left out and counted. Returns what was kept.
 */
export const installPulledWatchlist = (
  db: Database,
  record: SyncRecord,
): { installed: number; rejected: number } => {
  if (record.id === ANALYST_LIST) return { installed: 0, rejected: 0 }
  db.prepare('DELETE FROM watchlist_indicators WHERE list = ?').run(record.id)
  if (record.deleted) return { installed: 0, rejected: 0 }
  const version =
    typeof record.body.version === 'string' && record.body.version
      ? record.body.version
      : String(record.version)
  const raw = Array.isArray(record.body.indicators) ? (record.body.indicators as unknown[]) : []
  const insert = db.prepare(
    `INSERT INTO watchlist_indicators (list, type, value, source, valid_from, valid_until, version, level)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (list, type, value) DO NOTHING`,
  )
  let installed = 0
  let rejected = 0
  for (const [n, item] of raw.entries()) {
    let indicator: Indicator
    try {
      const row = item as Record<string, unknown>
      if (
        row === null ||
        typeof row !== 'object' ||
        typeof row.type !== 'string' ||
        typeof row.value !== 'string'
      )
        throw new WatchlistError('not an indicator')
      indicator = toIndicator(
        {
          type: row.type,
          value: row.value,
          source: typeof row.source === 'string' ? row.source : null,
          valid_from: typeof row.valid_from === 'string' ? row.valid_from : null,
          valid_until: typeof row.valid_until === 'string' ? row.valid_until : null,
          level: typeof row.level === 'string' ? row.level : null,
        },
        `watchlist ${record.id} indicator ${n + 1}`,
      )
    } catch (error) {
      if (!(error instanceof WatchlistError)) throw error
      rejected++
      continue
    }
    insert.run(
      record.id,
      indicator.type,
      indicator.value,
      indicator.source,
      indicator.valid_from ?? null,
      indicator.valid_until,
      version,
      indicator.level ?? null,
    )
    installed++
  }
  return { installed, rejected }
}

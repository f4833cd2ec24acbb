/**
 * The analyst's own indicators: watchlist:add and watchlist:remove edit the list named `analyst`
 * (content bundles install other lists; TAXII pulls their own). Each edit is audited and reloads
 * IOC matching at once.
 */
import type { Database } from 'better-sqlite3'
import { ContractError, type CallRes, type ParsedReq, type WatchlistIndicator } from '../../contract'
import { toIndicator, WatchlistError } from '../../sync/bundle/watchlist'
import type { Audited } from '../rule-calls'

export const ANALYST_LIST = 'analyst'

type WatchlistCall = 'watchlist:add' | 'watchlist:remove'
type Handlers = { [K in WatchlistCall]: (req: ParsedReq<K>) => CallRes<K> }

export const watchlistHandlers = (
  db: Database,
  audited: Audited,
  reload: () => { indicators: number },
): Handlers => {
  const checked = (row: {
    type: string
    value: string
    source?: string | undefined
    valid_until?: string | undefined
    level?: string | undefined
  }) => {
    try {
      return toIndicator(row, 'indicator')
    } catch (error) {
      if (error instanceof WatchlistError) throw new ContractError('invalid_request', error.message)
      throw error
    }
  }
  return {
    'watchlist:add': (req) => {
      const indicator = checked(req)
      const row: WatchlistIndicator = {
        list: ANALYST_LIST,
        type: indicator.type,
        value: indicator.value,
        source: indicator.source,
        valid_until: indicator.valid_until,
        version: new Date().toISOString(),
        level: indicator.level ?? null,
      }
      audited(
        {
          action: 'add',
          object_type: 'watchlist',
          object_id: `${row.type}:${row.value}`,
          details: { ...row },
        },
        () =>
          db
            .prepare(
              `INSERT INTO watchlist_indicators (list, type, value, source, valid_until, version, level)
               VALUES (@list, @type, @value, @source, @valid_until, @version, @level)
               ON CONFLICT (list, type, value) DO UPDATE SET source = excluded.source,
                 valid_until = excluded.valid_until, version = excluded.version, level = excluded.level`,
            )
            .run(row),
      )
      return { indicator: row, watchlist_size: reload().indicators }
    },
    'watchlist:remove': (req) => {
      // Compared as stored: the same normalisation as on the way in.
      const { type, value } = checked({ type: req.type, value: req.value })
      const held = db
        .prepare('SELECT 1 FROM watchlist_indicators WHERE list = ? AND type = ? AND value = ?')
        .get(ANALYST_LIST, type, value)
      if (!held)
        throw new ContractError(
          'not_found',
          `the analyst list holds no ${type} ${value} (watchlist:list with list "analyst" shows it)`,
        )
      audited({ action: 'remove', object_type: 'watchlist', object_id: `${type}:${value}` }, () =>
        db
          .prepare('DELETE FROM watchlist_indicators WHERE list = ? AND type = ? AND value = ?')
          .run(ANALYST_LIST, type, value),
      )
      return { removed: true, watchlist_size: reload().indicators }
    },
  }
}

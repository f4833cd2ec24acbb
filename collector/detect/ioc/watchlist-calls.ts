/**
 * The analyst's own indicators: watchlist:add adds one to the list named `analyst` or, when the
 * list holds it already, replaces its level, validity and source (an edit); watchlist:remove drops
 * one. Content bundles install other lists, TAXII pulls their own: those are not edited here. Each
 * change is audited and reaches IOC matching at once, incrementally (the rest is not reloaded).
 */
import type { Database } from 'better-sqlite3'
import {
  ANALYST_LIST_NAME,
  ContractError,
  type CallRes,
  type ParsedReq,
  type WatchlistIndicator,
} from '../../contract'
import { toIndicator, WatchlistError } from '../../sync/bundle/watchlist'
import type { Audited } from '../rule-calls'
import type { WatchlistRow } from './ioc-index'

export const ANALYST_LIST = ANALYST_LIST_NAME

type WatchlistCall = 'watchlist:add' | 'watchlist:remove'
type Handlers = { [K in WatchlistCall]: (req: ParsedReq<K>) => CallRes<K> }

/** What IOC matching is told of one edit; each returns the indicators it holds. */
export type WatchlistMatching = {
  put: (row: WatchlistRow) => number
  delete: (list: string, type: string, value: string) => number
}

type Stored = Omit<WatchlistIndicator, 'hits' | 'last_hit_at'>

export const watchlistHandlers = (db: Database, audited: Audited, matching: WatchlistMatching): Handlers => {
  const checked = (row: Parameters<typeof toIndicator>[0]) => {
    try {
      return toIndicator(row, 'indicator')
    } catch (error) {
      if (error instanceof WatchlistError) throw new ContractError('invalid_request', error.message)
      throw error
    }
  }
  const held = (type: string, value: string): Stored | undefined =>
    db
      .prepare(
        `SELECT list, type, value, source, valid_from, valid_until, version, level FROM watchlist_indicators
         WHERE list = ? AND type = ? AND value = ?`,
      )
      .get(ANALYST_LIST, type, value) as Stored | undefined
  const hitsOf = (type: string, value: string) => {
    const row = db
      .prepare('SELECT hits, last_hit_at FROM watchlist_hits WHERE list = ? AND type = ? AND value = ?')
      .get(ANALYST_LIST, type, value) as { hits: number; last_hit_at: number | null } | undefined
    return {
      hits: row?.hits ?? 0,
      last_hit_at: row?.last_hit_at == null ? null : new Date(row.last_hit_at).toISOString(),
    }
  }
  return {
    'watchlist:add': (req) => {
      const indicator = checked(req)
      const row: Stored = {
        list: ANALYST_LIST,
        type: indicator.type,
        value: indicator.value,
        source: indicator.source,
        valid_from: indicator.valid_from ?? null,
        valid_until: indicator.valid_until,
        version: new Date().toISOString(),
        level: indicator.level ?? null,
      }
      const before = held(row.type, row.value)
      audited(
        {
          action: before ? 'update' : 'add',
          object_type: 'watchlist',
          object_id: `${row.type}:${row.value}`,
          details: before
            ? {
                ...row,
                before: {
                  source: before.source,
                  valid_from: before.valid_from,
                  valid_until: before.valid_until,
                  level: before.level,
                },
              }
            : { ...row },
        },
        () =>
          db
            .prepare(
              `INSERT INTO watchlist_indicators (list, type, value, source, valid_from, valid_until, version, level)
               VALUES (@list, @type, @value, @source, @valid_from, @valid_until, @version, @level)
               ON CONFLICT (list, type, value) DO UPDATE SET source = excluded.source,
                 valid_from = excluded.valid_from, valid_until = excluded.valid_until,
                 version = excluded.version, level = excluded.level`,
            )
            .run(row),
      )
      const size = matching.put(row)
      return {
        indicator: { ...row, ...hitsOf(row.type, row.value) },
        watchlist_size: size,
        updated: before !== undefined,
      }
    },
    'watchlist:remove': (req) => {
      // Compared as stored: the same normalisation as on the way in.
      const { type, value } = checked({ type: req.type, value: req.value })
      if (!held(type, value))
        throw new ContractError(
          'not_found',
          `the analyst list holds no ${type} ${value} (watchlist:list with list "analyst" shows it)`,
        )
      audited({ action: 'remove', object_type: 'watchlist', object_id: `${type}:${value}` }, () => {
        db.prepare('DELETE FROM watchlist_indicators WHERE list = ? AND type = ? AND value = ?').run(
          ANALYST_LIST,
          type,
          value,
        )
        // Added again later, it starts counting afresh.
        db.prepare('DELETE FROM watchlist_hits WHERE list = ? AND type = ? AND value = ?').run(
          ANALYST_LIST,
          type,
          value,
        )
      })
      return { removed: true, watchlist_size: matching.delete(ANALYST_LIST, type, value) }
    },
  }
}

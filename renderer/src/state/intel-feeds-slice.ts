import type { StateCreator } from 'zustand'
import {
  checkIndicator,
  type CallReq,
  type IndicatorField,
  type IndicatorInput,
  type TaxiiSource,
  type WatchlistIndicator,
} from '../../../collector/contract'
import type { AppState } from './store'

export type WatchlistSort = 'list' | 'hits' | 'last_hit'

/** What a save of the analyst's indicator says: done, or what is wrong by field ('form': the rest). */
export type WatchlistSaveResult =
  { ok: true; updated: boolean } | { ok: false; errors: Partial<Record<IndicatorField | 'form', string>> }

/** The watchlist shown at most (watchlist:list's limit); `watchlistTotal` says how many there are. */
export const WATCHLIST_LIMIT = 10_000

export type IntelFeedsSlice = {
  taxiiSources: TaxiiSource[] | null
  watchlist: WatchlistIndicator[]
  watchlistTotal: number
  intelError: string | null
  /** What the last Pull now did, for the status line. */
  intelNotice: string | null
  /** The source being pulled now ('' for all), else null. */
  taxiiPulling: string | null
  /** What the last edit of the analyst's list did, or why it failed. */
  watchlistNotice: string | null
  watchlistError: string | null
  /** The watchlist's order (watchlist:list sort). */
  watchlistSort: WatchlistSort
  loadIntelFeeds: () => Promise<void>
  taxiiPullNow: (source?: string) => Promise<void>
  setWatchlistSort: (sort: WatchlistSort) => Promise<void>
  /**
   * Adds an indicator to the analyst's list, or edits the one it holds (watchlist:add). Checked
   * here first with the core's own checks, so each problem shows beside its field.
   */
  watchlistSave: (input: IndicatorInput) => Promise<WatchlistSaveResult>
  /** Removes one of the analyst's indicators (watchlist:remove). */
  watchlistRemove: (type: string, value: string) => Promise<void>
  /** While the panel is shown, alert pushes reload the watchlist (its hit counts). */
  watchIntel: (on: boolean) => void
  /** The `alerts:raised` and `alerts:updated` pushes: an IOC match counts a hit either way. */
  intelHitsChanged: () => void
}

/** At most one watchlist reload per this long while alerts stream in (up to 10,000 rows each). */
export const HITS_RELOAD_MS = 2000

export const createIntelFeedsSlice =
  (transport: AppState['transport']): StateCreator<AppState, [], [], IntelFeedsSlice> =>
  (set, get) => {
    let watching = false
    let timer: ReturnType<typeof setTimeout> | undefined
    return {
      watchIntel(on) {
        watching = on
        if (!on && timer) {
          clearTimeout(timer)
          timer = undefined
        }
      },
      intelHitsChanged() {
        // Nothing to count hits on: no reload.
        if (!watching || timer || get().watchlistTotal === 0) return
        timer = setTimeout(() => {
          timer = undefined
          if (watching) void get().loadIntelFeeds()
        }, HITS_RELOAD_MS)
      },
      taxiiSources: null,
      watchlist: [],
      watchlistTotal: 0,
      intelError: null,
      intelNotice: null,
      taxiiPulling: null,
      watchlistSort: 'list',
      watchlistNotice: null,
      watchlistError: null,
      async loadIntelFeeds() {
        const sort = get().watchlistSort
        const [sources, watchlist] = await Promise.all([
          transport.invoke('taxii:sources', {}),
          transport.invoke('watchlist:list', {
            limit: WATCHLIST_LIMIT,
            ...(sort === 'list' ? {} : { sort }),
          }),
        ])
        const errors = [sources, watchlist].flatMap((r) => (r.ok ? [] : [r.error.message]))
        set({
          ...(sources.ok ? { taxiiSources: sources.value.sources } : {}),
          ...(watchlist.ok
            ? { watchlist: watchlist.value.indicators, watchlistTotal: watchlist.value.total }
            : {}),
          intelError: errors.length > 0 ? errors.join('; ') : null,
        })
      },
      async taxiiPullNow(source) {
        set({ taxiiPulling: source ?? '', intelError: null, intelNotice: null })
        const result = await transport.invoke('taxii:pull-now', source === undefined ? {} : { source })
        if (result.ok) {
          const failed = result.value.results.filter((r) => r.error !== null)
          const stored = result.value.results.reduce((sum, r) => sum + r.stored, 0)
          const removed = result.value.results.reduce((sum, r) => sum + r.removed, 0)
          set({
            taxiiPulling: null,
            intelNotice: `Pulled: ${stored} stored, ${removed} removed${failed.length > 0 ? `, ${failed.length} failed` : ''}`,
          })
        } else set({ taxiiPulling: null, intelError: result.error.message })
        await get().loadIntelFeeds()
      },
      async setWatchlistSort(sort) {
        set({ watchlistSort: sort })
        await get().loadIntelFeeds()
      },
      async watchlistSave(input) {
        const checked = checkIndicator(input)
        if (!checked.ok) return { ok: false, errors: checked.errors }
        const { type, value, source, valid_from, valid_until, level } = checked.indicator
        const req: CallReq<'watchlist:add'> = {
          type,
          value,
          ...(source === null ? {} : { source }),
          ...(valid_from === null ? {} : { valid_from }),
          ...(valid_until === null ? {} : { valid_until }),
          ...(level === null ? {} : { level }),
        }
        const result = await transport.invoke('watchlist:add', req)
        if (!result.ok) return { ok: false, errors: { form: result.error.message } }
        const { indicator, updated } = result.value
        set({
          watchlistNotice: `${updated ? 'Saved' : 'Added'} ${indicator.type} ${indicator.value}`,
          watchlistError: null,
        })
        await get().loadIntelFeeds()
        return { ok: true, updated }
      },
      async watchlistRemove(type, value) {
        const result = await transport.invoke('watchlist:remove', { type, value })
        if (result.ok) set({ watchlistNotice: `Removed ${type} ${value}`, watchlistError: null })
        else set({ watchlistNotice: null, watchlistError: result.error.message })
        await get().loadIntelFeeds()
      },
    }
  }

import type { StateCreator } from 'zustand'
import type { TaxiiSource, WatchlistIndicator } from '../../../collector/contract'
import type { AppState } from './store'

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
  loadIntelFeeds: () => Promise<void>
  taxiiPullNow: (source?: string) => Promise<void>
}

export const createIntelFeedsSlice =
  (transport: AppState['transport']): StateCreator<AppState, [], [], IntelFeedsSlice> =>
  (set, get) => ({
    taxiiSources: null,
    watchlist: [],
    watchlistTotal: 0,
    intelError: null,
    intelNotice: null,
    taxiiPulling: null,
    async loadIntelFeeds() {
      const [sources, watchlist] = await Promise.all([
        transport.invoke('taxii:sources', {}),
        transport.invoke('watchlist:list', { limit: WATCHLIST_LIMIT }),
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
  })

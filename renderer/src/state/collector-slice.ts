import type { StateCreator } from 'zustand'
import type { CallRes, DeadLetter, IngestToken, SourceCounters } from '../../../collector/contract'
import type { AppState } from './store'

/** One sample of the live chart: events/s per listener at a moment. */
export type RateSample = { t: number } & Record<string, number>
const HISTORY = 90

export type CollectorSlice = {
  collectorStats: CallRes<'collector:stats'> | null
  rateHistory: RateSample[]
  tokens: IngestToken[]
  deadLetters: DeadLetter[]
  collectorError: string | null
  refreshCollector: () => Promise<void>
  loadTokens: () => Promise<void>
  createToken: (name: string) => Promise<string | null>
  revokeToken: (id: string) => Promise<void>
  loadDeadLetters: () => Promise<void>
}

/** Sums events/s per listener over its sources: the chart's series. */
export const ratesByListener = (sources: readonly SourceCounters[]): Record<string, number> => {
  const out: Record<string, number> = {}
  for (const s of sources) out[s.listener] = (out[s.listener] ?? 0) + s.events_per_s
  return out
}

export const createCollectorSlice =
  (transport: AppState['transport']): StateCreator<AppState, [], [], CollectorSlice> =>
  (set, get) => ({
    collectorStats: null,
    rateHistory: [],
    tokens: [],
    deadLetters: [],
    collectorError: null,

    refreshCollector: async () => {
      const result = await transport.invoke('collector:stats', {})
      if (!result.ok) {
        set({ collectorError: result.error.message })
        return
      }
      const sample = { t: Date.now(), ...ratesByListener(result.value.sources) }
      set({
        collectorStats: result.value,
        collectorError: null,
        rateHistory: [...get().rateHistory, sample].slice(-HISTORY),
      })
    },

    loadTokens: async () => {
      const result = await transport.invoke('tokens:list', {})
      set(
        result.ok
          ? { tokens: result.value.tokens, collectorError: null }
          : { collectorError: result.error.message },
      )
    },

    createToken: async (name) => {
      const result = await transport.invoke('tokens:create', { name })
      if (!result.ok) return result.error.message
      await get().loadTokens()
      return null
    },

    revokeToken: async (id) => {
      const result = await transport.invoke('tokens:revoke', { id })
      if (!result.ok) set({ collectorError: result.error.message })
      await get().loadTokens()
    },

    loadDeadLetters: async () => {
      const result = await transport.invoke('collector:dead-letters', { limit: 50 })
      set(result.ok ? { deadLetters: result.value.dead_letters } : { collectorError: result.error.message })
    },
  })

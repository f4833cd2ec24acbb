import type { StateCreator } from 'zustand'
import type {
  CallRes,
  DeadLetter,
  IngestToken,
  MetricSample,
  MetricSource,
  SourceCounters,
} from '../../../collector/contract'
import type { AppState } from './store'

/** One sample of the live chart: events/s per listener at a moment. */
export type RateSample = { t: number } & Record<string, number>
const HISTORY = 90
/** Charts drawn for one source at most; each is one small bucketed query. */
export const MAX_METRIC_CHARTS = 12
const METRIC_WINDOW_MS = 3600_000
const METRIC_BUCKETS = 60

export type CollectorSlice = {
  collectorStats: CallRes<'collector:stats'> | null
  rateHistory: RateSample[]
  tokens: IngestToken[]
  deadLetters: DeadLetter[]
  collectorError: string | null
  metricSources: MetricSource[]
  metricSource: string | null
  /** The chosen source's series, by name, bucketed by the core. */
  metricSeries: Record<string, MetricSample[]>
  refreshMetrics: () => Promise<void>
  selectMetricSource: (source: string) => Promise<void>
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
    metricSources: [],
    metricSource: null,
    metricSeries: {},

    refreshMetrics: async () => {
      const result = await transport.invoke('metrics:sources', {})
      if (!result.ok) {
        set({ collectorError: result.error.message })
        return
      }
      const sources = result.value.sources
      const chosen = get().metricSource
      const source = sources.find((s) => s.source === chosen) ?? sources[0]
      if (!source) {
        set({ metricSources: sources, metricSource: null, metricSeries: {} })
        return
      }
      const now = Date.now()
      const entries = await Promise.all(
        source.series.slice(0, MAX_METRIC_CHARTS).map(async (series) => {
          // The last hour; a series that went quiet earlier shows its own last hour instead of nothing.
          const to =
            series.last_ts < now - METRIC_WINDOW_MS ? series.last_ts + 1 : Math.max(now, series.last_ts + 1)
          const points = await transport.invoke('metrics:series', {
            source: source.source,
            name: series.name,
            from: Math.max(0, to - METRIC_WINDOW_MS),
            to,
            buckets: METRIC_BUCKETS,
          })
          return [series.name, points.ok ? points.value.points : []] as const
        }),
      )
      // The user may have picked another source meanwhile: keep the newer choice.
      if (get().metricSource !== chosen) return
      set({ metricSources: sources, metricSource: source.source, metricSeries: Object.fromEntries(entries) })
    },

    selectMetricSource: async (source) => {
      set({ metricSource: source, metricSeries: {} })
      await get().refreshMetrics()
    },

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

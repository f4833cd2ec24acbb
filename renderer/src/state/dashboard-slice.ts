import type { StateCreator } from 'zustand'
import type { CallRes } from '../../../collector/contract'
import { TIME_PRESETS, type TimePreset } from './hunt-slice'
import type { AppState } from './store'

/** Points per series: the charts redraw a few hundred values at most. */
export const DASHBOARD_BUCKETS = 48
/** While pushes arrive the dashboard reloads at most this often. */
export const DASHBOARD_REFRESH_MS = 5000
/** Pushed events reach the DuckDB archive a moment after SQLite (batched): wait for them. */
const ARCHIVE_SETTLE_MS = 1000

export type DashboardSummary = CallRes<'dashboard:summary'>
/** The ATT&CK tactics in matrix order, for a heat strip that keeps its columns when counts are zero. */
export type TacticColumn = { shortname: string; name: string }

export type DashboardSlice = {
  dashboardPreset: TimePreset
  dashboard: DashboardSummary | null
  dashboardError: string | null
  dashboardLoading: boolean
  dashboardTactics: TacticColumn[]
  loadDashboard: () => Promise<void>
  setDashboardPreset: (preset: TimePreset) => Promise<void>
  /** The Dashboard view is on screen: pushes then refresh it (throttled). */
  watchDashboard: (on: boolean) => void
  /** Events, alerts or incidents changed somewhere. */
  dashboardChanged: () => void
}

/** Per-series points merged into rows for a stacked chart: `{ t, [series]: count }`. */
export const stackSeries = (
  series: ReadonlyArray<{ name: string; points: ReadonlyArray<{ t: number; count: number }> }>,
): Array<Record<string, number>> => {
  const rows = new Map<number, Record<string, number>>()
  for (const s of series)
    for (const p of s.points) {
      const row = rows.get(p.t) ?? { t: p.t }
      row[s.name] = (row[s.name] ?? 0) + p.count
      rows.set(p.t, row)
    }
  return [...rows.values()].sort((a, b) => a.t! - b.t!)
}

export const createDashboardSlice =
  (transport: AppState['transport']): StateCreator<AppState, [], [], DashboardSlice> =>
  (set, get) => {
    let generation = 0
    let watched = false
    let lastLoad = 0
    let timer: ReturnType<typeof setTimeout> | null = null
    let tacticsAsked = false

    const loadTactics = async (): Promise<void> => {
      tacticsAsked = true
      const result = await transport.invoke('attack:matrix', {})
      if (!result.ok) {
        tacticsAsked = false
        return
      }
      set({
        dashboardTactics: result.value.tactics
          .filter((t) => t.id !== '')
          .map((t) => ({ shortname: t.shortname, name: t.name })),
      })
    }

    return {
      dashboardPreset: '24h',
      dashboard: null,
      dashboardError: null,
      dashboardLoading: false,
      dashboardTactics: [],

      async loadDashboard() {
        const mine = ++generation
        lastLoad = Date.now()
        if (!tacticsAsked) void loadTactics()
        set({ dashboardLoading: true })
        const preset = TIME_PRESETS.find((p) => p.id === get().dashboardPreset)!
        const result = await transport.invoke('dashboard:summary', {
          from: preset.relative,
          buckets: DASHBOARD_BUCKETS,
          top: 10,
        })
        if (mine !== generation) return
        if (!result.ok) return set({ dashboardLoading: false, dashboardError: result.error.message })
        set({ dashboard: result.value, dashboardError: null, dashboardLoading: false })
      },

      async setDashboardPreset(dashboardPreset) {
        set({ dashboardPreset })
        await get().loadDashboard()
      },

      watchDashboard(on) {
        watched = on
        if (!on && timer) {
          clearTimeout(timer)
          timer = null
        }
      },

      dashboardChanged() {
        if (!watched || timer) return
        const wait = Math.max(ARCHIVE_SETTLE_MS, lastLoad + DASHBOARD_REFRESH_MS - Date.now())
        timer = setTimeout(() => {
          timer = null
          if (watched) void get().loadDashboard()
        }, wait)
      },
    }
  }

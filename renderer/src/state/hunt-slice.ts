import type { StateCreator } from 'zustand'
import type {
  CallReq,
  CallRes,
  EventPayload,
  FieldSummary,
  HuntEvent,
  HuntExportFormat,
  SavedHunt,
} from '../../../collector/contract'
import { download, toBytes } from './reports-slice'
import type { AppState } from './store'

/** Rows asked per page; the table is virtualized and pages on as it scrolls. */
export const HUNT_PAGE = 1000
/** Histogram points: few enough for recharts to redraw at once. */
export const HUNT_BUCKETS = 60

export const TIME_PRESETS = [
  { id: '15m', label: 'Last 15 minutes', ms: 15 * 60_000, relative: '-15m' },
  { id: '1h', label: 'Last hour', ms: 3600_000, relative: '-1h' },
  { id: '24h', label: 'Last 24 hours', ms: 24 * 3600_000, relative: '-24h' },
  { id: '7d', label: 'Last 7 days', ms: 7 * 24 * 3600_000, relative: '-7d' },
  { id: '30d', label: 'Last 30 days', ms: 30 * 24 * 3600_000, relative: '-30d' },
] as const
export type TimePreset = (typeof TIME_PRESETS)[number]['id']

/** A preset (up to now, no upper bound) or custom ISO-8601 bounds (either may be open). */
export type TimeRange = { preset: TimePreset } | { preset: 'custom'; from: string | null; to: string | null }

/** The bounds sent to the core. A preset is pinned when a hunt runs, so paging sees one window. */
export const rangeBounds = (range: TimeRange, now: number): { from?: string; to?: string } => {
  if (range.preset !== 'custom') {
    const preset = TIME_PRESETS.find((p) => p.id === range.preset)!
    return { from: new Date(now - preset.ms).toISOString() }
  }
  return { ...(range.from && { from: range.from }), ...(range.to && { to: range.to }) }
}

/** As saved with a hunt: relative for a preset (`-24h`), else the custom bounds. */
export const savedBounds = (range: TimeRange): { from: string | null; to: string | null } =>
  range.preset === 'custom'
    ? { from: range.from, to: range.to }
    : { from: TIME_PRESETS.find((p) => p.id === range.preset)!.relative, to: null }

export const rangeFromSaved = (hunt: Pick<SavedHunt, 'from' | 'to'>): TimeRange => {
  const preset = TIME_PRESETS.find((p) => p.relative === hunt.from)
  if (preset && hunt.to === null) return { preset: preset.id }
  return { preset: 'custom', from: hunt.from, to: hunt.to }
}

/** The core names where a query stops parsing: `…: query: position 12: expected a term`. */
export type QuerySyntaxError = { query: string; position: number; expected: string }
export const parseSyntaxError = (query: string, message: string): QuerySyntaxError | null => {
  const match = /query: position (\d+): (.*)$/s.exec(message)
  return match ? { query, position: Number(match[1]), expected: match[2]! } : null
}

/** `field:"value"` with the phrase escaped as the query language wants (\" and \\). */
export const fieldTerm = (field: string, value: string): string =>
  `${field}:"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`

/** Adds a clause to a query; a query with OR is bracketed so the clause narrows all of it. */
export const refineQuery = (query: string, field: string, value: string, exclude: boolean): string => {
  const clause = (exclude ? 'NOT ' : '') + fieldTerm(field, value)
  const base = query.trim()
  if (!base) return clause
  return `${/\bOR\b/.test(base) ? `(${base})` : base} AND ${clause}`
}

export type HuntExport = {
  /** The export's id: its progress pushes and its cancel name it. */
  id: string
  format: HuntExportFormat
  state: 'running' | 'done' | 'failed' | 'cancelled'
  /** DuckDB's progress while it runs (percentage -1: it cannot tell yet). */
  progress: Pick<EventPayload<'hunt:export-progress'>, 'phase' | 'percentage' | 'rows'> | null
  result: Omit<CallRes<'hunt:export'>, 'content_base64'> | null
  error: string | null
}

export const HUNT_EXPORT_FORMATS: ReadonlyArray<{
  format: HuntExportFormat
  label: string
  extension: string
}> = [
  { format: 'csv', label: 'CSV', extension: 'csv' },
  { format: 'ndjson', label: 'NDJSON', extension: 'ndjson' },
  { format: 'parquet', label: 'Parquet', extension: 'parquet' },
]

/** What the results on screen are for: the query and bounds as they were sent. */
export type HuntRun = { query: string; from?: string; to?: string }

export type SqlRun = {
  id: string
  sql: string
  state: 'running' | 'done' | 'failed' | 'cancelled'
  result: CallRes<'hunt:sql'> | null
  error: string | null
}

export type SigmaDraft = { title: string; yaml: string; warnings: string[] }

export type HuntSlice = {
  /** The filter bar's text (not yet run). */
  huntQuery: string
  huntRange: TimeRange
  huntRun: HuntRun | null
  huntRows: HuntEvent[]
  huntTotal: number
  huntTotalCapped: boolean
  /** More rows to page in: below the total, or (a capped total) the last page came full. */
  huntHasMore: boolean
  huntTookMs: number | null
  huntLoading: boolean
  huntError: string | null
  huntSyntaxError: QuerySyntaxError | null
  huntHistogram: CallRes<'hunt:histogram'> | null
  huntFields: FieldSummary[]
  huntExport: HuntExport | null
  sqlRun: SqlRun | null
  savedHunts: SavedHunt[]
  savedHuntsError: string | null
  sigmaDraft: SigmaDraft | null
  archiveStatus: CallRes<'archive:status'> | null
  archiveError: string | null
  setHuntQuery: (query: string) => void
  setHuntRange: (range: TimeRange) => void
  /** Runs the bar's query over the range: rows, histogram and field summaries, side by side. */
  runHunt: () => Promise<void>
  loadMoreHunt: () => Promise<void>
  /** A field value from the sidebar: narrows (or, `exclude`, leaves out) and runs again. */
  refineHunt: (field: string, value: string, exclude: boolean) => Promise<void>
  /** A histogram bar or brushed span: a custom range, run again. */
  narrowHuntTime: (fromMs: number, toMs: number) => Promise<void>
  /** Browser: downloaded; desktop: written where the save dialog says. */
  exportHunt: (format: HuntExportFormat) => Promise<void>
  cancelHuntExport: () => Promise<void>
  /** A `hunt:export-progress` push. */
  huntExportProgress: (progress: EventPayload<'hunt:export-progress'>) => void
  runSql: (sql: string, limit: number, timeoutMs: number) => Promise<void>
  cancelSql: () => Promise<void>
  loadSavedHunts: () => Promise<void>
  saveHunt: (name: string, scheduleMinutes: number | null) => Promise<boolean>
  runSavedHunt: (id: string) => Promise<void>
  deleteSavedHunt: (id: string) => Promise<void>
  /**
   * hunts:to-sigma: the draft opens in the rule editor (true) unless the core had warnings,
   * which are kept in `sigmaDraft` for the analyst to read first (false).
   */
  huntToSigma: (query: string, title: string) => Promise<boolean>
  openSigmaDraft: () => void
  closeSigmaDraft: () => void
  loadArchiveStatus: () => Promise<void>
}

export const createHuntSlice =
  (transport: AppState['transport']): StateCreator<AppState, [], [], HuntSlice> =>
  (set, get) => {
    let runGeneration = 0

    const runWith = async (run: HuntRun): Promise<void> => {
      const generation = ++runGeneration
      set({ huntRun: run, huntLoading: true, huntError: null, huntSyntaxError: null })
      const failed = (message: string): void => {
        if (generation !== runGeneration) return
        const syntax = parseSyntaxError(run.query, message)
        if (syntax) set({ huntSyntaxError: syntax, huntLoading: false })
        else set({ huntError: message, huntLoading: false })
      }
      const search = transport
        .invoke('hunt:search', { ...run, limit: HUNT_PAGE, offset: 0 })
        .then((result) => {
          if (generation !== runGeneration) return
          if (!result.ok) return failed(result.error.message)
          const { rows, total, total_capped: capped } = result.value
          set({
            huntRows: rows,
            huntTotal: total,
            huntTotalCapped: capped,
            huntHasMore: capped ? rows.length === HUNT_PAGE : rows.length < total,
            huntTookMs: result.value.took_ms,
            huntLoading: false,
          })
        })
      const histogram = transport
        .invoke('hunt:histogram', { ...run, buckets: HUNT_BUCKETS })
        .then((result) => {
          if (generation !== runGeneration) return
          // A syntax error is the search's to report; the chart just keeps what it had.
          if (result.ok) set({ huntHistogram: result.value })
        })
      const fields = transport.invoke('hunt:fields', { ...run, top: 5 }).then((result) => {
        if (generation !== runGeneration) return
        if (result.ok) set({ huntFields: result.value.fields })
      })
      await Promise.all([search, histogram, fields])
    }

    const currentRun = (): HuntRun => ({
      query: get().huntQuery.trim(),
      ...rangeBounds(get().huntRange, Date.now()),
    })

    return {
      huntQuery: '',
      huntRange: { preset: '24h' },
      huntRun: null,
      huntRows: [],
      huntTotal: 0,
      huntTotalCapped: false,
      huntHasMore: false,
      huntTookMs: null,
      huntLoading: false,
      huntError: null,
      huntSyntaxError: null,
      huntHistogram: null,
      huntFields: [],
      huntExport: null,
      sqlRun: null,
      savedHunts: [],
      savedHuntsError: null,
      sigmaDraft: null,
      archiveStatus: null,
      archiveError: null,

      setHuntQuery(huntQuery) {
        set({ huntQuery })
      },

      setHuntRange(huntRange) {
        set({ huntRange })
      },

      async runHunt() {
        await runWith(currentRun())
      },

      async loadMoreHunt() {
        const { huntRun, huntRows, huntHasMore, huntLoading } = get()
        // The core pages by offset up to a million rows.
        if (!huntRun || huntLoading || !huntHasMore || huntRows.length >= 1_000_000) return
        const generation = runGeneration
        set({ huntLoading: true })
        const result = await transport.invoke('hunt:search', {
          ...huntRun,
          limit: HUNT_PAGE,
          offset: huntRows.length,
        })
        if (generation !== runGeneration) return
        if (!result.ok)
          return set({ huntLoading: false, huntHasMore: false, huntError: result.error.message })
        const { rows, total, total_capped: capped } = result.value
        // Events archived meanwhile shift the offsets: what was seen already is not shown twice.
        const seen = new Set(huntRows.map((r) => r.seq))
        const fresh = rows.filter((r) => !seen.has(r.seq))
        const all = fresh.length > 0 ? [...huntRows, ...fresh] : huntRows
        set({
          huntRows: all,
          huntTotal: total,
          huntTotalCapped: capped,
          // Nothing new: stop paging rather than ask the same page again.
          huntHasMore: fresh.length > 0 && (capped ? rows.length === HUNT_PAGE : all.length < total),
          huntLoading: false,
        })
      },

      async refineHunt(field, value, exclude) {
        set({ huntQuery: refineQuery(get().huntQuery, field, value, exclude) })
        await get().runHunt()
      },

      async narrowHuntTime(fromMs, toMs) {
        const [lo, hi] = fromMs <= toMs ? [fromMs, toMs] : [toMs, fromMs]
        set({
          huntRange: { preset: 'custom', from: new Date(lo).toISOString(), to: new Date(hi).toISOString() },
        })
        await get().runHunt()
      },

      async exportHunt(format) {
        const run = get().huntRun ?? currentRun()
        const id = crypto.randomUUID()
        const running: HuntExport = {
          id,
          format,
          state: 'running',
          progress: null,
          result: null,
          error: null,
        }
        set({ huntExport: running })
        const fail = (message: string): void => {
          const current = get().huntExport
          if (current?.id !== id) return
          // A cancel the analyst asked for is not a failure.
          if (current.state === 'cancelled') return
          set({ huntExport: { ...current, state: 'failed', error: message } })
        }
        const extension = HUNT_EXPORT_FORMATS.find((f) => f.format === format)?.extension ?? format
        let path: string | undefined
        if (transport.kind === 'ipc') {
          const chosen = await transport.invoke('dialog:save', {
            title: 'Export hunt results',
            default_name: `hunt.${extension}`,
            filters: [{ name: format.toUpperCase(), extensions: [extension] }],
          })
          if (!chosen.ok) return fail(chosen.error.message)
          if (chosen.value.path === null) return set({ huntExport: null }) // cancelled
          path = chosen.value.path
        }
        const req: CallReq<'hunt:export'> = {
          ...run,
          format,
          export_id: id,
          ...(path !== undefined && { path }),
        }
        const result = await transport.invoke('hunt:export', req)
        if (!result.ok) return fail(result.error.message)
        const { content_base64: base64, ...rest } = result.value
        if (path === undefined) {
          if (base64 === null) return fail('The core returned no file to download.')
          download(rest.name, rest.media_type, toBytes(base64))
        }
        if (get().huntExport?.id === id)
          set({ huntExport: { ...running, state: 'done', progress: null, result: rest } })
      },

      async cancelHuntExport() {
        const current = get().huntExport
        if (current?.state !== 'running') return
        set({ huntExport: { ...current, state: 'cancelled' } })
        await transport.invoke('hunt:cancel', { query_id: current.id })
      },

      huntExportProgress({ export_id, phase, percentage, rows }) {
        const current = get().huntExport
        if (current?.id !== export_id || current.state !== 'running') return
        set({ huntExport: { ...current, progress: { phase, percentage, rows } } })
      },

      async runSql(sql, limit, timeoutMs) {
        const id = crypto.randomUUID()
        set({ sqlRun: { id, sql, state: 'running', result: null, error: null } })
        const result = await transport.invoke('hunt:sql', { sql, limit, timeout_ms: timeoutMs, query_id: id })
        const current = get().sqlRun
        if (current?.id !== id) return // a newer statement replaced it
        if (result.ok) return set({ sqlRun: { ...current, state: 'done', result: result.value } })
        set({
          sqlRun: {
            ...current,
            state: current.state === 'cancelled' ? 'cancelled' : 'failed',
            error: result.error.message,
          },
        })
      },

      async cancelSql() {
        const run = get().sqlRun
        if (run?.state !== 'running') return
        set({ sqlRun: { ...run, state: 'cancelled' } })
        const result = await transport.invoke('hunt:cancel', { query_id: run.id })
        // It had finished meanwhile (or the core refused): say so rather than claim a cancel.
        if (!result.ok && get().sqlRun?.id === run.id)
          set({ sqlRun: { ...get().sqlRun!, error: result.error.message } })
      },

      async loadSavedHunts() {
        const result = await transport.invoke('hunts:list', {})
        set(
          result.ok
            ? { savedHunts: result.value.hunts, savedHuntsError: null }
            : { savedHuntsError: result.error.message },
        )
      },

      async saveHunt(name, scheduleMinutes) {
        const result = await transport.invoke('hunts:save', {
          name,
          query: get().huntQuery.trim(),
          ...savedBounds(get().huntRange),
          schedule_minutes: scheduleMinutes,
        })
        if (!result.ok) {
          set({ savedHuntsError: result.error.message })
          return false
        }
        await get().loadSavedHunts()
        return true
      },

      async runSavedHunt(id) {
        const hunt = get().savedHunts.find((h) => h.id === id)
        if (!hunt) return
        set({ huntQuery: hunt.query, huntRange: rangeFromSaved(hunt) })
        // The core counts it and records the run (last run, count); the results show here.
        const [recorded] = await Promise.all([transport.invoke('hunts:run', { id }), get().runHunt()])
        if (recorded.ok)
          set({ savedHunts: get().savedHunts.map((h) => (h.id === id ? recorded.value.hunt : h)) })
        else set({ savedHuntsError: recorded.error.message })
      },

      async deleteSavedHunt(id) {
        const result = await transport.invoke('hunts:delete', { id })
        if (!result.ok) set({ savedHuntsError: result.error.message })
        await get().loadSavedHunts()
      },

      async huntToSigma(query, title) {
        const result = await transport.invoke('hunts:to-sigma', { query, ...(title.trim() && { title }) })
        if (!result.ok) {
          set({ savedHuntsError: result.error.message })
          return false
        }
        set({ sigmaDraft: { title, ...result.value } })
        if (result.value.warnings.length > 0) return false
        get().openSigmaDraft()
        return true
      },

      openSigmaDraft() {
        const draft = get().sigmaDraft
        if (!draft) return
        get().newRule(draft.yaml)
        set({ sigmaDraft: null })
      },

      closeSigmaDraft() {
        set({ sigmaDraft: null })
      },

      async loadArchiveStatus() {
        const result = await transport.invoke('archive:status', {})
        set(
          result.ok
            ? { archiveStatus: result.value, archiveError: null }
            : { archiveError: result.error.message },
        )
      },
    }
  }

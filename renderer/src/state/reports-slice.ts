import type { StateCreator } from 'zustand'
import type {
  CallReq,
  CallRes,
  ObservableType,
  Report,
  ReportStatus,
  ReportSummary,
  Tlp,
} from '../../../collector/contract'
import type { AppState } from './store'

export const TECHNIQUE_ID = /^T\d{4}(\.\d{3})?$/
/** How many recent alerts "techniques from alerts" looks at. */
const ALERTS_FOR_TECHNIQUES = 500

export type ExportFormat = CallReq<'reports:export'>['format']
export type ReportExport = {
  format: ExportFormat
  state: 'running' | 'done' | 'failed'
  result: Omit<CallRes<'reports:export'>, 'content_base64'> | null
  error: string | null
}

export type DraftObservable = { type: ObservableType; value: string; note: string }

/** The report in the editor: a stored one (id, version) or a new one until it is saved. */
export type ReportDraft = {
  id: string | null
  version: number | null
  status: ReportStatus
  title: string
  body: string
  tlp: Tlp
  labels: string[]
  techniques: string[]
  observables: DraftObservable[]
  operation_id: string | null
  incidents: string[]
  assets: string[]
  dirty: boolean
  saving: boolean
  /** A stored version is newer than the one edited: the draft is kept, the user reloads. */
  conflict: boolean
  error: string | null
  /** Field ("title", "observables.2", "techniques") -> the message that names it. */
  fieldErrors: Record<string, string>
}

export type ReportsFilter = { query: string; status: ReportStatus | null }

export type ReportsSlice = {
  reports: ReportSummary[]
  reportsTotal: number
  reportsLoading: boolean
  /** Whether the list was ever asked for: a reconnect then refreshes it. */
  reportsLoaded: boolean
  reportsError: string | null
  reportsFilter: ReportsFilter
  reportDraft: ReportDraft | null
  /** Names of technique ids, when an ATT&CK set is imported. */
  techniqueNames: Record<string, string>
  /** Techniques seen on recent alerts, newest first, for "add from alerts". */
  alertTechniques: string[] | null
  reportExport: ReportExport | null
  /** The open report's saved versions, newest first; one of them shown whole. */
  reportVersions: CallRes<'reports:versions'>['versions'] | null
  reportVersionShown: CallRes<'reports:versions'>['versions'][number] | null
  reportVersionsError: string | null
  loadReportVersions: () => Promise<void>
  showReportVersion: (version: number | null) => Promise<void>
  loadReports: () => Promise<void>
  setReportsFilter: (patch: Partial<ReportsFilter>) => Promise<void>
  openReport: (id: string) => Promise<void>
  newReport: () => void
  closeReport: () => void
  editReport: (
    patch: Partial<
      Pick<ReportDraft, 'title' | 'body' | 'tlp' | 'labels' | 'operation_id' | 'incidents' | 'assets'>
    >,
  ) => void
  addObservable: () => void
  editObservable: (index: number, patch: Partial<DraftObservable>) => void
  removeObservable: (index: number) => void
  /** False (and a field error) when the id is not a technique id. */
  addTechnique: (id: string) => boolean
  removeTechnique: (id: string) => void
  loadAlertTechniques: () => Promise<void>
  saveReport: () => Promise<boolean>
  setReportStatus: (status: ReportStatus) => Promise<boolean>
  /** Browser: the file is downloaded; desktop: written where the save dialog says. */
  exportReport: (format: ExportFormat) => Promise<void>
}

/** The statuses a report may move to from its current one (the core enforces the same). */
export const nextStatuses = (status: ReportStatus): ReportStatus[] =>
  status === 'draft' ? ['review'] : status === 'review' ? ['published', 'draft'] : ['draft']

/** Which field an error message names, so the view can show it next to that field. */
export const errorField = (message: string): string | null => {
  const observable = /\bobservables\.(\d+)/.exec(message)
  if (observable) return `observables.${observable[1]}`
  if (/\btechniques\b/.test(message)) return 'techniques'
  if (/\btitle\b/.test(message)) return 'title'
  if (/\blabels\b/.test(message)) return 'labels'
  if (/\boperation_id\b/.test(message)) return 'operation_id'
  if (/\bincidents\b/.test(message)) return 'incidents'
  if (/\bassets\b/.test(message)) return 'assets'
  return null
}

export const EXPORT_FORMATS: ReadonlyArray<{ format: ExportFormat; label: string; extension: string }> = [
  { format: 'stix', label: 'STIX', extension: 'json' },
  { format: 'html', label: 'HTML', extension: 'html' },
  { format: 'md', label: 'Markdown', extension: 'md' },
  { format: 'pdf', label: 'PDF', extension: 'pdf' },
  { format: 'csv', label: 'CSV', extension: 'csv' },
  { format: 'misp', label: 'MISP', extension: 'json' },
  { format: 'navigator', label: 'Navigator', extension: 'json' },
]

/** Every format with the evidence files and a manifest of digests: for incidents. */
export const PACKAGE_FORMAT: (typeof EXPORT_FORMATS)[number] = {
  format: 'package',
  label: 'Package (zip)',
  extension: 'zip',
}

const draftFrom = (report: Report): ReportDraft => ({
  id: report.id,
  version: report.version,
  status: report.status,
  title: report.title,
  body: report.body,
  tlp: report.tlp,
  labels: report.labels,
  techniques: report.techniques,
  observables: report.observables.map((o) => ({ type: o.type, value: o.value, note: o.note ?? '' })),
  operation_id: report.operation_id,
  incidents: report.incidents,
  assets: report.assets,
  dirty: false,
  saving: false,
  conflict: false,
  error: null,
  fieldErrors: {},
})

const emptyDraft = (): ReportDraft => ({
  id: null,
  version: null,
  status: 'draft',
  title: '',
  body: '',
  tlp: 'amber',
  labels: [],
  techniques: [],
  observables: [],
  operation_id: null,
  incidents: [],
  assets: [],
  dirty: false,
  saving: false,
  conflict: false,
  error: null,
  fieldErrors: {},
})

/** Rows left wholly empty are not sent; the core numbers the rest from 0. */
const sentRows = (draft: ReportDraft): number[] =>
  draft.observables.flatMap((o, i) => (o.value.trim() !== '' || o.note.trim() !== '' ? [i] : []))

const content = (draft: ReportDraft) => ({
  title: draft.title,
  body: draft.body,
  tlp: draft.tlp,
  labels: draft.labels.map((l) => l.trim()).filter(Boolean),
  techniques: draft.techniques,
  operation_id: draft.operation_id,
  incidents: draft.incidents,
  assets: draft.assets.map((a) => a.trim()).filter(Boolean),
  observables: sentRows(draft).flatMap((i) => {
    const o = draft.observables[i]
    return o ? [{ type: o.type, value: o.value.trim(), ...(o.note.trim() && { note: o.note.trim() }) }] : []
  }),
})

/** A report just opened, new or closed shows no history until asked. */
const NO_HISTORY = { reportVersions: null, reportVersionShown: null, reportVersionsError: null } as const

export const toBytes = (base64: string): Uint8Array<ArrayBuffer> => {
  const binary = atob(base64)
  const bytes = new Uint8Array(binary.length)
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i)
  return bytes
}

/** A browser download of bytes the core handed back, under the name it chose. */
export const download = (name: string, mediaType: string, bytes: Uint8Array<ArrayBuffer>): void => {
  const url = URL.createObjectURL(new Blob([bytes], { type: mediaType }))
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.append(a)
  a.click()
  a.remove()
  // The click has started the download; the URL is no longer needed after this turn.
  setTimeout(() => URL.revokeObjectURL(url), 0)
}

/**
 * Exports a report or an incident: on the desktop to where the save dialog says, in the browser
 * as a download. `set` follows it (running, done, failed; null when the dialog is cancelled).
 */
export const runExport = async (
  transport: AppState['transport'],
  options: {
    call: 'reports:export' | 'incidents:export'
    id: string
    title: string
    format: ExportFormat
    set: (state: ReportExport | null) => void
  },
): Promise<void> => {
  const { call, id, title, format, set } = options
  const running: ReportExport = { format, state: 'running', result: null, error: null }
  set(running)
  const fail = (message: string): void => set({ ...running, state: 'failed', error: message })
  let path: string | undefined
  if (transport.kind === 'ipc') {
    const extension =
      [...EXPORT_FORMATS, PACKAGE_FORMAT].find((f) => f.format === format)?.extension ?? format
    const chosen = await transport.invoke('dialog:save', {
      title: call === 'reports:export' ? 'Export report' : 'Export incident',
      default_name: `${title}.${extension}`,
      filters: [{ name: format.toUpperCase(), extensions: [extension] }],
    })
    if (!chosen.ok) return fail(chosen.error.message)
    if (chosen.value.path === null) return set(null) // cancelled
    path = chosen.value.path
  }
  // The core runs it as a task: its bar and Cancel are in the tray, and its toast says the result.
  const result = await transport.invoke(call, { id, format, ...(path !== undefined && { path }) })
  if (!result.ok && result.error.code === 'cancelled') return set(null)
  if (!result.ok) return fail(result.error.message)
  const { content_base64: base64, ...rest } = result.value
  if (path === undefined) {
    if (base64 === null) return fail('The core returned no file to download.')
    download(rest.name, rest.media_type, toBytes(base64))
  }
  set({ format, state: 'done', result: rest, error: null })
}

export const createReportsSlice =
  (transport: AppState['transport']): StateCreator<AppState, [], [], ReportsSlice> =>
  (set, get) => {
    let loadGeneration = 0

    const patchDraft = (patch: Partial<ReportDraft>): void => {
      const draft = get().reportDraft
      if (draft) set({ reportDraft: { ...draft, ...patch } })
    }
    const editDraft = (patch: Partial<ReportDraft>): void => patchDraft({ ...patch, dirty: true })

    /** `rows`: the draft row of each observable sent, so an error names the row on screen. */
    const failDraft = (code: string, message: string, rows: readonly number[]): void => {
      if (code === 'conflict') {
        patchDraft({ saving: false, conflict: true, error: 'Someone saved a newer version: reload.' })
        return
      }
      const named = errorField(message)
      const sent = named?.startsWith('observables.') ? Number(named.slice('observables.'.length)) : null
      const field = sent === null ? named : `observables.${rows[sent] ?? sent}`
      patchDraft({
        saving: false,
        error: field === null ? message : null,
        fieldErrors: field === null ? {} : { [field]: message },
      })
    }

    const nameTechniques = async (ids: readonly string[]): Promise<void> => {
      const unknown = ids.filter((id) => !(id in get().techniqueNames))
      if (unknown.length === 0) return
      const result = await transport.invoke('attack:techniques', { ids: unknown })
      // Without an ATT&CK set the ids stand alone: not an error worth showing.
      if (result.ok) set({ techniqueNames: { ...get().techniqueNames, ...result.value.names } })
    }

    const stored = async (report: Report): Promise<void> => {
      set({ reportDraft: draftFrom(report) })
      // A save is a new version: a history already shown gets it.
      const history = get().reportVersions ? get().loadReportVersions() : Promise.resolve()
      await Promise.all([get().loadReports(), nameTechniques(report.techniques), history])
    }

    return {
      reports: [],
      reportsTotal: 0,
      reportsLoading: false,
      reportsLoaded: false,
      reportsError: null,
      reportsFilter: { query: '', status: null },
      reportDraft: null,
      techniqueNames: {},
      alertTechniques: null,
      reportExport: null,
      reportVersions: null,
      reportVersionShown: null,
      reportVersionsError: null,

      async loadReportVersions() {
        const id = get().reportDraft?.id
        if (!id) return
        const result = await transport.invoke('reports:versions', { id })
        if (get().reportDraft?.id !== id) return
        if (!result.ok) return set({ reportVersionsError: result.error.message })
        set({ reportVersions: result.value.versions, reportVersionsError: null })
      },

      async showReportVersion(version) {
        const id = get().reportDraft?.id
        if (!id || version === null) return set({ reportVersionShown: null })
        const result = await transport.invoke('reports:versions', { id, version })
        if (get().reportDraft?.id !== id) return
        if (!result.ok) return set({ reportVersionsError: result.error.message })
        set({ reportVersionShown: result.value.versions[0] ?? null, reportVersionsError: null })
      },

      async loadReports() {
        const generation = ++loadGeneration
        const filter = get().reportsFilter
        set({ reportsLoading: true, reportsLoaded: true })
        const result = await transport.invoke('reports:list', {
          limit: 1000,
          ...(filter.query.trim() && { query: filter.query.trim() }),
          ...(filter.status !== null && { status: filter.status }),
        })
        if (generation !== loadGeneration) return
        if (!result.ok) return set({ reportsLoading: false, reportsError: result.error.message })
        set({
          reports: result.value.reports,
          reportsTotal: result.value.total,
          reportsLoading: false,
          reportsError: null,
        })
      },

      async setReportsFilter(patch) {
        set({ reportsFilter: { ...get().reportsFilter, ...patch } })
        await get().loadReports()
      },

      async openReport(id) {
        const result = await transport.invoke('reports:get', { id })
        if (!result.ok) return set({ reportsError: result.error.message })
        set({ reportDraft: draftFrom(result.value.report), reportExport: null, ...NO_HISTORY })
        await nameTechniques(result.value.report.techniques)
      },

      newReport() {
        set({ reportDraft: emptyDraft(), reportExport: null, ...NO_HISTORY })
      },

      closeReport() {
        set({ reportDraft: null, reportExport: null, ...NO_HISTORY })
      },

      editReport(patch) {
        const draft = get().reportDraft
        if (!draft) return
        const fieldErrors = { ...draft.fieldErrors }
        for (const key of Object.keys(patch)) delete fieldErrors[key]
        editDraft({ ...patch, fieldErrors })
      },

      addObservable() {
        const draft = get().reportDraft
        if (draft) editDraft({ observables: [...draft.observables, { type: 'ipv4', value: '', note: '' }] })
      },

      editObservable(index, patch) {
        const draft = get().reportDraft
        if (!draft) return
        const fieldErrors = { ...draft.fieldErrors }
        delete fieldErrors[`observables.${index}`]
        editDraft({
          observables: draft.observables.map((o, i) => (i === index ? { ...o, ...patch } : o)),
          fieldErrors,
        })
      },

      removeObservable(index) {
        const draft = get().reportDraft
        // Errors name rows by index: after a removal they may name the wrong row.
        if (draft)
          editDraft({ observables: draft.observables.filter((_, i) => i !== index), fieldErrors: {} })
      },

      addTechnique(raw) {
        const draft = get().reportDraft
        if (!draft) return false
        const id = raw.trim().toUpperCase()
        if (!TECHNIQUE_ID.test(id)) {
          patchDraft({
            fieldErrors: {
              ...draft.fieldErrors,
              techniques: `"${raw.trim()}" is not an ATT&CK technique id such as T1059 or T1059.001`,
            },
          })
          return false
        }
        const fieldErrors = { ...draft.fieldErrors }
        delete fieldErrors.techniques
        if (!draft.techniques.includes(id)) editDraft({ techniques: [...draft.techniques, id], fieldErrors })
        else patchDraft({ fieldErrors })
        void nameTechniques([id])
        return true
      },

      removeTechnique(id) {
        const draft = get().reportDraft
        if (draft) editDraft({ techniques: draft.techniques.filter((t) => t !== id) })
      },

      async loadAlertTechniques() {
        const result = await transport.invoke('alerts:list', { limit: ALERTS_FOR_TECHNIQUES })
        if (!result.ok) return patchDraft({ error: result.error.message })
        const seen = new Set<string>()
        for (const alert of result.value.alerts)
          for (const t of alert.techniques) if (TECHNIQUE_ID.test(t)) seen.add(t)
        const techniques = [...seen]
        set({ alertTechniques: techniques })
        await nameTechniques(techniques)
      },

      async saveReport() {
        const draft = get().reportDraft
        if (!draft || draft.saving) return false
        if (draft.title.trim() === '') {
          patchDraft({ fieldErrors: { title: 'A title is required.' } })
          return false
        }
        patchDraft({ saving: true, error: null, fieldErrors: {} })
        const result =
          draft.id === null || draft.version === null
            ? await transport.invoke('reports:create', content(draft))
            : await transport.invoke('reports:update', {
                id: draft.id,
                version: draft.version,
                ...content(draft),
              })
        if (!result.ok) {
          failDraft(result.error.code, result.error.message, sentRows(draft))
          return false
        }
        await stored(result.value.report)
        return true
      },

      async setReportStatus(status) {
        const draft = get().reportDraft
        if (!draft || draft.id === null || draft.version === null || draft.saving) return false
        // Unsaved edits go with the change of status, so what is published is what is shown.
        patchDraft({ saving: true, error: null, fieldErrors: {} })
        const result = await transport.invoke('reports:update', {
          id: draft.id,
          version: draft.version,
          ...(draft.dirty && content(draft)),
          status,
        })
        if (!result.ok) {
          failDraft(result.error.code, result.error.message, draft.dirty ? sentRows(draft) : [])
          return false
        }
        await stored(result.value.report)
        return true
      },

      async exportReport(format) {
        const draft = get().reportDraft
        if (!draft || draft.id === null) return
        await runExport(transport, {
          call: 'reports:export',
          id: draft.id,
          title: draft.title.trim() || 'report',
          format,
          set: (reportExport) => set({ reportExport }),
        })
      },
    }
  }

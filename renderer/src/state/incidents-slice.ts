import type { StateCreator } from 'zustand'
import type {
  AlertLevel,
  CallReq,
  CallRes,
  IncidentStatus,
  Incident,
  ObservableType,
} from '../../../collector/contract'
import { download, runExport, toBytes, type ExportFormat, type ReportExport } from './reports-slice'
import type { AppState } from './store'

export type CaseDetail = CallRes<'incidents:get'>
export type CasesFilter = {
  query: string
  status: IncidentStatus | null
  severity: AlertLevel | null
  assignee: string
}
/** Where an error is shown: beside the field or form it came from. */
export type CaseField =
  | 'load'
  | 'status'
  | 'assignee'
  | 'title'
  | 'description'
  | 'tlp'
  | 'pap'
  | 'operation'
  | 'comment'
  | 'observable'
  | 'evidence'
export type CaseChange = Omit<CallReq<'incidents:update'>, 'id'>

export const INCIDENT_STATUSES: readonly IncidentStatus[] = [
  'new',
  'triage',
  'contained',
  'eradicated',
  'closed',
]

/** The statuses a case may take from its own (the core enforces the same): forward, or reopen. */
export const nextIncidentStatuses = (status: IncidentStatus): IncidentStatus[] => {
  if (status === 'closed') return ['closed', 'triage']
  return INCIDENT_STATUSES.slice(INCIDENT_STATUSES.indexOf(status))
}

export type IncidentsSlice = {
  cases: Incident[]
  casesLoading: boolean
  casesError: string | null
  casesFilter: CasesFilter
  /** The case shown, by id (the route's `?id=`), and what incidents:get answered for it. */
  caseId: string | null
  caseDetail: CaseDetail | null
  caseErrors: Partial<Record<CaseField, string>>
  caseExport: ReportExport | null
  evidenceUploading: string | null
  loadCases: () => Promise<void>
  setCasesFilter: (patch: Partial<CasesFilter>) => Promise<void>
  openCase: (id: string | null) => Promise<void>
  reloadCase: () => Promise<void>
  /** One field at a time, so a refusal is shown beside that field. */
  updateCase: (change: CaseChange) => Promise<boolean>
  commentCase: (body: string) => Promise<boolean>
  observeCase: (type: ObservableType, value: string, note?: string) => Promise<boolean>
  /** Removes an observable from the open case (a refusal is shown beside the observables). */
  unobserveCase: (type: ObservableType, value: string) => Promise<boolean>
  /** Retracts a comment of the open case, for good (a refusal is shown beside the comments). */
  retractComment: (commentId: string) => Promise<boolean>
  /** Desktop: by path, read in place; browser: uploaded first (PUT /api/upload). */
  attachEvidence: (file: File, note?: string) => Promise<boolean>
  downloadEvidence: (id: string) => Promise<void>
  exportCase: (format: ExportFormat) => Promise<void>
  /** The `incidents:changed` push. */
  incidentChanged: (id: string) => void
}

const fieldOf = (change: CaseChange): CaseField =>
  change.status !== undefined
    ? 'status'
    : change.operation_id !== undefined
      ? 'operation'
      : change.assignee !== undefined
        ? 'assignee'
        : change.tlp !== undefined
          ? 'tlp'
          : change.pap !== undefined
            ? 'pap'
            : change.description !== undefined
              ? 'description'
              : 'title'

export const createIncidentsSlice =
  (transport: AppState['transport']): StateCreator<AppState, [], [], IncidentsSlice> =>
  (set, get) => {
    let listGeneration = 0
    let caseGeneration = 0
    let listQueued = false
    let listShown = false

    const withoutError = (field: CaseField): Partial<Record<CaseField, string>> => {
      const { [field]: _gone, ...rest } = get().caseErrors
      return rest
    }
    const refuse = (field: CaseField, message: string): false => {
      set({ caseErrors: { ...get().caseErrors, [field]: message } })
      return false
    }

    return {
      cases: [],
      casesLoading: false,
      casesError: null,
      casesFilter: { query: '', status: null, severity: null, assignee: '' },
      caseId: null,
      caseDetail: null,
      caseErrors: {},
      caseExport: null,
      evidenceUploading: null,

      async loadCases() {
        const generation = ++listGeneration
        listShown = true
        const { query, status, severity, assignee } = get().casesFilter
        set({ casesLoading: true })
        const result = await transport.invoke('incidents:list', {
          limit: 500,
          ...(query.trim() && { query: query.trim() }),
          ...(status && { status }),
          ...(severity && { severity }),
          ...(assignee.trim() && { assignee: assignee.trim() }),
        })
        if (generation !== listGeneration) return
        if (!result.ok) return set({ casesLoading: false, casesError: result.error.message })
        set({ cases: result.value.incidents, casesLoading: false, casesError: null })
      },

      async setCasesFilter(patch) {
        set({ casesFilter: { ...get().casesFilter, ...patch } })
        await get().loadCases()
      },

      async openCase(id) {
        if (id === get().caseId && (id === null || get().caseDetail?.incident.id === id)) return
        set({ caseId: id, caseDetail: null, caseErrors: {}, caseExport: null })
        if (id !== null) await get().reloadCase()
      },

      async reloadCase() {
        const id = get().caseId
        if (id === null) return
        const generation = ++caseGeneration
        const result = await transport.invoke('incidents:get', { id })
        if (generation !== caseGeneration || get().caseId !== id) return
        if (!result.ok) return set({ caseDetail: null, caseErrors: { load: result.error.message } })
        set({ caseDetail: result.value, caseErrors: withoutError('load') })
      },

      async updateCase(change) {
        const id = get().caseId
        if (id === null) return false
        const field = fieldOf(change)
        const result = await transport.invoke('incidents:update', { id, ...change })
        if (!result.ok) return refuse(field, result.error.message)
        const incident = result.value.incident
        const detail = get().caseDetail
        set({
          caseErrors: withoutError(field),
          ...(detail && detail.incident.id === incident.id && { caseDetail: { ...detail, incident } }),
          cases: get().cases.map((c) => (c.id === incident.id ? incident : c)),
        })
        // The timeline gained an action: the push reloads it; so does this, for hosts without pushes.
        await get().reloadCase()
        return true
      },

      async commentCase(body) {
        const id = get().caseId
        if (id === null) return false
        const result = await transport.invoke('incidents:comment', { id, body })
        if (!result.ok) return refuse('comment', result.error.message)
        set({ caseErrors: withoutError('comment') })
        await get().reloadCase()
        return true
      },

      async observeCase(type, value, note) {
        const id = get().caseId
        if (id === null) return false
        const result = await transport.invoke('incidents:observe', {
          id,
          observables: [{ type, value: value.trim(), ...(note?.trim() && { note: note.trim() }) }],
        })
        if (!result.ok) return refuse('observable', result.error.message)
        set({ caseErrors: withoutError('observable') })
        await get().reloadCase()
        return true
      },

      async unobserveCase(type, value) {
        const id = get().caseId
        if (id === null) return false
        const result = await transport.invoke('incidents:unobserve', { id, type, value })
        if (!result.ok) return refuse('observable', result.error.message)
        set({ caseErrors: withoutError('observable') })
        await get().reloadCase()
        return true
      },

      async retractComment(commentId) {
        const id = get().caseId
        if (id === null) return false
        const result = await transport.invoke('incidents:retract', { id, comment_id: commentId })
        if (!result.ok) return refuse('comment', result.error.message)
        set({ caseErrors: withoutError('comment') })
        await get().reloadCase()
        return true
      },

      async attachEvidence(file, note) {
        const id = get().caseId
        if (id === null) return false
        set({ evidenceUploading: file.name })
        try {
          const extra = note?.trim() ? { note: note.trim() } : {}
          const path = transport.pathForFile(file)
          let result
          if (path !== null) {
            result = await transport.invoke('incidents:attach', { id, path, name: file.name, ...extra })
          } else {
            const uploaded = await transport.upload(file)
            if (!uploaded.ok) return refuse('evidence', uploaded.error.message)
            result = await transport.invoke('incidents:attach', {
              id,
              upload_id: uploaded.value.upload_id,
              name: file.name,
              ...extra,
            })
          }
          if (!result.ok) return refuse('evidence', result.error.message)
          set({ caseErrors: withoutError('evidence') })
          await get().reloadCase()
          return true
        } finally {
          set({ evidenceUploading: null })
        }
      },

      async downloadEvidence(id) {
        const result = await transport.invoke('evidence:get', { id })
        if (!result.ok) return void refuse('evidence', result.error.message)
        const { evidence, content_base64 } = result.value
        download(evidence.name, evidence.media_type, toBytes(content_base64))
      },

      async exportCase(format) {
        const detail = get().caseDetail
        if (!detail) return
        await runExport(transport, {
          call: 'incidents:export',
          id: detail.incident.id,
          title: detail.incident.title.trim() || 'incident',
          format,
          set: (caseExport) => set({ caseExport }),
        })
      },

      incidentChanged(id) {
        if (id === get().caseId) void get().reloadCase()
        // A burst of changes (a bulk escalation) reloads the list once.
        if (listQueued || !listShown) return
        listQueued = true
        queueMicrotask(() => {
          listQueued = false
          void get().loadCases()
        })
      },
    }
  }

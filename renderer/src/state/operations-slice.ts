import type { StateCreator } from 'zustand'
import type { CallReq, Incident, Mission, Operation, ReportSummary } from '../../../collector/contract'
import type { AppState } from './store'

export type MissionStatus = Mission['status']
export type OperationStatus = Operation['status']
export type Priority = Mission['priority']
export type OperationFields = Omit<CallReq<'operations:update'>, 'id'>
export type MissionFields = Omit<CallReq<'missions:create'>, 'operation_id'>

export const MISSION_STATUSES: MissionStatus[] = ['todo', 'in_progress', 'blocked', 'done']

export type OperationsFilter = { query: string; status: OperationStatus | null }
export type MissionsFilter = {
  query: string
  status: MissionStatus | null
  assignee: string
  overdue: boolean
}
export type MissionPatch = Omit<CallReq<'missions:update'>, 'id'>

export type OperationsSlice = {
  operations: Operation[]
  operationsFilter: OperationsFilter
  /** Every operation, unfiltered, for pickers elsewhere (a report's operation). */
  operationChoices: Array<Pick<Operation, 'id' | 'name' | 'status'>>
  /** Missions across every operation (the Missions view), by its filter. */
  allMissions: Mission[]
  allMissionsFilter: MissionsFilter
  allMissionsError: string | null
  loadAllMissions: () => Promise<void>
  setAllMissionsFilter: (patch: Partial<MissionsFilter>) => Promise<void>
  /** The selected operation's reports and incidents. */
  operationReports: ReportSummary[]
  operationIncidents: Incident[]
  operationsLoading: boolean
  /** Whether the list was ever asked for: changes elsewhere then refresh it. */
  operationsLoaded: boolean
  operationsError: string | null
  /** The operation in the detail form; null with `operationNew` for a new one. */
  selectedOperationId: string | null
  operationNew: boolean
  missions: Mission[]
  missionsError: string | null
  /** Errors kept per form: the operation form, the new-mission form, the missions table. */
  operationFormError: string | null
  missionFormError: string | null
  loadOperations: () => Promise<void>
  setOperationsFilter: (patch: Partial<OperationsFilter>) => Promise<void>
  loadOperationChoices: () => Promise<void>
  /** Saves a mission's fields; false (and missionsError) when refused. */
  editMission: (id: string, patch: MissionPatch) => Promise<boolean>
  selectOperation: (id: string | null) => Promise<void>
  newOperation: () => void
  loadMissions: () => Promise<void>
  /** Creates (no operation selected) or updates the selected one. */
  saveOperation: (fields: OperationFields) => Promise<boolean>
  createMission: (fields: MissionFields) => Promise<boolean>
  setMissionStatus: (id: string, status: MissionStatus) => Promise<void>
  toggleChecklistItem: (id: string, index: number) => Promise<void>
}

export const createOperationsSlice =
  (transport: AppState['transport']): StateCreator<AppState, [], [], OperationsSlice> =>
  (set, get) => {
    let loadGeneration = 0
    let missionsGeneration = 0
    let allMissionsGeneration = 0

    const updateMission = async (id: string, patch: MissionPatch): Promise<boolean> => {
      const result = await transport.invoke('missions:update', { id, ...patch })
      if (!result.ok) {
        set({ missionsError: result.error.message })
        return false
      }
      const mission = result.value.mission
      set({
        missions: get().missions.map((m) => (m.id === mission.id ? mission : m)),
        allMissions: get().allMissions.map((m) => (m.id === mission.id ? mission : m)),
        missionsError: null,
      })
      // A filtered list (overdue only, a status) may no longer hold it.
      if (get().allMissions.length > 0) void get().loadAllMissions()
      await get().loadOperations()
      return true
    }

    const loadOperationLinks = async (id: string): Promise<void> => {
      const [reports, incidents] = await Promise.all([
        transport.invoke('reports:list', { operation_id: id, limit: 1000 }),
        transport.invoke('incidents:list', { operation_id: id, limit: 1000 }),
      ])
      if (get().selectedOperationId !== id) return
      set({
        operationReports: reports.ok ? reports.value.reports : [],
        operationIncidents: incidents.ok ? incidents.value.incidents : [],
      })
      if (!reports.ok) set({ operationsError: reports.error.message })
      else if (!incidents.ok) set({ operationsError: incidents.error.message })
    }

    return {
      operations: [],
      operationsFilter: { query: '', status: null },
      operationChoices: [],
      operationReports: [],
      operationIncidents: [],
      allMissions: [],
      allMissionsFilter: { query: '', status: null, assignee: '', overdue: false },
      allMissionsError: null,
      operationsLoading: false,
      operationsLoaded: false,
      operationsError: null,
      selectedOperationId: null,
      operationNew: false,
      missions: [],
      missionsError: null,
      operationFormError: null,
      missionFormError: null,

      async loadOperations() {
        const generation = ++loadGeneration
        set({ operationsLoading: true, operationsLoaded: true })
        const { query, status } = get().operationsFilter
        const result = await transport.invoke('operations:list', {
          limit: 1000,
          ...(query.trim() ? { query: query.trim() } : {}),
          ...(status ? { status } : {}),
        })
        if (generation !== loadGeneration) return
        if (!result.ok) return set({ operationsLoading: false, operationsError: result.error.message })
        set({ operations: result.value.operations, operationsLoading: false, operationsError: null })
      },

      async setOperationsFilter(patch) {
        set({ operationsFilter: { ...get().operationsFilter, ...patch } })
        await get().loadOperations()
      },

      async loadOperationChoices() {
        const result = await transport.invoke('operations:list', { limit: 1000 })
        if (result.ok)
          set({
            operationChoices: result.value.operations.map(({ id, name, status }) => ({ id, name, status })),
          })
      },

      editMission: (id, patch) => updateMission(id, patch),

      async loadAllMissions() {
        const generation = ++allMissionsGeneration
        const { query, status, assignee, overdue } = get().allMissionsFilter
        const result = await transport.invoke('missions:list', {
          limit: 5000,
          ...(query.trim() ? { query: query.trim() } : {}),
          ...(status ? { status } : {}),
          ...(assignee.trim() ? { assignee: assignee.trim() } : {}),
          ...(overdue ? { overdue: true } : {}),
        })
        if (generation !== allMissionsGeneration) return
        if (!result.ok) return set({ allMissionsError: result.error.message })
        set({ allMissions: result.value.missions, allMissionsError: null })
      },

      async setAllMissionsFilter(patch) {
        set({ allMissionsFilter: { ...get().allMissionsFilter, ...patch } })
        await get().loadAllMissions()
      },

      async selectOperation(id) {
        set({
          selectedOperationId: id,
          operationNew: false,
          operationReports: [],
          operationIncidents: [],
          missions: [],
          missionsError: null,
          operationFormError: null,
          missionFormError: null,
        })
        if (id !== null) await Promise.all([get().loadMissions(), loadOperationLinks(id)])
      },

      newOperation() {
        set({
          selectedOperationId: null,
          operationNew: true,
          missions: [],
          operationFormError: null,
          missionFormError: null,
        })
      },

      async loadMissions() {
        const id = get().selectedOperationId
        if (id === null) return
        const generation = ++missionsGeneration
        const result = await transport.invoke('missions:list', { operation_id: id, limit: 5000 })
        if (generation !== missionsGeneration || get().selectedOperationId !== id) return
        if (!result.ok) return set({ missionsError: result.error.message })
        set({ missions: result.value.missions, missionsError: null })
      },

      async saveOperation(fields) {
        const id = get().selectedOperationId
        const result =
          id === null
            ? await transport.invoke('operations:create', { ...fields, name: fields.name ?? '' })
            : await transport.invoke('operations:update', { id, ...fields })
        if (!result.ok) {
          set({ operationFormError: result.error.message })
          return false
        }
        set({ operationFormError: null, selectedOperationId: result.value.operation.id, operationNew: false })
        await get().loadOperations()
        if (id === null) await get().loadMissions()
        return true
      },

      async createMission(fields) {
        const operationId = get().selectedOperationId
        if (operationId === null) return false
        const result = await transport.invoke('missions:create', { operation_id: operationId, ...fields })
        if (!result.ok) {
          set({ missionFormError: result.error.message })
          return false
        }
        set({ missionFormError: null })
        await Promise.all([get().loadMissions(), get().loadOperations()])
        return true
      },

      async setMissionStatus(id, status) {
        await updateMission(id, { status })
      },

      async toggleChecklistItem(id, index) {
        const mission = get().missions.find((m) => m.id === id)
        if (!mission) return
        const checklist = mission.checklist.map((item, i) =>
          i === index ? { ...item, done: !item.done } : item,
        )
        await updateMission(id, { checklist })
      },
    }
  }

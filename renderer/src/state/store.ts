import { createContext, useContext } from 'react'
import { createStore, useStore, type StoreApi } from 'zustand'
import type { AuditEntry, EventPayload } from '../../../collector/contract'
import type { Transport } from '../transport'
import { createActionsSlice, type ActionsSlice } from './actions-slice'
import { createAgentsSlice, type AgentsSlice } from './agents-slice'
import { createAlertsSlice, type AlertsSlice } from './alerts-slice'
import { createAssetsSlice, type AssetsSlice } from './assets-slice'
import { createAttackSlice, type AttackSlice } from './attack-slice'
import { createBundlesSlice, type BundlesSlice } from './bundles-slice'
import { createCollectorSlice, type CollectorSlice } from './collector-slice'
import { createDashboardSlice, type DashboardSlice } from './dashboard-slice'
import { createEventsSlice, type EventsSlice } from './events-slice'
import { createHuntSlice, type HuntSlice } from './hunt-slice'
import { createImportSlice, type ImportSlice } from './import-slice'
import { createIncidentsSlice, type IncidentsSlice } from './incidents-slice'
import { createIntelFeedsSlice, type IntelFeedsSlice } from './intel-feeds-slice'
import { createOperationsSlice, type OperationsSlice } from './operations-slice'
import { createReportsSlice, type ReportsSlice } from './reports-slice'
import { createRulesSlice, type RulesSlice } from './rules-slice'
import { createSettingsSlice, type SettingsSlice } from './settings-slice'
import { createShellSlice, type ShellSlice } from './shell-slice'
import { createSyncSlice, type SyncSlice } from './sync-slice'
import { createSystemSlice, type SystemSlice } from './system-slice'
import { createTasksSlice, type TasksSlice } from './tasks-slice'

export type AppState = EventsSlice &
  SystemSlice &
  CollectorSlice &
  ImportSlice &
  AlertsSlice &
  RulesSlice &
  AttackSlice &
  ReportsSlice &
  OperationsSlice &
  AssetsSlice &
  IncidentsSlice &
  HuntSlice &
  DashboardSlice &
  ActionsSlice &
  AgentsSlice &
  BundlesSlice &
  ShellSlice &
  SettingsSlice &
  SyncSlice &
  IntelFeedsSlice &
  TasksSlice & { transport: Transport }

/** One store of slices; its actions are the only code that calls the transport. */
export const createAppStore = (transport: Transport): StoreApi<AppState> =>
  createStore<AppState>()((...a) => ({
    transport,
    ...createEventsSlice(transport)(...a),
    ...createSystemSlice(transport)(...a),
    ...createCollectorSlice(transport)(...a),
    ...createImportSlice(transport)(...a),
    ...createAlertsSlice(transport)(...a),
    ...createRulesSlice(transport)(...a),
    ...createAttackSlice(transport)(...a),
    ...createReportsSlice(transport)(...a),
    ...createOperationsSlice(transport)(...a),
    ...createAssetsSlice(transport)(...a),
    ...createIncidentsSlice(transport)(...a),
    ...createHuntSlice(transport)(...a),
    ...createDashboardSlice(transport)(...a),
    ...createActionsSlice(transport)(...a),
    ...createAgentsSlice(transport)(...a),
    ...createBundlesSlice(...a),
    ...createShellSlice(transport)(...a),
    ...createSyncSlice(transport)(...a),
    ...createIntelFeedsSlice(transport)(...a),
    ...createTasksSlice(transport)(...a),
    ...createSettingsSlice(transport)(...a),
  }))

/**
 * Wires pushes into the store. Pushes are coalesced per animation frame so a burst of
 * commits costs one render, not hundreds.
 */
export const connectStore = (store: StoreApi<AppState>, transport: Transport): (() => void) => {
  let queued: Array<EventPayload<'events:appended'>> = []
  let raised: Array<EventPayload<'alerts:raised'>> = []
  let frame = 0
  const flush = (): void => {
    frame = 0
    const batches = queued
    const alertBatches = raised
    queued = []
    raised = []
    if (batches.length > 0) store.getState().eventsAppended(batches)
    if (alertBatches.length > 0) store.getState().alertsRaised(alertBatches)
    if (batches.length > 0 || alertBatches.length > 0) store.getState().dashboardChanged()
  }
  const offAppended = transport.on('events:appended', (payload) => {
    queued.push(payload)
    if (frame === 0) frame = requestAnimationFrame(flush)
  })
  const offRaised = transport.on('alerts:raised', (payload) => {
    raised.push(payload)
    if (frame === 0) frame = requestAnimationFrame(flush)
    store.getState().countNewAlerts()
    store.getState().ruleHitsChanged()
    store.getState().attackChanged()
    store.getState().intelHitsChanged()
  })
  const offUpdated = transport.on('alerts:updated', (payload) => {
    store.getState().alertsUpdated(payload.alerts)
    store.getState().intelHitsChanged()
    store.getState().countNewAlerts()
    store.getState().dashboardChanged()
  })
  const offRulesChanged = transport.on('rules:changed', () => {
    store.getState().rulesChanged()
    store.getState().attackChanged()
  })
  const offRuleTest = transport.on('rules:test-progress', (test) => store.getState().ruleTestProgress(test))
  const offIncident = transport.on('incidents:changed', ({ id }) => {
    store.getState().incidentChanged(id)
    store.getState().countShell()
    store.getState().dashboardChanged()
  })
  // At most 10 a second per job (the core throttles), so no coalescing here.
  const offImport = transport.on('import:progress', (job) => store.getState().importProgress(job))
  const offAssets = transport.on('assets:changed', () => store.getState().assetsChanged())
  const offAudit = transport.on('audit:appended', ({ entry }) => workspaceChanged(store, entry))
  const offExport = transport.on('hunt:export-progress', (p) => store.getState().huntExportProgress(p))
  // Every long task (imports, exports, back-tests, bundles): the tray's bars, and a toast at its end.
  const offTasks = transport.on('tasks:changed', ({ task }) => store.getState().taskChanged(task))
  const offAction = transport.on('actions:changed', ({ action }) => {
    store.getState().actionChanged(action)
    store.getState().countShell()
  })
  const offNotification = transport.on('notifications:new', ({ notification }) =>
    store.getState().notificationArrived(notification),
  )
  const offAgents = transport.on('agents:changed', ({ agent }) => store.getState().agentChanged(agent))
  const offSync = transport.on('sync:changed', (status) => store.getState().syncChanged(status))
  // Saved in this window or another: the banner (system:info) and the Settings view follow.
  const offSettings = transport.on('settings:changed', ({ applied }) => {
    if (applied.length > 0) void store.getState().loadInfo()
    if (store.getState().settings) void store.getState().loadSettings()
    // Allowlists and the two-person rule apply at once: views showing them follow.
    if (applied.some((field) => field.startsWith('actions.'))) void store.getState().loadActionTypes()
    if (applied.some((field) => field.startsWith('webhooks.'))) void store.getState().loadWebhooks()
  })
  let wasClosed = false
  const offConnection = transport.onConnection((state) => {
    store.getState().setConnection(state)
    if (state === 'closed') wasClosed = true
    if (state === 'open' && wasClosed) {
      // Pushes were missed while disconnected: catch up.
      wasClosed = false
      void store.getState().loadEvents()
      void store.getState().loadInfo()
      void store.getState().loadImports()
      void store.getState().loadTasks()
      void store.getState().loadAlerts()
      if (store.getState().reportsLoaded) void store.getState().loadReports()
      if (store.getState().assetsLoaded) void store.getState().loadAssets()
      if (store.getState().agentsLoaded) void store.getState().loadAgents()
      void store.getState().reloadCase()
      void store.getState().loadCaseActions()
      void store.getState().loadNotifications()
      store.getState().countNewAlerts()
      store.getState().countShell()
      store.getState().rulesChanged()
      store.getState().dashboardChanged()
    }
  })
  return () => {
    offAppended()
    offImport()
    offRaised()
    offUpdated()
    offRulesChanged()
    offRuleTest()
    offConnection()
    offAssets()
    offAudit()
    offIncident()
    offExport()
    offAction()
    offNotification()
    offAgents()
    offSync()
    offTasks()
    offSettings()
    if (frame) cancelAnimationFrame(frame)
  }
}

/**
 * A change committed anywhere (this window, another one, another analyst's browser), named by its
 * audit entry: the views that show such objects reload. An open report reloads only when it has
 * no unsaved edits; with them, saving says a newer version is stored.
 */
const workspaceChanged = (store: StoreApi<AppState>, entry: AuditEntry): void => {
  // An export reads the object; nothing shown changed.
  if (entry.action === 'export') return
  const s = store.getState()
  switch (entry.object_type) {
    case 'report': {
      if (s.reportsLoaded) void s.loadReports()
      const draft = s.reportDraft
      if (draft?.id && draft.id === entry.object_id && !draft.dirty && !draft.saving)
        void s.openReport(draft.id)
      break
    }
    case 'operation':
    case 'mission':
      if (s.operationsLoaded) void s.loadOperations()
      if (s.selectedOperationId) void s.loadMissions()
      if (s.allMissions.length > 0) void s.loadAllMissions()
      break
    case 'asset':
      s.assetsChanged()
      break
  }
}

export const StoreContext = createContext<StoreApi<AppState> | null>(null)

export const useAppStore = <T>(selector: (state: AppState) => T): T => {
  const store = useContext(StoreContext)
  if (!store) throw new Error('useAppStore outside <StoreContext.Provider>')
  return useStore(store, selector)
}

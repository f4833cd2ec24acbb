import type { StateCreator } from 'zustand'
import type {
  Alert,
  AlertLevel,
  AlertStatus,
  CallReq,
  EventPayload,
  Incident,
  StoredEvent,
} from '../../../collector/contract'
import type { AppState } from './store'

/** Like events, the renderer holds a window of alerts; older pages are fetched as the list scrolls. */
export const MAX_ALERTS_IN_VIEW = 5000
const PAGE = 200
/** Matching events fetched for the detail panel; the rest are counted. */
export const DETAIL_EVENTS = 10

export const LEVELS: readonly AlertLevel[] = ['informational', 'low', 'medium', 'high', 'critical']
export const STATUSES: readonly AlertStatus[] = [
  'new',
  'acknowledged',
  'escalated',
  'false_positive',
  'closed',
]

export type AlertFilter = {
  /** Empty: every status. */
  status: AlertStatus[]
  minLevel: AlertLevel | null
  query: string
  incidentId: string | null
}
export type AlertAction = CallReq<'alerts:update'>['action']
export type Escalation = { incidentId?: string; title?: string; note?: string }

export type AlertsSlice = {
  alerts: Alert[] // newest first (by seq)
  alertsTotal: number
  alertsLoading: boolean
  alertsError: string | null
  alertsHasOlder: boolean
  alertFilter: AlertFilter
  /** Checked rows: what the actions apply to (else the focused one). */
  checkedAlertIds: string[]
  focusedAlertId: string | null
  focusedAlertEvents: StoredEvent[]
  focusedAlertEventsError: string | null
  incidents: Incident[]
  /** Alerts nobody has looked at yet (status new), for the nav. */
  newAlertsCount: number
  /** Recounts soon: once per burst of pushes, whatever the view. */
  countNewAlerts: () => void
  loadAlerts: () => Promise<void>
  loadOlderAlerts: () => Promise<void>
  setAlertFilter: (patch: Partial<AlertFilter>) => Promise<void>
  /** The `alerts:raised` push (coalesced batches). */
  alertsRaised: (batches: ReadonlyArray<EventPayload<'alerts:raised'>>) => void
  /** The `alerts:updated` push, and the answers of our own updates. */
  alertsUpdated: (alerts: readonly Alert[]) => void
  focusAlert: (id: string | null) => Promise<void>
  setCheckedAlerts: (ids: string[]) => void
  updateAlerts: (ids: readonly string[], action: AlertAction, note?: string) => Promise<boolean>
  escalateAlerts: (ids: readonly string[], escalation: Escalation) => Promise<Incident | null>
  loadIncidents: () => Promise<void>
}

const levelRank = (level: AlertLevel): number => LEVELS.indexOf(level)

/** The core's filter, repeated for pushed alerts so the list shows only what the filter asks for. */
export const alertMatches = (alert: Alert, filter: AlertFilter): boolean => {
  if (filter.status.length > 0 && !filter.status.includes(alert.status)) return false
  if (filter.minLevel && levelRank(alert.level) < levelRank(filter.minLevel)) return false
  if (filter.incidentId && alert.incident_id !== filter.incidentId) return false
  const q = filter.query.trim().toLowerCase()
  if (!q) return true
  return [alert.title, alert.rule_id, alert.host, alert.user, ...alert.tags].some((v) =>
    v?.toLowerCase().includes(q),
  )
}

const STATUS_AFTER: Record<AlertAction, AlertStatus> = {
  acknowledge: 'acknowledged',
  close: 'closed',
  false_positive: 'false_positive',
  reopen: 'new',
}

const listRequest = (filter: AlertFilter, before?: number): CallReq<'alerts:list'> => ({
  limit: PAGE,
  ...(before !== undefined && { before }),
  ...(filter.status.length > 0 && { status: filter.status }),
  ...(filter.minLevel && { min_level: filter.minLevel }),
  ...(filter.query.trim() && { query: filter.query.trim() }),
  ...(filter.incidentId && { incident_id: filter.incidentId }),
})

export const createAlertsSlice =
  (transport: AppState['transport']): StateCreator<AppState, [], [], AlertsSlice> =>
  (set, get) => {
    /** Each load gets a number; an answer to an older filter is dropped. */
    let loadGeneration = 0
    let countQueued = false
    let incidentsQueued = false
    let incidentsWanted = false

    /** Alerts in incidents change those incidents (new ones, counts): reload them once per burst. */
    const refreshIncidentsFor = (alerts: Iterable<Alert>): void => {
      if (!incidentsWanted || incidentsQueued) return
      if (![...alerts].some((a) => a.incident_id)) return
      incidentsQueued = true
      setTimeout(() => {
        incidentsQueued = false
        void get().loadIncidents()
      }, 300)
    }

    /** Replaces alerts by id; those that no longer match the filter leave the list. */
    const merge = (changed: readonly Alert[]): void => {
      const byId = new Map(changed.map((a) => [a.id, a]))
      // A fold into the alert on screen brings matching events the detail has not shown yet.
      const focused = get().alerts.find((a) => a.id === get().focusedAlertId)
      const refolded = focused && byId.get(focused.id)
      if (refolded && refolded.event_ids.length !== focused.event_ids.length) void loadFocusedEvents(refolded)
      const filter = get().alertFilter
      let removed = 0
      const alerts: Alert[] = []
      for (const alert of get().alerts) {
        const next = byId.get(alert.id) ?? alert
        if (alertMatches(next, filter)) alerts.push(next)
        else removed++
      }
      if (removed === 0) return set({ alerts })
      const kept = new Set(alerts.map((a) => a.id))
      set({
        alerts,
        alertsTotal: Math.max(0, get().alertsTotal - removed),
        checkedAlertIds: get().checkedAlertIds.filter((id) => kept.has(id)),
      })
    }

    /** The focused alert's first matching events, for the detail panel. */
    const loadFocusedEvents = async (alert: Alert): Promise<void> => {
      // An agent's alert (collector health, analytics) names no single event.
      const ids = (alert.event_ids.length > 0 ? alert.event_ids : [alert.event_id])
        .filter((id) => id !== '')
        .slice(0, DETAIL_EVENTS)
      const results = await Promise.all(ids.map((eventId) => transport.invoke('events:get', { id: eventId })))
      if (get().focusedAlertId !== alert.id) return // the analyst moved on meanwhile
      const failed = results.find((r) => !r.ok)
      set({
        focusedAlertEvents: results.flatMap((r) => (r.ok ? [r.value.event] : [])),
        focusedAlertEventsError: failed && !failed.ok ? failed.error.message : null,
      })
    }

    /** Applies a guessed change now; returns how to undo it if the core refuses. */
    const optimistic = (ids: readonly string[], change: (a: Alert) => Alert): (() => void) => {
      const wanted = new Set(ids)
      const before = new Map<string, Alert>()
      const after = new Map<string, Alert>()
      for (const alert of get().alerts) {
        if (!wanted.has(alert.id)) continue
        before.set(alert.id, alert)
        after.set(alert.id, change(alert))
      }
      // Kept in the list even if the filter would now hide them: the answer decides.
      set({ alerts: get().alerts.map((a) => after.get(a.id) ?? a) })
      return () =>
        // Only what is still our guess goes back; a push since then knows better.
        set({
          alerts: get().alerts.map((a) => (after.get(a.id) === a ? (before.get(a.id) ?? a) : a)),
        })
    }

    return {
      alerts: [],
      alertsTotal: 0,
      alertsLoading: false,
      alertsError: null,
      alertsHasOlder: false,
      alertFilter: { status: [], minLevel: null, query: '', incidentId: null },
      checkedAlertIds: [],
      focusedAlertId: null,
      focusedAlertEvents: [],
      focusedAlertEventsError: null,
      incidents: [],
      newAlertsCount: 0,

      countNewAlerts() {
        if (countQueued) return
        countQueued = true
        setTimeout(() => {
          countQueued = false
          void transport.invoke('alerts:list', { limit: 1, status: ['new'] }).then((result) => {
            if (result.ok) set({ newAlertsCount: result.value.total })
          })
        }, 300)
      },

      async loadAlerts() {
        const generation = ++loadGeneration
        set({ alertsLoading: true })
        const result = await transport.invoke('alerts:list', listRequest(get().alertFilter))
        if (generation !== loadGeneration) return
        if (!result.ok) {
          set({ alertsLoading: false, alertsError: result.error.message })
          return
        }
        // Keep pushes that raced ahead of this answer.
        const newestLoaded = result.value.alerts[0]?.seq ?? 0
        const loadedIds = new Set(result.value.alerts.map((a) => a.id))
        const filter = get().alertFilter
        const newer = get().alerts.filter(
          (a) => a.seq > newestLoaded && !loadedIds.has(a.id) && alertMatches(a, filter),
        )
        const checked = new Set(get().checkedAlertIds)
        const alerts = [...newer, ...result.value.alerts]
        set({
          alerts,
          alertsTotal: result.value.total + newer.length,
          alertsLoading: false,
          alertsError: null,
          alertsHasOlder: result.value.alerts.length === PAGE,
          checkedAlertIds: alerts.filter((a) => checked.has(a.id)).map((a) => a.id),
        })
      },

      async loadOlderAlerts() {
        const oldest = get().alerts.at(-1)
        if (!oldest || get().alertsLoading || !get().alertsHasOlder) return
        const generation = loadGeneration
        set({ alertsLoading: true })
        const result = await transport.invoke('alerts:list', listRequest(get().alertFilter, oldest.seq))
        if (generation !== loadGeneration) return
        if (!result.ok) {
          set({ alertsLoading: false, alertsError: result.error.message })
          return
        }
        const known = new Set(get().alerts.map((a) => a.id))
        const alerts = [...get().alerts, ...result.value.alerts.filter((a) => !known.has(a.id))]
        set({
          alerts: alerts.slice(0, MAX_ALERTS_IN_VIEW),
          alertsLoading: false,
          alertsHasOlder: result.value.alerts.length === PAGE && alerts.length < MAX_ALERTS_IN_VIEW,
        })
      },

      async setAlertFilter(patch) {
        // What the old filter showed is not kept as "newer than the answer" (see loadAlerts).
        set({
          alertFilter: { ...get().alertFilter, ...patch },
          checkedAlertIds: [],
          alerts: [],
          alertsTotal: 0,
        })
        await get().loadAlerts()
      },

      alertsRaised(batches) {
        const filter = get().alertFilter
        const fresh = new Map<string, Alert>()
        for (const batch of batches) for (const a of batch.alerts) fresh.set(a.id, a)
        refreshIncidentsFor(fresh.values())
        const known = new Set(get().alerts.map((a) => a.id))
        // A raised alert we already hold is a fold (count went up): update it in place.
        const folded = [...fresh.values()].filter((a) => known.has(a.id))
        if (folded.length > 0) merge(folded)
        const added = [...fresh.values()]
          .filter((a) => !known.has(a.id) && alertMatches(a, filter))
          .sort((a, b) => b.seq - a.seq)
        if (added.length === 0) return
        const alerts = added.concat(get().alerts)
        set({
          alerts: alerts.length > MAX_ALERTS_IN_VIEW ? alerts.slice(0, MAX_ALERTS_IN_VIEW) : alerts,
          alertsTotal: get().alertsTotal + added.length,
          alertsHasOlder: get().alertsHasOlder || alerts.length > MAX_ALERTS_IN_VIEW,
        })
      },

      alertsUpdated(changed) {
        merge(changed)
        refreshIncidentsFor(changed)
      },

      async focusAlert(id) {
        set({ focusedAlertId: id, focusedAlertEvents: [], focusedAlertEventsError: null })
        const alert = get().alerts.find((a) => a.id === id)
        if (alert) await loadFocusedEvents(alert)
      },

      setCheckedAlerts(ids) {
        set({ checkedAlertIds: ids })
      },

      async updateAlerts(ids, action, note) {
        if (ids.length === 0) return false
        const trimmed = note?.trim()
        const undo = optimistic(ids, (a) => ({
          ...a,
          status: STATUS_AFTER[action],
          note: trimmed || a.note,
        }))
        const result = await transport.invoke('alerts:update', {
          ids: [...ids],
          action,
          ...(trimmed && { note: trimmed }),
        })
        if (!result.ok) {
          undo()
          set({ alertsError: result.error.message })
          return false
        }
        set({ alertsError: null })
        merge(result.value.alerts)
        return true
      },

      async escalateAlerts(ids, { incidentId, title, note }) {
        if (ids.length === 0) return null
        const undo = optimistic(ids, (a) => ({
          ...a,
          status: 'escalated',
          incident_id: incidentId ?? a.incident_id,
        }))
        const result = await transport.invoke('alerts:escalate', {
          ids: [...ids],
          ...(incidentId && { incident_id: incidentId }),
          ...(title?.trim() && { title: title.trim() }),
          ...(note?.trim() && { note: note.trim() }),
        })
        if (!result.ok) {
          undo()
          set({ alertsError: result.error.message })
          return null
        }
        const { incident } = result.value
        set({
          alertsError: null,
          incidents: [incident, ...get().incidents.filter((i) => i.id !== incident.id)],
        })
        merge(result.value.alerts)
        return incident
      },

      async loadIncidents() {
        incidentsWanted = true
        const result = await transport.invoke('incidents:list', { limit: 200 })
        if (result.ok) set({ incidents: result.value.incidents })
        else set({ alertsError: result.error.message })
      },
    }
  }

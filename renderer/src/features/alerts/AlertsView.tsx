import { useCallback, useEffect, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { AlertAction, AlertFilter, Escalation } from '../../state/alerts-slice'
import { useRouteParam } from '../../app/use-route'
import { useAppStore } from '../../state/store'
import { AlertActions, type ActionForm } from './AlertActions'
import { AlertDetail } from './AlertDetail'
import { AlertFilters } from './AlertFilters'
import { AlertsTable, type AlertShortcut } from './AlertsTable'

/** Triage: the live alert queue, filters, and actions on one or several alerts. */
export const AlertsView = () => {
  const s = useAppStore(
    useShallow((state) => ({
      alerts: state.alerts,
      total: state.alertsTotal,
      loading: state.alertsLoading,
      error: state.alertsError,
      hasOlder: state.alertsHasOlder,
      filter: state.alertFilter,
      checkedIds: state.checkedAlertIds,
      focusedId: state.focusedAlertId,
      focusedEvents: state.focusedAlertEvents,
      focusedEventsError: state.focusedAlertEventsError,
      incidents: state.incidents,
      loadAlerts: state.loadAlerts,
      loadOlder: state.loadOlderAlerts,
      loadIncidents: state.loadIncidents,
      setFilter: state.setAlertFilter,
      focusAlert: state.focusAlert,
      setChecked: state.setCheckedAlerts,
      updateAlerts: state.updateAlerts,
      escalateAlerts: state.escalateAlerts,
      techniqueNames: state.techniqueNames,
      nameTechniques: state.nameTechniques,
    })),
  )
  const { loadAlerts, loadIncidents, loadOlder, hasOlder, setFilter } = s
  useEffect(() => {
    void loadAlerts()
    void loadIncidents()
  }, [loadAlerts, loadIncidents])
  // #/alerts?incident=… (from a case): the alerts of that incident.
  const linkedIncident = useRouteParam('incident')
  useEffect(() => {
    if (linkedIncident) void setFilter({ incidentId: linkedIncident })
  }, [linkedIncident, setFilter])
  // #/alerts?id=… (the palette, a deep link): that alert, focused.
  const linkedAlert = useRouteParam('id')
  const { focusAlert } = s
  useEffect(() => {
    if (linkedAlert) void focusAlert(linkedAlert)
  }, [linkedAlert, focusAlert])
  const [form, setForm] = useState<ActionForm>(null)

  const focused = s.alerts.find((a) => a.id === s.focusedId) ?? null
  const targets = s.checkedIds.length > 0 ? s.checkedIds : focused ? [focused.id] : []
  const firstTarget = s.alerts.find((a) => a.id === targets[0])
  const { nameTechniques } = s
  const focusedTechniques = focused?.techniques.join(' ') ?? ''
  useEffect(() => {
    if (focusedTechniques) void nameTechniques(focusedTechniques.split(' '))
  }, [focusedTechniques, nameTechniques])

  const onNearEnd = useCallback((): void => {
    if (hasOlder) void loadOlder()
  }, [hasOlder, loadOlder])
  const onFilter = useCallback((patch: Partial<AlertFilter>) => void setFilter(patch), [setFilter])

  const update = (action: AlertAction, note?: string): void => {
    setForm(null)
    void s.updateAlerts(targets, action, note)
  }
  const escalate = (escalation: Escalation): void => {
    setForm(null)
    void s.escalateAlerts(targets, escalation)
  }
  const onShortcut = (shortcut: AlertShortcut): void => {
    if (targets.length === 0) return
    if (shortcut === 'escalate' || shortcut === 'false_positive') setForm(shortcut)
    else update(shortcut)
  }

  return (
    <>
      <div className="view-header">
        <h1>Alerts</h1>
        <span className="muted" aria-label="Alerts shown">
          {s.total.toLocaleString()} {s.total === 1 ? 'alert' : 'alerts'}
        </span>
        {s.loading && <span className="muted">loading…</span>}
      </div>
      <AlertFilters
        filter={s.filter}
        incidentTitle={s.incidents.find((i) => i.id === s.filter.incidentId)?.title ?? null}
        onChange={onFilter}
      />
      <AlertActions
        targetCount={targets.length}
        form={form}
        incidents={s.incidents}
        defaultTitle={firstTarget?.title ?? ''}
        defaultIncidentId={firstTarget?.incident_id ?? null}
        onForm={setForm}
        onUpdate={update}
        onEscalate={escalate}
      />
      {s.error && (
        <p className="error" role="alert">
          {s.error}
        </p>
      )}
      {s.alerts.length === 0 && !s.loading ? (
        <section className="empty" aria-label="No alerts">
          <h2>No alerts</h2>
          <p className="muted">
            {s.filter.status.length > 0 || s.filter.minLevel || s.filter.query || s.filter.incidentId
              ? 'Nothing matches these filters.'
              : 'Enabled rules raise alerts here as matching events arrive. See Rules to enable or write some.'}
          </p>
        </section>
      ) : (
        <div className="events" data-detail={focused !== null}>
          <AlertsTable
            alerts={s.alerts}
            total={s.total}
            focusedId={s.focusedId}
            checkedIds={s.checkedIds}
            onFocus={(id) => void s.focusAlert(id)}
            onCheck={s.setChecked}
            onShortcut={onShortcut}
            onNearEnd={onNearEnd}
          />
          {focused && (
            <AlertDetail
              alert={focused}
              events={s.focusedEvents}
              eventsError={s.focusedEventsError}
              incident={s.incidents.find((i) => i.id === focused.incident_id) ?? null}
              techniqueNames={s.techniqueNames}
              onClose={() => void s.focusAlert(null)}
              onShowIncident={(incidentId) => onFilter({ incidentId })}
            />
          )}
        </div>
      )}
    </>
  )
}

import { onLinkListKeyDown } from '../../components/list-keys'
import { useCallback, useEffect } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { AlertLevel } from '../../../../collector/contract'
import { routeHref, useRouteParam } from '../../app/use-route'
import { ChoiceFilter, SearchBox, useDebouncedText } from '../../components/filters'
import { formatTimeShort } from '../../components/format'
import { LevelBadge } from '../../components/LevelBadge'
import { INCIDENT_STATUSES } from '../../state/incidents-slice'
import { useAppStore } from '../../state/store'
import { TlpBadge } from '../reports/TlpBadge'
import { IncidentCase } from './IncidentCase'
import { INCIDENT_STATUS_LABEL } from './labels'

const LEVELS: readonly AlertLevel[] = ['informational', 'low', 'medium', 'high', 'critical']

/** Incidents as cases: the list with its filters, and the case the route names (`?id=`). */
export const IncidentsView = () => {
  const s = useAppStore(
    useShallow((state) => ({
      cases: state.cases,
      loading: state.casesLoading,
      error: state.casesError,
      filter: state.casesFilter,
      load: state.loadCases,
      setFilter: state.setCasesFilter,
      open: state.openCase,
    })),
  )
  const id = useRouteParam('id')
  const { load, open, setFilter, filter } = s
  useEffect(() => void load(), [load])
  useEffect(() => void open(id), [id, open])
  const [query, setQuery] = useDebouncedText(
    filter.query,
    useCallback((query: string) => void setFilter({ query }), [setFilter]),
  )
  const [assignee, setAssignee] = useDebouncedText(
    filter.assignee,
    useCallback((assignee: string) => void setFilter({ assignee }), [setFilter]),
  )

  return (
    <>
      <div className="view-header">
        <h1>Incidents</h1>
        <span className="muted" aria-label="Incidents shown">
          {s.cases.length.toLocaleString()} {s.cases.length === 1 ? 'incident' : 'incidents'}
        </span>
        {s.loading && <span className="muted">loading…</span>}
      </div>
      {s.error && (
        <p className="error" role="alert">
          {s.error}
        </p>
      )}
      <div className="filters" role="search" aria-label="Incident filters">
        <SearchBox
          label="Search incidents"
          placeholder="Search title, id, assignee…"
          value={query}
          onChange={setQuery}
        />
        <ChoiceFilter
          label="Status"
          value={filter.status}
          options={INCIDENT_STATUSES}
          labels={INCIDENT_STATUS_LABEL}
          onChange={(status) => void setFilter({ status })}
        />
        <ChoiceFilter
          label="Severity"
          value={filter.severity}
          options={LEVELS}
          onChange={(severity) => void setFilter({ severity })}
        />
        <label>
          <span className="muted">Assignee </span>
          <input value={assignee} placeholder="anyone" onChange={(e) => setAssignee(e.target.value)} />
        </label>
      </div>
      <div className="reports-layout">
        {s.cases.length === 0 && !s.loading ? (
          <section className="empty" aria-label="No incidents">
            <h2>No incidents</h2>
            <p className="muted">
              {filter.query || filter.status || filter.severity || filter.assignee
                ? 'Nothing matches these filters.'
                : 'Escalate alerts in the Alerts view to open a case.'}
            </p>
          </section>
        ) : (
          <ul className="reports-list" aria-label="Incidents" onKeyDown={onLinkListKeyDown}>
            {s.cases.map((c) => (
              <li key={c.id} aria-current={c.id === id ? 'true' : undefined}>
                <a className="report-item" href={routeHref('incidents', { id: c.id })}>
                  <span className="report-title">{c.title}</span>
                  <span className="report-meta">
                    <LevelBadge level={c.severity} />
                    <span className="status-badge" data-status={c.status}>
                      {INCIDENT_STATUS_LABEL[c.status]}
                    </span>
                    <TlpBadge tlp={c.tlp} />
                    <span className="muted">{c.assignee ?? 'unassigned'}</span>
                    <span className="muted">{formatTimeShort(c.updated_at)}</span>
                    <span className="muted">
                      {c.alert_count.toLocaleString()} {c.alert_count === 1 ? 'alert' : 'alerts'}
                    </span>
                  </span>
                </a>
              </li>
            ))}
          </ul>
        )}
        {id ? (
          <IncidentCase />
        ) : (
          <section className="empty" aria-label="No incident open">
            <p className="muted">Open an incident from the list.</p>
          </section>
        )}
      </div>
    </>
  )
}

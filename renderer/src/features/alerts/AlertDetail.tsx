import type { Alert, Incident, StoredEvent } from '../../../../collector/contract'
import { routeHref } from '../../app/use-route'
import { formatTime } from '../../components/format'
import { LevelBadge } from '../../components/LevelBadge'
import { STATUS_LABEL } from './labels'

type Props = {
  alert: Alert
  events: StoredEvent[]
  eventsError: string | null
  incident: Incident | null
  /** ATT&CK names of its techniques, when a bundle is imported. */
  techniqueNames: Readonly<Record<string, string>>
  onClose: () => void
  onShowIncident: (incidentId: string) => void
}

/** One alert: its rule (with author and license, as the DRL asks), group-by values, matching events. */
export const AlertDetail = ({
  alert,
  events,
  eventsError,
  incident,
  techniqueNames,
  onClose,
  onShowIncident,
}: Props) => {
  const expected = Math.min(alert.event_ids.length || 1, 10)
  return (
    <aside className="detail" aria-label="Alert detail">
      <button type="button" onClick={onClose} aria-label="Close alert detail">
        Close
      </button>
      <h2>{alert.title}</h2>
      <dl className="kv">
        <dt className="muted">Level</dt>
        <dd>
          <LevelBadge level={alert.level} />
        </dd>
        <dt className="muted">Status</dt>
        <dd>{STATUS_LABEL[alert.status]}</dd>
        <dt className="muted">Rule</dt>
        <dd className="mono">{alert.rule_id ?? '—'}</dd>
        <dt className="muted">Author</dt>
        <dd>{alert.author ?? '—'}</dd>
        <dt className="muted">License</dt>
        <dd>{alert.license ?? '—'}</dd>
        <dt className="muted">Origin</dt>
        <dd>{alert.origin}</dd>
        <dt className="muted">First</dt>
        <dd className="mono">{formatTime(alert.timestamp)}</dd>
        <dt className="muted">Last</dt>
        <dd className="mono">{formatTime(alert.last_timestamp)}</dd>
        <dt className="muted">Count</dt>
        <dd>{alert.count.toLocaleString()}</dd>
        <dt className="muted">Host</dt>
        <dd>{alert.host ?? '—'}</dd>
        <dt className="muted">User</dt>
        <dd>{alert.user ?? '—'}</dd>
        <dt className="muted">ATT&amp;CK</dt>
        <dd className="mono" aria-label="ATT&CK">
          {[
            ...alert.tactics,
            ...alert.techniques.map((id) => (techniqueNames[id] ? `${id} ${techniqueNames[id]}` : id)),
          ].join(', ') || '—'}
        </dd>
        <dt className="muted">Tags</dt>
        <dd className="mono">{alert.tags.join(', ') || '—'}</dd>
        <dt className="muted">Incident</dt>
        <dd>
          {alert.incident_id ? (
            <>
              <button type="button" className="link" onClick={() => onShowIncident(alert.incident_id!)}>
                {incident?.title ?? alert.incident_id}
              </button>{' '}
              <a href={routeHref('incidents', { id: alert.incident_id })}>Open case</a>
            </>
          ) : (
            '—'
          )}
        </dd>
        {alert.note && (
          <>
            <dt className="muted">Note</dt>
            <dd>{alert.note}</dd>
          </>
        )}
      </dl>
      {alert.group && Object.keys(alert.group).length > 0 && (
        <>
          <h3>{alert.origin === 'agent' ? 'Why' : alert.origin === 'ioc' ? 'Indicator' : 'Grouped by'}</h3>
          <dl
            className="kv"
            aria-label={
              alert.origin === 'agent'
                ? 'The numbers behind it'
                : alert.origin === 'ioc'
                  ? 'The indicator matched'
                  : 'Group-by values'
            }
          >
            {Object.entries(alert.group).map(([field, value]) => (
              <div key={field} className="kv-pair">
                <dt className="mono muted">{field}</dt>
                <dd className="mono">{value ?? '(null)'}</dd>
              </div>
            ))}
          </dl>
        </>
      )}
      <h3>
        Matching events{' '}
        <span className="muted">
          {alert.event_ids.length > expected
            ? `(first ${expected} of ${alert.event_ids.length.toLocaleString()})`
            : `(${alert.event_ids.length || (alert.event_id ? 1 : 0)})`}
        </span>
      </h3>
      {eventsError && <p className="error">{eventsError}</p>}
      {events.length === 0 && !eventsError && (
        <p className="muted">
          {alert.event_id === '' ? 'None: an agent raised it from the numbers above' : 'Loading…'}
        </p>
      )}
      <ol className="match-events" aria-label="Matching events">
        {events.map((event) => (
          <li key={event.id}>
            <p className="mono">
              <a href={routeHref('events', { id: event.id })}>{formatTime(event.timestamp)}</a>{' '}
              {event.host ?? ''}
            </p>
            <p>{event.message ?? '(no message)'}</p>
            <pre>{JSON.stringify(event.fields, null, 2)}</pre>
          </li>
        ))}
      </ol>
    </aside>
  )
}

import { useShallow } from 'zustand/react/shallow'
import { useAppStore } from '../../state/store'
import { formatTime } from './format'

export const EventDetail = () => {
  const { event, error, selectEvent } = useAppStore(
    useShallow((s) => ({ event: s.selectedEvent, error: s.selectedEventError, selectEvent: s.selectEvent })),
  )
  return (
    <aside className="detail" aria-label="Event detail">
      <button type="button" onClick={() => void selectEvent(null)} aria-label="Close event detail">
        Close
      </button>
      {error && <p className="error">{error}</p>}
      {!event && !error && <p className="muted">Loading…</p>}
      {event && (
        <>
          <h2>{event.message ?? '(no message)'}</h2>
          <dl className="kv">
            <dt className="muted">Time</dt>
            <dd className="mono">{formatTime(event.timestamp)}</dd>
            <dt className="muted">Received</dt>
            <dd className="mono">{formatTime(event.received_at)}</dd>
            <dt className="muted">Host</dt>
            <dd>{event.host ?? '—'}</dd>
            <dt className="muted">Source</dt>
            <dd className="mono">{event.source ?? '—'}</dd>
            <dt className="muted">Listener</dt>
            <dd>{event.listener}</dd>
            <dt className="muted">Id</dt>
            <dd className="mono">{event.id}</dd>
          </dl>
          <h3>Original fields</h3>
          <pre>{JSON.stringify(event.fields, null, 2)}</pre>
        </>
      )}
    </aside>
  )
}

import { HUNT_HOT_FIELDS, type HuntEvent } from '../../../../collector/contract'

/**
 * An archived event SQLite no longer holds (storage.hot_days): its hot columns, as the archive
 * has them. The original fields are in the archive's `fields` column (the SQL console).
 */
export const ArchivedEventDetail = ({ event, onClose }: { event: HuntEvent; onClose: () => void }) => (
  <aside className="detail" aria-label="Event detail">
    <button type="button" onClick={onClose} aria-label="Close event detail">
      Close
    </button>
    <h2>{event.message ?? '(no message)'}</h2>
    <p className="muted">
      Only in the archive now. Its original fields:{' '}
      <span className="mono">SELECT fields FROM events WHERE id = &apos;{event.id}&apos;</span>
    </p>
    <dl className="kv">
      {HUNT_HOT_FIELDS.filter((f) => event[f] !== null && f !== 'message').map((f) => (
        <div className="kv-pair" key={f}>
          <dt className="muted">{f}</dt>
          <dd className="mono">{String(event[f])}</dd>
        </div>
      ))}
    </dl>
  </aside>
)

import type { RuleTest } from '../../../../collector/contract'
import { routeHref } from '../../app/use-route'
import { formatTime } from '../../components/format'

const STATE_LABEL = {
  running: 'testing…',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
} as const

type Props = {
  test: RuleTest | null
  error: string | null
  starting: boolean
  onCancel: () => void
}

/** A rule run over stored events: progress while it runs, then the first matches. */
export const RuleTestPanel = ({ test, error, starting, onCancel }: Props) => {
  if (error)
    return (
      <p className="error" role="alert">
        Test failed: {error}
      </p>
    )
  if (!test) return starting ? <p className="muted">Starting the test…</p> : null
  const max = Math.max(test.total, 1)
  const now = Math.min(test.scanned, max)
  return (
    <section className="rule-test" aria-label="Test against history" data-state={test.state}>
      <div className="import-job-head">
        <span aria-live="polite">
          {test.scanned.toLocaleString()} of {test.total.toLocaleString()} events scanned,{' '}
          <strong>
            {test.matches.toLocaleString()} {test.matches === 1 ? 'match' : 'matches'}
          </strong>{' '}
          <span className="muted">
            {STATE_LABEL[test.state]} ({test.seconds.toFixed(1)} s)
          </span>
        </span>
        {test.state === 'running' && (
          <button type="button" onClick={onCancel}>
            Cancel test
          </button>
        )}
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-label="Rule test progress"
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={now}
        aria-valuetext={`${test.scanned} of ${test.total} events scanned, ${test.matches} matches`}
      >
        <div className="progress-bar" style={{ width: `${(100 * now) / max}%` }} />
      </div>
      {test.error && <p className="error">{test.error}</p>}
      {test.results.length > 0 && (
        <table className="table" aria-label="Test matches">
          <thead>
            <tr>
              <th>Event time (UTC)</th>
              <th>Host</th>
              <th>Rule</th>
            </tr>
          </thead>
          <tbody>
            {test.results.map((r) => (
              <tr key={r.event_id}>
                <td className="mono">
                  <a href={routeHref('events', { id: r.event_id })}>{formatTime(r.timestamp)}</a>
                </td>
                <td>{r.host ?? '—'}</td>
                <td className="wrap">{r.title}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {test.matches > test.results.length && (
        <p className="muted">
          The first {test.results.length.toLocaleString()} of {test.matches.toLocaleString()} matches are
          listed.
        </p>
      )}
    </section>
  )
}

import type { ImportJob } from '../../../../collector/contract'
import { formatBytes } from './format'

/** Problems listed under a summary; the rest are counted (the CLI shows the same ones). */
const PROBLEMS_SHOWN = 5

const STATE_LABEL = {
  running: 'importing…',
  done: 'done',
  failed: 'failed',
  cancelled: 'cancelled',
} as const

/** One import job: its progress bar while it runs, its summary once it has ended. */
export const ImportJobCard = ({ job, onCancel }: { job: ImportJob; onCancel: () => void }) => {
  const max = Math.max(job.bytes_total, 1)
  const now = Math.min(job.bytes_read, max)
  const summary = job.summary
  return (
    <li className="import-job" data-state={job.state}>
      <div className="import-job-head">
        <span className="mono wrap">{job.file}</span>
        <span className="muted">{STATE_LABEL[job.state]}</span>
        {job.state === 'running' && (
          <button type="button" onClick={onCancel} aria-label={`Cancel import of ${job.file}`}>
            Cancel
          </button>
        )}
      </div>
      <div
        className="progress"
        role="progressbar"
        aria-label={job.file}
        aria-valuemin={0}
        aria-valuemax={max}
        aria-valuenow={now}
        aria-valuetext={`${formatBytes(job.bytes_read)} of ${formatBytes(job.bytes_total)}, ${job.imported.toLocaleString()} imported`}
      >
        <div className="progress-bar" style={{ width: `${(100 * now) / max}%` }} />
      </div>
      {summary ? (
        <div role="group" aria-label={`Summary of ${job.file}`}>
          <dl className="import-summary">
            <dt>Records</dt>
            <dd>{summary.records.toLocaleString()}</dd>
            <dt>Imported</dt>
            <dd>{summary.imported.toLocaleString()}</dd>
            <dt>Rejected</dt>
            <dd>{summary.rejected.toLocaleString()}</dd>
            <dt>Time</dt>
            <dd>{summary.seconds.toFixed(1)} s</dd>
          </dl>
          {summary.error && <p className="error">{summary.error}</p>}
          {summary.problems.length > 0 && (
            <ul className="import-problems mono">
              {summary.problems.slice(0, PROBLEMS_SHOWN).map((p, i) => (
                <li key={i} className="wrap">
                  {p.file}: {p.at}: {p.reason}
                </li>
              ))}
              {summary.problems_total > PROBLEMS_SHOWN && (
                <li className="muted">
                  and {(summary.problems_total - PROBLEMS_SHOWN).toLocaleString()} more rejected
                </li>
              )}
            </ul>
          )}
        </div>
      ) : (
        <p className="muted">
          {job.records.toLocaleString()} records, {job.imported.toLocaleString()} imported,{' '}
          {job.rejected.toLocaleString()} rejected
        </p>
      )}
    </li>
  )
}

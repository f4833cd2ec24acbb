import { useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { ActionDeadLetter, ActionStatus, ActionTypeInfo } from '../../../collector/contract'
import type { CaseAction } from '../state/actions-slice'
import { useAppStore } from '../state/store'
import { FieldError } from './FieldError'
import { formatTimeShort } from './format'

const STATUS_LABEL: Record<ActionStatus, string> = {
  proposed: 'proposed',
  dry_run: 'previewed, waiting for approval',
  approved: 'approved',
  rejected: 'rejected',
  running: 'running',
  verifying: 'verifying',
  retrying: 'waiting to retry',
  completed: 'completed',
  failed: 'failed',
}

const describeParams = (params: Record<string, unknown>): string =>
  Object.entries(params)
    .map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(', ')

/** One action: its state, what it would do, the buttons for its next legal move, its steps. */
export const ActionCard = ({
  item,
  types,
  twoPersonRule,
}: {
  item: CaseAction
  types: ActionTypeInfo[]
  twoPersonRule: boolean
}) => {
  const { action, steps } = item
  const s = useAppStore(
    useShallow((state) => ({
      error: state.actionErrors[action.id],
      dryRun: state.dryRunAction,
      approve: state.approveAction,
      reject: state.rejectAction,
      execute: state.executeAction,
    })),
  )
  const [approver, setApprover] = useState('')
  const [passphrase, setPassphrase] = useState('')
  const [reason, setReason] = useState('')
  const title = types.find((t) => t.type === action.type)?.title ?? action.type
  const label = `${title}: ${describeParams(action.params)}`
  const canReject = action.status === 'proposed' || action.status === 'dry_run'
  return (
    <article className="panel" aria-label={`Action ${label}`}>
      <p>
        <strong>{label}</strong>{' '}
        <span className="status-badge" role="status" aria-label="Action status">
          {STATUS_LABEL[action.status]}
        </span>
      </p>
      <p className="muted">
        proposed by {action.proposed_by} ({action.proposed_source})
        {action.approved_by && <> · approved by {action.approved_by}</>}
        {action.attempts > 0 && <> · attempts {action.attempts}</>}
        {action.next_attempt_at && (
          <>
            {' '}
            · next try <span className="mono">{formatTimeShort(action.next_attempt_at)}</span>
          </>
        )}
      </p>
      {action.last_error && (
        <p className="error-text" aria-label="Last error">
          {action.last_error}
        </p>
      )}
      {action.preview && (
        <section aria-label="Preview">
          <p>{action.preview.summary}</p>
          {action.preview.warnings.map((w) => (
            <p key={w} className="error-text">
              {w}
            </p>
          ))}
          {action.preview.diff && (
            <pre className="mono" aria-label="Diff">
              {action.preview.diff}
            </pre>
          )}
          {action.preview.artifacts.map((a) => (
            <details key={a.name}>
              <summary>
                {a.name} <span className="mono muted sha">SHA-256 {a.sha256}</span>
              </summary>
              <pre className="mono" aria-label={`Artifact ${a.name}`}>
                {a.content}
              </pre>
            </details>
          ))}
        </section>
      )}
      <div className="field-row">
        {action.status === 'proposed' && (
          <button type="button" onClick={() => void s.dryRun(action.id)}>
            Dry-run
          </button>
        )}
        {action.status === 'dry_run' && (
          <form
            className="field-row"
            aria-label="Approve action"
            onSubmit={(e) => {
              e.preventDefault()
              void s.approve(action.id, approver, passphrase).then((ok) => ok && setPassphrase(''))
            }}
          >
            {twoPersonRule && (
              <>
                <label className="field">
                  <span>Approver (operator)</span>
                  <input
                    aria-label="Approver"
                    value={approver}
                    onChange={(e) => setApprover(e.target.value)}
                  />
                </label>
                <label className="field">
                  <span>Passphrase</span>
                  <input
                    aria-label="Approver passphrase"
                    type="password"
                    value={passphrase}
                    onChange={(e) => setPassphrase(e.target.value)}
                  />
                </label>
              </>
            )}
            <button type="submit">Approve</button>
          </form>
        )}
        {(action.status === 'approved' || action.status === 'retrying') && (
          <button type="button" onClick={() => void s.execute(action.id)}>
            Execute now
          </button>
        )}
        {canReject && (
          <form
            className="field-row"
            aria-label="Reject action"
            onSubmit={(e) => {
              e.preventDefault()
              if (reason.trim()) void s.reject(action.id, reason.trim())
            }}
          >
            <label className="field">
              <span>Reason</span>
              <input aria-label="Reject reason" value={reason} onChange={(e) => setReason(e.target.value)} />
            </label>
            <button type="submit" disabled={!reason.trim()}>
              Reject
            </button>
          </form>
        )}
      </div>
      <FieldError label="Action problem" message={s.error} />
      <table className="table" aria-label="Steps">
        <thead>
          <tr>
            <th>Time</th>
            <th>Step</th>
            <th>By</th>
            <th>Note</th>
            <th>Evidence SHA-256</th>
          </tr>
        </thead>
        <tbody>
          {steps.map((step) => (
            <tr key={step.seq}>
              <td className="mono">{formatTimeShort(step.at)}</td>
              <td>{step.from ? `${step.from} → ${step.to}` : step.to}</td>
              <td>{step.actor}</td>
              <td className="wrap">{step.note ?? ''}</td>
              <td className="mono sha">{step.sha256 ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </article>
  )
}

/** Actions that ran out of attempts, with the reason: the case's and the System view's list. */
export const DeadLetters = ({ dead, label }: { dead: readonly ActionDeadLetter[]; label: string }) => (
  <table className="table" aria-label={label}>
    <thead>
      <tr>
        <th>Time</th>
        <th>Action</th>
        <th>Attempts</th>
        <th>Reason</th>
      </tr>
    </thead>
    <tbody>
      {dead.map((d) => (
        <tr key={d.id}>
          <td className="mono">{formatTimeShort(d.at)}</td>
          <td>
            {d.type} <span className="mono muted">{d.action_id}</span>
          </td>
          <td className="mono">{d.attempts}</td>
          <td className="wrap">{d.reason}</td>
        </tr>
      ))}
    </tbody>
  </table>
)

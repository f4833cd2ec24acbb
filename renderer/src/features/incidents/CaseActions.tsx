import { useEffect, useState, type FormEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { ActionStatus, ActionType, ActionTypeInfo } from '../../../../collector/contract'
import { FieldError } from '../../components/FieldError'
import { formatTimeShort } from '../../components/format'
import type { ActionForm, CaseAction } from '../../state/actions-slice'
import { useAppStore } from '../../state/store'

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

/** The proposal form: the type's fields, each refusal beside its field. */
const ProposeForm = ({ types, twoPersonRule }: { types: ActionTypeInfo[]; twoPersonRule: boolean }) => {
  const s = useAppStore(useShallow((state) => ({ errors: state.actionErrors, propose: state.proposeAction })))
  const [type, setType] = useState<ActionType>('block_ip')
  const [form, setForm] = useState<ActionForm>({})
  const info = types.find((t) => t.type === type)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (await s.propose(type, form)) setForm({})
  }
  const set = (name: string, value: string) => setForm({ ...form, [name]: value })
  return (
    <form className="case-fields" aria-label="Propose action" onSubmit={(e) => void submit(e)}>
      <label className="field">
        <span>Action type</span>
        <select
          aria-label="Action type"
          value={type}
          onChange={(e) => {
            setType(e.target.value as ActionType)
            setForm({})
          }}
        >
          {types.map((t) => (
            <option
              key={t.type}
              value={t.type}
              disabled={!t.enabled}
              title={t.disabled_reason ?? t.description}
            >
              {t.title}
              {t.enabled ? '' : ' (off)'}
            </option>
          ))}
        </select>
      </label>
      {info?.fields.map((field) => {
        const error = s.errors[`params.${field.name}`]
        const id = `action-field-${field.name}-problem`
        const value = form[field.name] ?? field.default ?? ''
        return (
          <div className="field" key={`${type}-${field.name}`}>
            <label className="field">
              <span>{field.label}</span>
              {field.kind === 'choice' ? (
                <select
                  aria-label={field.label}
                  value={value}
                  onChange={(e) => set(field.name, e.target.value)}
                >
                  {field.choices?.map((c) => (
                    <option key={c} value={c}>
                      {c}
                    </option>
                  ))}
                </select>
              ) : field.kind === 'json' || field.kind === 'list' ? (
                <textarea
                  aria-label={field.label}
                  rows={3}
                  value={value}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? id : undefined}
                  onChange={(e) => set(field.name, e.target.value)}
                />
              ) : (
                <input
                  aria-label={field.label}
                  value={value}
                  aria-invalid={error ? true : undefined}
                  aria-describedby={error ? id : undefined}
                  onChange={(e) => set(field.name, e.target.value)}
                />
              )}
            </label>
            <FieldError id={id} label={`${field.label} problem`} message={error} />
          </div>
        )
      })}
      {twoPersonRule && (
        <>
          <label className="field">
            <span>Proposed by (operator)</span>
            <input
              aria-label="Proposed by"
              value={form.proposed_by ?? ''}
              onChange={(e) => set('proposed_by', e.target.value)}
            />
          </label>
          <label className="field">
            <span>Passphrase</span>
            <input
              aria-label="Proposer passphrase"
              type="password"
              value={form.passphrase ?? ''}
              onChange={(e) => set('passphrase', e.target.value)}
            />
          </label>
        </>
      )}
      <button type="submit" disabled={!info?.enabled}>
        Propose
      </button>
      {info && <p className="muted">{info.enabled ? info.description : info.disabled_reason}</p>}
      <FieldError label="Proposal problem" message={s.errors.propose} />
    </form>
  )
}

/** One action: its state, what it would do, the buttons for its next legal move, its steps. */
const ActionCard = ({
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

/** Response actions of a case: propose, preview, approve, run; every step kept and listed. */
export const CaseActions = ({ incidentId }: { incidentId: string }) => {
  const s = useAppStore(
    useShallow((state) => ({
      types: state.actionTypes,
      twoPersonRule: state.twoPersonRule,
      actions: state.caseActions,
      dead: state.actionDeadLetters,
      loadTypes: state.loadActionTypes,
      load: state.loadCaseActions,
    })),
  )
  const { loadTypes, load } = s
  useEffect(() => void loadTypes(), [loadTypes])
  useEffect(() => void load(), [load, incidentId])
  return (
    <section className="panel" aria-label="Response actions">
      <h3>Response actions</h3>
      {s.twoPersonRule && (
        <p className="muted">Two-person rule: another local operator approves what one proposes.</p>
      )}
      <ProposeForm types={s.types} twoPersonRule={s.twoPersonRule} />
      {s.actions.length === 0 && <p className="muted">No actions proposed yet.</p>}
      {s.actions.map((item) => (
        <ActionCard key={item.action.id} item={item} types={s.types} twoPersonRule={s.twoPersonRule} />
      ))}
      {s.dead.length > 0 && (
        <table className="table" aria-label="Dead letters">
          <thead>
            <tr>
              <th>Time</th>
              <th>Action</th>
              <th>Attempts</th>
              <th>Reason</th>
            </tr>
          </thead>
          <tbody>
            {s.dead.map((d) => (
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
      )}
    </section>
  )
}

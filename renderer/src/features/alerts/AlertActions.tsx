import { useState, type FormEvent } from 'react'
import type { Incident } from '../../../../collector/contract'
import type { AlertAction, Escalation } from '../../state/alerts-slice'

export type ActionForm = 'escalate' | 'false_positive' | null

type Props = {
  /** What the actions apply to: the checked alerts, else the focused one. */
  targetCount: number
  form: ActionForm
  incidents: Incident[]
  defaultTitle: string
  /** The incident the core already grouped the first alert into, offered first. */
  defaultIncidentId: string | null
  onForm: (form: ActionForm) => void
  onUpdate: (action: AlertAction, note?: string) => void
  onEscalate: (escalation: Escalation) => void
}

export const AlertActions = ({
  targetCount,
  form,
  incidents,
  defaultTitle,
  defaultIncidentId,
  onForm,
  onUpdate,
  onEscalate,
}: Props) => {
  const none = targetCount === 0
  return (
    <div className="toolbar-wrap">
      <div className="toolbar" role="toolbar" aria-label="Alert actions">
        <span className="muted" aria-live="polite">
          {none ? 'No alert selected' : `${targetCount.toLocaleString()} selected`}
        </span>
        <button type="button" disabled={none} onClick={() => onUpdate('acknowledge')}>
          Acknowledge
        </button>
        <button
          type="button"
          disabled={none}
          aria-expanded={form === 'escalate'}
          onClick={() => onForm(form === 'escalate' ? null : 'escalate')}
        >
          Escalate…
        </button>
        <button
          type="button"
          disabled={none}
          aria-expanded={form === 'false_positive'}
          onClick={() => onForm(form === 'false_positive' ? null : 'false_positive')}
        >
          False positive…
        </button>
        <button type="button" disabled={none} onClick={() => onUpdate('close')}>
          Close
        </button>
        <button type="button" disabled={none} onClick={() => onUpdate('reopen')}>
          Reopen
        </button>
      </div>
      {form === 'escalate' && !none && (
        <EscalateForm
          key={`${defaultTitle}\n${defaultIncidentId}`}
          incidents={incidents}
          defaultTitle={defaultTitle}
          defaultIncidentId={defaultIncidentId}
          onCancel={() => onForm(null)}
          onSubmit={onEscalate}
        />
      )}
      {form === 'false_positive' && !none && (
        <FalsePositiveForm
          onCancel={() => onForm(null)}
          onSubmit={(note) => onUpdate('false_positive', note)}
        />
      )}
    </div>
  )
}

const EscalateForm = ({
  incidents,
  defaultTitle,
  defaultIncidentId,
  onCancel,
  onSubmit,
}: {
  incidents: Incident[]
  defaultTitle: string
  defaultIncidentId: string | null
  onCancel: () => void
  onSubmit: (escalation: Escalation) => void
}) => {
  const open = incidents.filter((i) => i.status !== 'closed')
  const [target, setTarget] = useState(
    open.some((i) => i.id === defaultIncidentId) ? (defaultIncidentId ?? '') : '',
  )
  const [title, setTitle] = useState(defaultTitle)
  const [note, setNote] = useState('')
  const submit = (e: FormEvent): void => {
    e.preventDefault()
    onSubmit(target ? { incidentId: target, note } : { title, note })
  }
  return (
    <form className="action-form" aria-label="Escalate to incident" onSubmit={submit}>
      <label>
        <span className="muted">Incident </span>
        <select value={target} onChange={(e) => setTarget(e.target.value)}>
          <option value="">New incident</option>
          {open.map((i) => (
            <option key={i.id} value={i.id}>
              {i.title} ({i.alert_count} alerts, {i.severity})
            </option>
          ))}
        </select>
      </label>
      {target === '' && (
        <label>
          <span className="muted">Title </span>
          <input value={title} required maxLength={300} onChange={(e) => setTitle(e.target.value)} />
        </label>
      )}
      <label className="grow">
        <span className="muted">Note </span>
        <input value={note} maxLength={4000} onChange={(e) => setNote(e.target.value)} />
      </label>
      <button type="submit">Escalate</button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  )
}

const FalsePositiveForm = ({
  onCancel,
  onSubmit,
}: {
  onCancel: () => void
  onSubmit: (note: string) => void
}) => {
  const [note, setNote] = useState('')
  return (
    <form
      className="action-form"
      aria-label="Close as false positive"
      onSubmit={(e) => {
        e.preventDefault()
        onSubmit(note)
      }}
    >
      <label className="grow">
        <span className="muted">Why (optional) </span>
        <input
          value={note}
          maxLength={4000}
          autoFocus
          placeholder="e.g. admin's scheduled backup"
          onChange={(e) => setNote(e.target.value)}
        />
      </label>
      <button type="submit">Close as false positive</button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
    </form>
  )
}

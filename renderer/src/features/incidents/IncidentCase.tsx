import { useEffect, useState, type FormEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { IncidentStatus } from '../../../../collector/contract'
import { routeHref } from '../../app/use-route'
import { formatTimeShort } from '../../components/format'
import { LevelBadge } from '../../components/LevelBadge'
import { nextIncidentStatuses } from '../../state/incidents-slice'
import { EXPORT_FORMATS, PACKAGE_FORMAT } from '../../state/reports-slice'
import { useAppStore } from '../../state/store'
import { ExportMenu, ExportResult } from '../reports/ExportMenu'
import { TLPS, TLP_LABEL } from '../reports/labels'
import { Markdown } from '../../components/Markdown'
import { CaseActions } from './CaseActions'
import { CaseDescription } from './CaseDescription'
import { CaseEvidence } from './CaseEvidence'
import { CaseObservables } from './CaseObservables'
import { ConfirmButton } from './ConfirmButton'
import { FieldError } from '../../components/FieldError'
import { INCIDENT_STATUS_LABEL, PAPS, PAP_LABEL } from './labels'
import { SelectField } from '../../components/filters'

const FORMATS = [...EXPORT_FORMATS, PACKAGE_FORMAT]

const TIMELINE_KIND = {
  event: 'Event',
  alert: 'Alert',
  comment: 'Comment',
  action: 'Action',
  evidence: 'Evidence',
} as const

/** One case: who works it and how it may be shared, what happened, what was said, seen and kept. */
export const IncidentCase = () => {
  const s = useAppStore(
    useShallow((state) => ({
      detail: state.caseDetail,
      errors: state.caseErrors,
      exported: state.caseExport,
      operations: state.operations,
      loadOperations: state.loadOperations,
      update: state.updateCase,
      comment: state.commentCase,
      retract: state.retractComment,
      exportCase: state.exportCase,
    })),
  )
  const { loadOperations } = s
  useEffect(() => void loadOperations(), [loadOperations])
  const incidentId = s.detail?.incident.id
  const savedAssignee = s.detail?.incident.assignee ?? ''
  // What is typed, for the incident and assignee it was typed over; a change elsewhere resets it.
  const assigneeKey = `${incidentId ?? ''}\n${savedAssignee}`
  const [typed, setTyped] = useState<{ key: string; text: string } | null>(null)
  const assignee = typed?.key === assigneeKey ? typed.text : savedAssignee
  const setAssignee = (text: string): void => setTyped({ key: assigneeKey, text })
  const [comment, setComment] = useState('')

  if (!s.detail)
    return (
      <section className="report-editor" aria-label="Incident">
        {s.errors.load ? (
          <p className="error" role="alert">
            {s.errors.load}
          </p>
        ) : (
          <p className="muted">loading…</p>
        )}
      </section>
    )
  const { incident, alerts, comments, timeline } = s.detail

  const assign = (e: FormEvent) => {
    e.preventDefault()
    void s.update({ assignee: assignee.trim() || null })
  }
  const addComment = async (e: FormEvent) => {
    e.preventDefault()
    if (await s.comment(comment)) setComment('')
  }

  return (
    <section className="report-editor incident-case" aria-label="Incident">
      <div className="toolbar">
        <h2>{incident.title}</h2>
        <LevelBadge level={incident.severity} />
        <span className="muted mono">{incident.id}</span>
        <span className="spacer" />
        <ExportMenu state={s.exported} run={s.exportCase} formats={FORMATS} />
      </div>
      <ExportResult state={s.exported} />
      <div className="case-fields">
        <div className="field">
          <label className="field">
            <span>Status</span>
            <select
              aria-label="Status"
              value={incident.status}
              aria-invalid={s.errors.status ? true : undefined}
              onChange={(e) => void s.update({ status: e.target.value as IncidentStatus })}
            >
              {nextIncidentStatuses(incident.status).map((status) => (
                <option key={status} value={status}>
                  {INCIDENT_STATUS_LABEL[status]}
                </option>
              ))}
            </select>
          </label>
          <FieldError label="Status problem" message={s.errors.status} />
        </div>
        <form className="field" aria-label="Assign incident" onSubmit={assign}>
          <label className="field">
            <span>Assignee</span>
            <input
              aria-label="Assignee"
              value={assignee}
              placeholder="unassigned"
              aria-invalid={s.errors.assignee ? true : undefined}
              onChange={(e) => setAssignee(e.target.value)}
            />
          </label>
          <button type="submit" disabled={assignee.trim() === savedAssignee}>
            Assign
          </button>
          <FieldError label="Assignee problem" message={s.errors.assignee} />
        </form>
        <SelectField
          label="TLP"
          value={incident.tlp}
          options={TLPS}
          labels={TLP_LABEL}
          error={s.errors.tlp}
          onChange={(tlp) => void s.update({ tlp })}
        />
        <SelectField
          label="PAP"
          value={incident.pap}
          options={PAPS}
          labels={PAP_LABEL}
          error={s.errors.pap}
          onChange={(pap) => void s.update({ pap })}
        />
        <div className="field">
          <label className="field">
            <span>Operation</span>
            <select
              aria-label="Operation"
              value={incident.operation_id ?? ''}
              onChange={(e) => void s.update({ operation_id: e.target.value === '' ? null : e.target.value })}
            >
              <option value="">none</option>
              {incident.operation_id !== null &&
                !s.operations.some((o) => o.id === incident.operation_id) && (
                  <option value={incident.operation_id}>{incident.operation_id}</option>
                )}
              {s.operations.map((o) => (
                <option key={o.id} value={o.id}>
                  {o.name}
                </option>
              ))}
            </select>
          </label>
          <FieldError label="Operation problem" message={s.errors.operation} />
        </div>
      </div>

      <CaseDescription
        key={incident.id}
        saved={incident.description}
        error={s.errors.description}
        save={(description) => s.update({ description })}
      />

      <section className="panel" aria-label="Timeline">
        <h3>Timeline</h3>
        <ol className="timeline">
          {timeline.map((t, i) => (
            <li key={i} data-kind={t.kind}>
              <span className="mono muted">{formatTimeShort(t.at)}</span>{' '}
              <span className="status-badge">{TIMELINE_KIND[t.kind]}</span>{' '}
              {t.kind === 'event' && t.ref ? (
                <a href={routeHref('events', { id: t.ref })}>{t.text}</a>
              ) : (
                <span>{t.text}</span>
              )}
            </li>
          ))}
        </ol>
      </section>

      <section className="panel" aria-label="Comments">
        <h3>Comments</h3>
        {comments.length === 0 && <p className="muted">No comments yet.</p>}
        {comments.map((c) => (
          <article key={c.id} className="case-comment" aria-label={`Comment by ${c.actor}`}>
            <p className="muted">
              {c.actor} · <span className="mono">{formatTimeShort(c.at)}</span>
              {!c.retracted && (
                <>
                  {' '}
                  <ConfirmButton
                    label="Retract"
                    name={`Retract comment by ${c.actor} at ${formatTimeShort(c.at)}`}
                    question="Retract this comment for good? Its text is erased."
                    confirm="Yes, retract"
                    onConfirm={() => s.retract(c.id)}
                  />
                </>
              )}
            </p>
            {c.retracted ? (
              <p className="muted">
                <em>
                  Retracted by {c.retracted.actor} at{' '}
                  <span className="mono">{formatTimeShort(c.retracted.at)}</span>
                </em>
              </p>
            ) : (
              <div className="markdown-preview">
                <Markdown source={c.body} />
              </div>
            )}
          </article>
        ))}
        <form className="case-comment-form" aria-label="New comment" onSubmit={(e) => void addComment(e)}>
          <label className="field">
            <span>Comment (markdown)</span>
            <textarea
              aria-label="Comment"
              rows={4}
              value={comment}
              aria-invalid={s.errors.comment ? true : undefined}
              onChange={(e) => setComment(e.target.value)}
            />
          </label>
          <FieldError label="Comment problem" message={s.errors.comment} />
          <button type="submit">Add comment</button>
        </form>
      </section>

      <CaseObservables />
      <CaseEvidence />
      <CaseActions incidentId={incident.id} />

      <section className="panel" aria-label="Incident alerts">
        <h3>
          Alerts{' '}
          <a href={routeHref('alerts', { incident: incident.id })}>
            show in Alerts ({alerts.length.toLocaleString()})
          </a>
        </h3>
        <table className="table" aria-label="Alerts of this incident">
          <thead>
            <tr>
              <th>Time</th>
              <th>Level</th>
              <th>Title</th>
              <th>Host</th>
              <th>Count</th>
            </tr>
          </thead>
          <tbody>
            {alerts.map((a) => (
              <tr key={a.id}>
                <td className="mono">{formatTimeShort(a.timestamp)}</td>
                <td>
                  <LevelBadge level={a.level} />
                </td>
                <td>
                  <a href={routeHref('alerts', { incident: incident.id })}>{a.title}</a>
                </td>
                <td>{a.host ?? '—'}</td>
                <td className="mono">{a.count}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </section>
  )
}

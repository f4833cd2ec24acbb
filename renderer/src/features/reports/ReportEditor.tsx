import { useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { Tlp } from '../../../../collector/contract'
import { EXPORT_FORMATS, nextStatuses } from '../../state/reports-slice'
import { useAppStore } from '../../state/store'
import { ExportMenu, ExportResult } from './ExportMenu'
import { OBSERVABLE_TYPES, STATUS_ACTION, STATUS_LABEL, TLP_LABEL, TLPS } from './labels'
import { Markdown } from '../../components/Markdown'
import { ObservablesTable } from './ObservablesTable'
import { ReportHistory } from './ReportHistory'
import { ReportLinks } from './ReportLinks'
import { TechniquesEditor } from './TechniquesEditor'
import { TlpBadge } from './TlpBadge'
import { FieldError } from '../../components/FieldError'

/** One report: its fields, observables and techniques; saved with the version it was read at. */
export const ReportEditor = () => {
  const s = useAppStore(
    useShallow((state) => ({
      draft: state.reportDraft,
      edit: state.editReport,
      save: state.saveReport,
      setStatus: state.setReportStatus,
      open: state.openReport,
      close: state.closeReport,
      exported: state.reportExport,
      exportReport: state.exportReport,
    })),
  )
  const [preview, setPreview] = useState(false)
  const [labels, setLabels] = useState<{ id: string | null; text: string } | null>(null)
  const draft = s.draft
  if (!draft) return null
  // The labels box keeps what is typed ("a, b, "); the draft holds the list.
  const labelsText = labels?.id === draft.id ? labels.text : draft.labels.join(', ')
  const stored = draft.id !== null

  return (
    <aside className="report-editor" aria-label="Report editor">
      <div className="toolbar">
        <h2>{stored ? draft.title || 'Report' : 'New report'}</h2>
        {stored && (
          <span className="status-badge" data-status={draft.status} aria-label="Status">
            {STATUS_LABEL[draft.status]}
          </span>
        )}
        {draft.dirty && <span className="muted">unsaved changes</span>}
        <span className="spacer" />
        <button type="button" className="primary" disabled={draft.saving} onClick={() => void s.save()}>
          {draft.saving ? 'Saving…' : 'Save'}
        </button>
        {stored &&
          nextStatuses(draft.status).map((status) => (
            <button
              key={status}
              type="button"
              disabled={draft.saving}
              onClick={() => void s.setStatus(status)}
            >
              {STATUS_ACTION[status]}
            </button>
          ))}
        {stored && <ExportMenu state={s.exported} run={s.exportReport} formats={EXPORT_FORMATS} />}
        <button
          type="button"
          onClick={() => (!draft.dirty || window.confirm('Discard the unsaved changes?')) && s.close()}
        >
          Close
        </button>
      </div>
      <ExportResult state={s.exported} />
      {draft.conflict && draft.id !== null && (
        <p className="error" role="alert">
          Someone saved a newer version: reload.{' '}
          <button
            type="button"
            onClick={() =>
              window.confirm('Reload the stored version? Your changes here are lost.') &&
              draft.id !== null &&
              void s.open(draft.id)
            }
          >
            Reload
          </button>
        </p>
      )}
      {draft.error && !draft.conflict && (
        <p className="error" role="alert">
          {draft.error}
        </p>
      )}
      <div className="report-fields">
        <label className="field">
          <span>Title</span>
          <input
            value={draft.title}
            aria-invalid={draft.fieldErrors.title ? true : undefined}
            aria-describedby={draft.fieldErrors.title ? 'report-title-error' : undefined}
            onChange={(e) => s.edit({ title: e.target.value })}
          />
        </label>
        <FieldError id="report-title-error" message={draft.fieldErrors.title} />
        <div className="field-row">
          <label className="field">
            <span>TLP</span>
            <select
              aria-label="TLP"
              value={draft.tlp}
              onChange={(e) => s.edit({ tlp: e.target.value as Tlp })}
            >
              {TLPS.map((tlp) => (
                <option key={tlp} value={tlp}>
                  {TLP_LABEL[tlp]}
                </option>
              ))}
            </select>
          </label>
          <TlpBadge tlp={draft.tlp} />
          <label className="field grow">
            <span>Labels</span>
            <input
              value={labelsText}
              placeholder="comma separated, e.g. apt29, phishing"
              onChange={(e) => {
                setLabels({ id: draft.id, text: e.target.value })
                s.edit({ labels: e.target.value.split(',') })
              }}
            />
          </label>
        </div>
        <FieldError id="report-labels-error" message={draft.fieldErrors.labels} />
        <div className="field">
          <div className="field-head">
            <span id="report-body-label">Body (markdown)</span>
            <button type="button" aria-pressed={preview} onClick={() => setPreview(!preview)}>
              Preview
            </button>
          </div>
          {preview ? (
            <section className="markdown-preview" aria-label="Preview">
              <Markdown source={draft.body} />
            </section>
          ) : (
            <textarea
              aria-labelledby="report-body-label"
              rows={12}
              value={draft.body}
              onChange={(e) => s.edit({ body: e.target.value })}
            />
          )}
        </div>
        <ReportLinks />
        <ObservablesTable types={OBSERVABLE_TYPES} />
        <TechniquesEditor />
        <ReportHistory />
      </div>
    </aside>
  )
}

import { useEffect, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useAppStore } from '../../state/store'
import { FieldError } from '../../components/FieldError'
import { LinkedIncidents } from '../incidents/LinkedIncidents'

/** What a report is tied to: its operation, the incidents it draws on, the assets it concerns. */
export const ReportLinks = () => {
  const s = useAppStore(
    useShallow((state) => ({
      draft: state.reportDraft,
      edit: state.editReport,
      operations: state.operationChoices,
      incidents: state.incidents,
      loadOperations: state.loadOperationChoices,
      loadIncidents: state.loadIncidents,
    })),
  )
  const { loadOperations, loadIncidents } = s
  useEffect(() => {
    void loadOperations()
    void loadIncidents()
  }, [loadOperations, loadIncidents])
  const [assets, setAssets] = useState<{ id: string | null; text: string } | null>(null)
  const draft = s.draft
  if (!draft) return null
  const assetsText = assets?.id === draft.id ? assets.text : draft.assets.join(', ')

  return (
    <fieldset className="report-links">
      <legend>Links</legend>
      <label className="field">
        <span>Operation</span>
        <select
          aria-label="Operation"
          value={draft.operation_id ?? ''}
          aria-invalid={draft.fieldErrors.operation_id ? true : undefined}
          aria-describedby={draft.fieldErrors.operation_id ? 'report-operation-error' : undefined}
          onChange={(e) => s.edit({ operation_id: e.target.value || null })}
        >
          <option value="">none</option>
          {s.operations.map((o) => (
            <option key={o.id} value={o.id}>
              {o.name}
            </option>
          ))}
        </select>
      </label>
      <FieldError id="report-operation-error" message={draft.fieldErrors.operation_id} />
      <div className="field">
        <span id="report-incidents-label">Incidents</span>
        <LinkedIncidents
          ids={draft.incidents}
          incidents={s.incidents}
          labelledBy="report-incidents-label"
          onChange={(incidents) => s.edit({ incidents })}
        />
      </div>
      <FieldError id="report-incidents-error" message={draft.fieldErrors.incidents} />
      <label className="field">
        <span>Assets</span>
        <input
          value={assetsText}
          placeholder="host:ws01, ip:10.0.0.5, user:alice"
          aria-invalid={draft.fieldErrors.assets ? true : undefined}
          aria-describedby={draft.fieldErrors.assets ? 'report-assets-error' : undefined}
          onChange={(e) => {
            setAssets({ id: draft.id, text: e.target.value })
            s.edit({ assets: e.target.value.split(',') })
          }}
        />
      </label>
      <FieldError id="report-assets-error" message={draft.fieldErrors.assets} />
    </fieldset>
  )
}

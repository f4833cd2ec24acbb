import { useEffect, useState, type FormEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { ActionType, ActionTypeInfo } from '../../../../collector/contract'
import { ActionCard, DeadLetters } from '../../components/ActionCard'
import { FieldError } from '../../components/FieldError'
import type { ActionForm } from '../../state/actions-slice'
import { useAppStore } from '../../state/store'

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
      {s.dead.length > 0 && <DeadLetters dead={s.dead} label="Dead letters" />}
    </section>
  )
}

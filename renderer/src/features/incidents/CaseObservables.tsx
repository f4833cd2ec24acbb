import { useState, type FormEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { ObservableType } from '../../../../collector/contract'
import { formatTimeShort } from '../../components/format'
import { useAppStore } from '../../state/store'
import { OBSERVABLE_TYPES } from '../reports/labels'
import { FieldError } from '../../components/FieldError'
import { ConfirmButton } from './ConfirmButton'

/**
 * What the case has seen (hosts, addresses, hashes…), first and last seen; a form to add one and,
 * on each, Remove (asked first; the timeline says who removed it).
 */
export const CaseObservables = () => {
  const s = useAppStore(
    useShallow((state) => ({
      observables: state.caseDetail?.observables ?? [],
      error: state.caseErrors.observable,
      observe: state.observeCase,
      unobserve: state.unobserveCase,
    })),
  )
  const [type, setType] = useState<ObservableType>('ipv4')
  const [value, setValue] = useState('')
  const [note, setNote] = useState('')
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (await s.observe(type, value, note)) {
      setValue('')
      setNote('')
    }
  }
  return (
    <section className="panel" aria-label="Observables">
      <h3>Observables</h3>
      <table className="table" aria-label="Observables of this incident">
        <thead>
          <tr>
            <th>Type</th>
            <th>Value</th>
            <th>First seen</th>
            <th>Last seen</th>
            <th>Note</th>
            <th>
              <span className="visually-hidden">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {s.observables.map((o) => (
            <tr key={o.id}>
              <td>{o.type}</td>
              <td className="mono wrap">{o.value}</td>
              <td className="mono">{o.first_seen ? formatTimeShort(o.first_seen) : '—'}</td>
              <td className="mono">{o.last_seen ? formatTimeShort(o.last_seen) : '—'}</td>
              <td className="wrap">{o.note ?? ''}</td>
              <td>
                <ConfirmButton
                  label="Remove"
                  name={`Remove observable ${o.type} ${o.value}`}
                  question={`Remove ${o.value} from this incident?`}
                  confirm="Yes, remove"
                  onConfirm={() => s.unobserve(o.type, o.value)}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="field-row" aria-label="New observable" onSubmit={(e) => void submit(e)}>
        <label className="field">
          <span>Type</span>
          <select
            aria-label="Observable type"
            value={type}
            onChange={(e) => setType(e.target.value as ObservableType)}
          >
            {OBSERVABLE_TYPES.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
          </select>
        </label>
        <label className="field grow">
          <span>Value</span>
          <input
            className="mono"
            aria-label="Observable value"
            value={value}
            aria-invalid={s.error ? true : undefined}
            onChange={(e) => setValue(e.target.value)}
          />
        </label>
        <label className="field grow">
          <span>Note</span>
          <input aria-label="Observable note" value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
        <button type="submit" disabled={value.trim() === ''}>
          Add observable
        </button>
      </form>
      <FieldError label="Observable problem" message={s.error} />
    </section>
  )
}

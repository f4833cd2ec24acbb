import { Fragment } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { ObservableType } from '../../../../collector/contract'
import { useAppStore } from '../../state/store'

export const ObservablesTable = ({ types }: { types: readonly ObservableType[] }) => {
  const s = useAppStore(
    useShallow((state) => ({
      observables: state.reportDraft?.observables ?? [],
      fieldErrors: state.reportDraft?.fieldErrors ?? {},
      add: state.addObservable,
      edit: state.editObservable,
      remove: state.removeObservable,
    })),
  )
  return (
    <section className="panel" aria-label="Observables">
      <h3>Observables</h3>
      <table className="table" aria-label="Observables">
        <thead>
          <tr>
            <th>Type</th>
            <th>Value</th>
            <th>Note</th>
            <th>
              <span className="visually-hidden">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {s.observables.map((o, i) => {
            const error = s.fieldErrors[`observables.${i}`]
            const row = i + 1
            return (
              <Fragment key={i}>
                <tr aria-invalid={error ? true : undefined}>
                  <td>
                    <select
                      aria-label={`Type of observable ${row}`}
                      value={o.type}
                      onChange={(e) => s.edit(i, { type: e.target.value as ObservableType })}
                    >
                      {types.map((t) => (
                        <option key={t} value={t}>
                          {t}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <input
                      className="mono"
                      aria-label={`Value of observable ${row}`}
                      aria-invalid={error ? true : undefined}
                      value={o.value}
                      onChange={(e) => s.edit(i, { value: e.target.value })}
                    />
                  </td>
                  <td>
                    <input
                      aria-label={`Note on observable ${row}`}
                      value={o.note}
                      onChange={(e) => s.edit(i, { note: e.target.value })}
                    />
                  </td>
                  <td>
                    <button
                      type="button"
                      className="link"
                      aria-label={`Remove observable ${row}`}
                      onClick={() => s.remove(i)}
                    >
                      ×
                    </button>
                  </td>
                </tr>
                {error && (
                  <tr>
                    <td
                      colSpan={4}
                      className="error-text"
                      role="alert"
                      aria-label={`Problem with observable ${row}`}
                    >
                      {error}
                    </td>
                  </tr>
                )}
              </Fragment>
            )
          })}
        </tbody>
      </table>
      <button type="button" onClick={s.add}>
        Add observable
      </button>
    </section>
  )
}

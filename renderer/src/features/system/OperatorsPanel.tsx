import { useEffect, useState, type FormEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { FieldError } from '../../components/FieldError'
import { useAppStore } from '../../state/store'
import { TextField } from '../../components/filters'

/** Local operators: who proposes and approves response actions under the two-person rule. */
export const OperatorsPanel = () => {
  const s = useAppStore(
    useShallow((state) => ({
      operators: state.operators,
      error: state.operatorError,
      twoPersonRule: state.twoPersonRule,
      load: state.loadOperators,
      loadTypes: state.loadActionTypes,
      create: state.createOperator,
    })),
  )
  const { load, loadTypes } = s
  useEffect(() => {
    void load()
    void loadTypes()
  }, [load, loadTypes])
  const [name, setName] = useState('')
  const [passphrase, setPassphrase] = useState('')
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (await s.create(name, passphrase)) {
      setName('')
      setPassphrase('')
    }
  }
  return (
    <section className="panel" aria-label="Operators">
      <h2>Operators</h2>
      <p className="muted">
        Two-person rule {s.twoPersonRule ? 'on' : 'off'} (Settings, Response actions).{' '}
        {s.operators.length === 0 ? 'No operators yet.' : s.operators.map((o) => o.name).join(', ')}
      </p>
      <form className="field-row" aria-label="New operator" onSubmit={(e) => void submit(e)}>
        <TextField label="Name" name="Operator name" value={name} onChange={setName} />
        <label className="field">
          <span>Passphrase</span>
          <input
            aria-label="Operator passphrase"
            type="password"
            value={passphrase}
            onChange={(e) => setPassphrase(e.target.value)}
          />
        </label>
        <button type="submit">Add operator</button>
      </form>
      <FieldError label="Operator problem" message={s.error ?? undefined} />
    </section>
  )
}

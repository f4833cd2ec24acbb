import { useEffect, useId, useState, type FormEvent } from 'react'
import {
  INDICATOR_TYPES,
  type AlertLevel,
  type IndicatorField,
  type WatchlistIndicator,
} from '../../../../collector/contract'
import { FieldError } from '../../components/FieldError'
import { useAppStore } from '../../state/store'

const LEVELS: readonly AlertLevel[] = ['informational', 'low', 'medium', 'high', 'critical']

type Draft = {
  type: string
  value: string
  level: string
  valid_from: string
  valid_until: string
  source: string
}

const BLANK: Draft = { type: 'ip', value: '', level: '', valid_from: '', valid_until: '', source: '' }

/** datetime-local shows and takes UTC here, like every time in the console. */
const toInput = (iso: string | null): string => (iso === null ? '' : iso.slice(0, 16))
const fromInput = (local: string): string | null => (local === '' ? null : `${local}:00Z`)

const fromIndicator = (i: WatchlistIndicator): Draft => ({
  type: i.type,
  value: i.value,
  level: i.level ?? '',
  valid_from: toInput(i.valid_from),
  valid_until: toInput(i.valid_until),
  source: i.source ?? '',
})

type Errors = Partial<Record<IndicatorField | 'form', string>>

/**
 * Adds an indicator to the analyst's own list, or edits one of it (type and value fixed then):
 * level, validity (UTC), source. Each problem is shown beside its field, as the core would refuse it.
 */
export const WatchlistEditor = ({
  editing,
  onDone,
}: {
  editing: WatchlistIndicator | null
  onDone: () => void
}) => {
  const save = useAppStore((state) => state.watchlistSave)
  const [draft, setDraft] = useState<Draft>(BLANK)
  const [errors, setErrors] = useState<Errors>({})
  const [saving, setSaving] = useState(false)
  const id = useId()
  useEffect(() => {
    setDraft(editing ? fromIndicator(editing) : BLANK)
    setErrors({})
  }, [editing])

  const submit = async (event: FormEvent) => {
    event.preventDefault()
    setSaving(true)
    const result = await save({
      type: draft.type,
      value: draft.value,
      source: draft.source,
      valid_from: fromInput(draft.valid_from),
      valid_until: fromInput(draft.valid_until),
      level: draft.level,
    })
    setSaving(false)
    if (!result.ok) return setErrors(result.errors)
    setDraft(BLANK)
    setErrors({})
    onDone()
  }

  const field = (name: keyof Draft) => ({
    id: `${id}-${name}-input`,
    value: draft[name],
    onChange: (e: { target: { value: string } }) => setDraft({ ...draft, [name]: e.target.value }),
    'aria-invalid': name in errors ? true : undefined,
    'aria-describedby': name in errors ? `${id}-${name}` : undefined,
  })
  const label = (name: keyof Draft, text: string) => <label htmlFor={`${id}-${name}-input`}>{text}</label>
  const error = (name: IndicatorField, label: string) => (
    <FieldError id={`${id}-${name}`} label={`${label} error`} message={errors[name]} />
  )
  const what = editing ? `${editing.type} ${editing.value}` : null

  return (
    <form
      className="watchlist-editor"
      aria-label={what ? `Edit indicator ${what}` : 'Add an indicator'}
      onSubmit={(e) => void submit(e)}
      noValidate
    >
      <h3>{what ? `Edit ${what}` : 'Add an indicator to the analyst list'}</h3>
      <div className="field-row">
        <div className="field">
          {label('type', 'Type')}
          <select {...field('type')} disabled={editing !== null}>
            {INDICATOR_TYPES.map((type) => (
              <option key={type} value={type}>
                {type}
              </option>
            ))}
          </select>
          {error('type', 'Type')}
        </div>
        <div className="field watchlist-editor-value">
          {label('value', 'Value')}
          <input
            {...field('value')}
            className="mono"
            readOnly={editing !== null}
            placeholder="203.0.113.7, evil.example, a SHA-256…"
            spellCheck={false}
          />
          {error('value', 'Value')}
        </div>
        <div className="field">
          {label('level', 'Level')}
          <select {...field('level')}>
            <option value="">default</option>
            {LEVELS.map((level) => (
              <option key={level} value={level}>
                {level}
              </option>
            ))}
          </select>
          {error('level', 'Level')}
        </div>
      </div>
      <div className="field-row">
        <div className="field">
          {label('valid_from', 'Valid from (UTC)')}
          <input type="datetime-local" {...field('valid_from')} />
          {error('valid_from', 'Valid from')}
        </div>
        <div className="field">
          {label('valid_until', 'Valid until (UTC)')}
          <input type="datetime-local" {...field('valid_until')} />
          {error('valid_until', 'Valid until')}
        </div>
        <div className="field">
          {label('source', 'Source')}
          <input {...field('source')} placeholder="who reported it" maxLength={200} />
        </div>
      </div>
      <FieldError label="Save error" message={errors.form} />
      <div className="toolbar">
        <button type="submit" disabled={saving}>
          {editing ? 'Save indicator' : 'Add indicator'}
        </button>
        {editing && (
          <button type="button" onClick={onDone}>
            Cancel
          </button>
        )}
      </div>
    </form>
  )
}

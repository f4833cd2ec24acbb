import { useEffect, useState } from 'react'
import { FieldError } from './FieldError'

const DEBOUNCE_MS = 250

/**
 * A text filter typed into a box: shown at once, applied once typing pauses. `applied` is the
 * value the store filters by; `apply` sets it.
 */
export const useDebouncedText = (
  applied: string,
  apply: (text: string) => void,
): [string, (text: string) => void] => {
  const [text, setText] = useState(applied)
  useEffect(() => {
    if (text === applied) return
    const timer = setTimeout(() => apply(text), DEBOUNCE_MS)
    return () => clearTimeout(timer)
  }, [text, applied, apply])
  return [text, setText]
}

/** A filter's choice among a few values, or any of them (null). */
export const ChoiceFilter = <T extends string>({
  label,
  value,
  options,
  labels,
  onChange,
}: {
  label: string
  value: T | null
  options: readonly T[]
  labels?: Partial<Record<T, string>>
  onChange: (value: T | null) => void
}) => (
  <label>
    <span className="muted">{label} </span>
    <select
      value={value ?? ''}
      onChange={(e) => onChange(e.target.value === '' ? null : (e.target.value as T))}
    >
      <option value="">any</option>
      {options.map((option) => (
        <option key={option} value={option}>
          {labels?.[option] ?? option}
        </option>
      ))}
    </select>
  </label>
)

/** The search box every list's filter bar starts with. */
export const SearchBox = ({
  label,
  placeholder,
  value,
  onChange,
}: {
  label: string
  placeholder: string
  value: string
  onChange: (text: string) => void
}) => (
  <input
    type="search"
    aria-label={label}
    placeholder={placeholder}
    value={value}
    onChange={(e) => onChange(e.target.value)}
  />
)

/** One field of a record chosen among a few values, saved on change, its refusal beside it. */
export const SelectField = <T extends string>({
  label,
  value,
  options,
  labels,
  error,
  onChange,
}: {
  label: string
  value: T
  options: readonly T[]
  labels?: Partial<Record<T, string>>
  error: string | undefined
  onChange: (value: T) => void
}) => (
  <div className="field">
    <label className="field">
      <span>{label}</span>
      <select aria-label={label} value={value} onChange={(e) => onChange(e.target.value as T)}>
        {options.map((option) => (
          <option key={option} value={option}>
            {labels?.[option] ?? option}
          </option>
        ))}
      </select>
    </label>
    <FieldError label={`${label} problem`} message={error} />
  </div>
)

/** A labelled text input (its accessible name `name`, or the label), edited as typed. */
export const TextField = ({
  label,
  name = label,
  placeholder,
  value,
  disabled,
  onChange,
}: {
  label: string
  name?: string
  placeholder?: string
  value: string
  disabled?: boolean
  onChange: (text: string) => void
}) => (
  <label className="field">
    <span>{label}</span>
    <input
      aria-label={name}
      placeholder={placeholder}
      value={value}
      disabled={disabled}
      onChange={(e) => onChange(e.target.value)}
    />
  </label>
)

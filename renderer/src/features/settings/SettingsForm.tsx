import { useState, type FormEvent, type ReactNode } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { SettingsSection } from '../../../../collector/contract'
import { FieldError } from '../../components/FieldError'
import { useAppStore } from '../../state/store'

export type FieldSpec = {
  /** Under the section, dotted for nested keys: `port`, `incidents.window_s`, `banner.text`. */
  key: string
  label: string
  /**
   * list: comma-separated on one line; rows: one input a value with Add/Remove; records: a list of
   * objects, each row with the `columns` fields (secrets kept when left empty).
   */
  kind: 'text' | 'number' | 'bool' | 'list' | 'rows' | 'records' | 'select' | 'secret'
  options?: readonly string[]
  columns?: readonly FieldSpec[]
  /** rows, records: what the Add button says (`Add URL prefix`). */
  addLabel?: string
  /** A record column's value in a new row (its default in config.yaml). */
  initial?: string
  /** An empty text field saves null (an optional path, the connector's URL). */
  nullable?: boolean
  hint?: string
}

type Row = Record<string, string | boolean>
type DraftValue = string | boolean | string[] | Row[]
type Draft = Record<string, DraftValue>

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

export const valueAt = (root: unknown, path: readonly string[]): unknown =>
  path.reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), root)

const scalarDraft = (f: FieldSpec, value: unknown): string | boolean => {
  if (f.kind === 'bool') return value === true
  if (f.kind === 'secret') return ''
  if (Array.isArray(value)) return value.join(', ')
  if (typeof value === 'string' || typeof value === 'number') return String(value)
  return value === null || value === undefined ? '' : JSON.stringify(value)
}

/** Where a record row keeps the masked form of a secret it had (sent back to mean "keep it"). */
const WAS = '\u0000was:'

const recordDraft = (columns: readonly FieldSpec[], value: unknown): Row =>
  Object.fromEntries(
    columns.flatMap((c): Array<[string, string | boolean]> => {
      const inner = isRecord(value) ? value[c.key] : undefined
      const cell: [string, string | boolean] = [c.key, scalarDraft(c, inner)]
      return c.kind === 'secret' && typeof inner === 'string' ? [cell, [`${WAS}${c.key}`, inner]] : [cell]
    }),
  )

const draftOf = (current: unknown, fields: readonly FieldSpec[]): Draft =>
  Object.fromEntries(
    fields.map((f): [string, DraftValue] => {
      const value = valueAt(current, f.key.split('.'))
      const list = Array.isArray(value) ? (value as unknown[]) : []
      if (f.kind === 'rows')
        return [f.key, list.map((item) => (typeof item === 'string' ? item : String(item)))]
      if (f.kind === 'records') return [f.key, list.map((item) => recordDraft(f.columns ?? [], item))]
      return [f.key, scalarDraft(f, value)]
    }),
  )

/** A record row as the config's object: empty optional cells left out, a secret left empty kept. */
const recordValue = (columns: readonly FieldSpec[], row: Row): Record<string, unknown> => {
  const out: Record<string, unknown> = {}
  for (const c of columns) {
    const cell = row[c.key] ?? ''
    const was = row[`${WAS}${c.key}`]
    if (c.kind === 'secret' && cell === '') {
      if (typeof was === 'string') out[c.key] = was
      continue
    }
    if (typeof cell === 'string' && cell.trim() === '' && c.nullable) continue
    out[c.key] = parsed(c, cell)
  }
  return out
}

/** What the field's text means to the config; a number that is not one goes as typed, for the core to name. */
const parsed = (f: FieldSpec, value: DraftValue): unknown => {
  if (typeof value === 'boolean') return value
  if (f.kind === 'rows') return (value as string[]).map((item) => item.trim())
  if (f.kind === 'records') return (value as Row[]).map((row) => recordValue(f.columns ?? [], row))
  if (Array.isArray(value)) return value
  const text = value.trim()
  if (f.kind === 'number') return /^-?\d+(\.\d+)?$/.test(text) ? Number(text) : text
  if (f.kind === 'list') return text.split(/[\s,]+/).filter(Boolean)
  if (f.nullable && text === '') return null
  return text
}

const setPath = (target: Record<string, unknown>, path: readonly string[], value: unknown): void => {
  let at = target
  for (const key of path.slice(0, -1)) {
    if (!isRecord(at[key])) at[key] = {}
    at = at[key] as Record<string, unknown>
  }
  at[path.at(-1)!] = value
}

const fieldId = (section: string, key: string): string => `setting-${section}.${key}`.replace(/[^\w-]/g, '-')

/**
 * One section of config.yaml as a form with its own Save: only the fields changed are sent, each
 * refusal is shown beside the field it names.
 */
export const SettingsForm = ({
  section,
  title,
  fields,
  children,
  note,
}: {
  section: SettingsSection
  title: string
  fields: readonly FieldSpec[]
  children?: ReactNode
  note?: ReactNode
}) => {
  const s = useAppStore(
    useShallow((state) => ({
      config: state.settings?.config,
      live: state.settings?.sections.find((x) => x.section === section)?.live ?? [],
      fieldErrors: state.settingsFieldErrors,
      sectionError: state.settingsSectionErrors[section],
      saving: state.settingsSaving === section,
      save: state.saveSettings,
    })),
  )
  const current = valueAt(s.config, section.split('.'))
  // Reset to what is saved whenever the saved section changes (a save here, a reload).
  const saved = JSON.stringify(current ?? null)
  const [state, setState] = useState<{ saved: string; draft: Draft }>(() => ({
    saved,
    draft: draftOf(current, fields),
  }))
  const draft = state.saved === saved ? state.draft : draftOf(current, fields)
  if (state.saved !== saved) setState({ saved, draft })
  const initial = draftOf(current, fields)
  const set = (key: string, value: DraftValue): void => setState({ saved, draft: { ...draft, [key]: value } })

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault()
    const values: Record<string, unknown> = {}
    for (const f of fields) {
      const value = draft[f.key]!
      if (JSON.stringify(value) === JSON.stringify(initial[f.key])) continue
      if (f.kind === 'secret' && value === '') continue
      setPath(values, f.key.split('.'), parsed(f, value))
    }
    await s.save(section, values)
  }
  const own = s.fieldErrors[section]
  const liveFields = fields.filter((f) =>
    s.live.some((live) => `${section}.${f.key}` === live || `${section}.${f.key}`.startsWith(`${live}.`)),
  )
  return (
    <form className="settings-form" aria-label={title} noValidate onSubmit={(e) => void submit(e)}>
      <h3>{title}</h3>
      {note}
      {fields.map((f) => {
        const id = fieldId(section, f.key)
        const error = s.fieldErrors[`${section}.${f.key}`]
        const common = {
          id,
          'aria-describedby': `${id}-error`,
          'aria-invalid': error ? true : undefined,
        }
        const value = draft[f.key]
        if (f.kind === 'rows' || f.kind === 'records')
          return (
            <ListField
              key={f.key}
              field={f}
              id={id}
              value={value as string[] | Row[]}
              errors={s.fieldErrors}
              errorPrefix={`${section}.${f.key}`}
              onChange={(next) => set(f.key, next)}
            />
          )
        return (
          <div key={f.key} className="settings-field">
            {f.kind === 'bool' ? (
              <label>
                <input
                  type="checkbox"
                  {...common}
                  checked={value === true}
                  onChange={(e) => set(f.key, e.target.checked)}
                />{' '}
                {f.label}
              </label>
            ) : (
              <label className="field">
                <span>{f.label}</span>
                {f.kind === 'select' ? (
                  <select
                    {...common}
                    value={typeof value === 'string' ? value : ''}
                    onChange={(e) => set(f.key, e.target.value)}
                  >
                    {f.options?.map((o) => (
                      <option key={o} value={o}>
                        {o}
                      </option>
                    ))}
                  </select>
                ) : (
                  <input
                    {...common}
                    type={f.kind === 'secret' ? 'password' : 'text'}
                    inputMode={f.kind === 'number' ? 'numeric' : undefined}
                    autoComplete="off"
                    placeholder={f.kind === 'secret' ? 'unchanged' : undefined}
                    value={typeof value === 'string' ? value : ''}
                    onChange={(e) => set(f.key, e.target.value)}
                  />
                )}
              </label>
            )}
            {f.hint && <span className="muted settings-hint">{f.hint}</span>}
            <FieldError id={`${id}-error`} label={`${f.label} problem`} message={error} />
          </div>
        )
      })}
      {children}
      <FieldError
        label={`${title} problem`}
        message={[own, s.sectionError].filter(Boolean).join('; ') || undefined}
      />
      <div className="field-row">
        <button type="submit" disabled={s.saving}>
          Save {title.toLowerCase()}
        </button>
        <span className="muted">
          {liveFields.length === fields.length
            ? 'Applies at once.'
            : liveFields.length > 0
              ? `${liveFields.map((f) => f.label).join(', ')}: at once; the rest at the next start.`
              : 'Applies at the next start of Outpost.'}
        </span>
      </div>
    </form>
  )
}

/**
 * A list edited row by row: a value a row (rows), or an object a row with its own cells (records).
 * The core names a bad row by its place (`taxii.sources.1.url`), shown beside that row's cell.
 */
const ListField = ({
  field,
  id,
  value,
  errors,
  errorPrefix,
  onChange,
}: {
  field: FieldSpec
  id: string
  value: string[] | Row[]
  errors: Record<string, string>
  errorPrefix: string
  onChange: (next: string[] | Row[]) => void
}) => {
  const noun = field.addLabel ?? 'Add'
  const own = errors[errorPrefix]
  const columns = field.columns ?? []
  const blank = (): Row =>
    Object.fromEntries(
      columns.map((c): [string, string | boolean] => [c.key, c.kind === 'bool' ? false : (c.initial ?? '')]),
    )
  return (
    <fieldset className="settings-field settings-list" aria-describedby={`${id}-error`}>
      <legend>{field.label}</legend>
      {field.hint && <span className="muted settings-hint">{field.hint}</span>}
      {value.length === 0 && <span className="muted">None.</span>}
      <ol className="plain settings-rows">
        {value.map((item, index) => {
          const rowId = `${id}-${index}`
          const rowLabel = `${field.label} ${index + 1}`
          const remove = (
            <button
              type="button"
              aria-label={`Remove ${rowLabel}`}
              onClick={() => onChange(value.filter((_, i) => i !== index) as string[] | Row[])}
            >
              Remove
            </button>
          )
          if (typeof item === 'string') {
            const error = errors[`${errorPrefix}.${index}`]
            return (
              <li key={index} className="settings-row">
                <div className="field-row">
                  <input
                    id={rowId}
                    aria-label={rowLabel}
                    aria-describedby={`${rowId}-error`}
                    aria-invalid={error ? true : undefined}
                    autoComplete="off"
                    value={item}
                    onChange={(e) =>
                      onChange((value as string[]).map((old, i) => (i === index ? e.target.value : old)))
                    }
                  />
                  {remove}
                </div>
                <FieldError id={`${rowId}-error`} label={`${rowLabel} problem`} message={error} />
              </li>
            )
          }
          const edit = (key: string, cell: string | boolean): void =>
            onChange((value as Row[]).map((old, i) => (i === index ? { ...old, [key]: cell } : old)))
          const rowError = errors[`${errorPrefix}.${index}`]
          return (
            <li key={index} className="settings-record" aria-label={rowLabel}>
              {columns.map((c) => {
                const cellId = `${rowId}-${c.key}`
                const error = errors[`${errorPrefix}.${index}.${c.key}`]
                const cell = item[c.key]
                const was = item[`${WAS}${c.key}`]
                return (
                  <div key={c.key} className="settings-field">
                    {c.kind === 'bool' ? (
                      <label>
                        <input
                          type="checkbox"
                          id={cellId}
                          checked={cell === true}
                          onChange={(e) => edit(c.key, e.target.checked)}
                        />{' '}
                        {c.label}
                      </label>
                    ) : (
                      <label className="field">
                        <span>{c.label}</span>
                        <input
                          id={cellId}
                          aria-describedby={`${cellId}-error`}
                          aria-invalid={error ? true : undefined}
                          type={c.kind === 'secret' ? 'password' : 'text'}
                          inputMode={c.kind === 'number' ? 'numeric' : undefined}
                          autoComplete="off"
                          placeholder={
                            c.kind === 'secret'
                              ? typeof was === 'string'
                                ? `unchanged (${was})`
                                : 'none'
                              : undefined
                          }
                          value={typeof cell === 'string' ? cell : ''}
                          onChange={(e) => edit(c.key, e.target.value)}
                        />
                      </label>
                    )}
                    <FieldError id={`${cellId}-error`} label={`${c.label} problem`} message={error} />
                  </div>
                )
              })}
              <FieldError label={`${rowLabel} problem`} message={rowError} />
              {remove}
            </li>
          )
        })}
      </ol>
      <div className="field-row">
        <button
          type="button"
          onClick={() =>
            onChange(field.kind === 'rows' ? [...(value as string[]), ''] : [...(value as Row[]), blank()])
          }
        >
          {noun}
        </button>
      </div>
      <FieldError id={`${id}-error`} label={`${field.label} problem`} message={own} />
    </fieldset>
  )
}

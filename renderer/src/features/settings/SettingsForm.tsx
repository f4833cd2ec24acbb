import { useState, type FormEvent, type ReactNode } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { SettingsSection } from '../../../../collector/contract'
import { FieldError } from '../../components/FieldError'
import { useAppStore } from '../../state/store'

export type FieldSpec = {
  /** Under the section, dotted for nested keys: `port`, `incidents.window_s`, `banner.text`. */
  key: string
  label: string
  kind: 'text' | 'number' | 'bool' | 'list' | 'select' | 'secret'
  options?: readonly string[]
  /** An empty text field saves null (an optional path, the connector's URL). */
  nullable?: boolean
  hint?: string
}

type Draft = Record<string, string | boolean>

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value)

export const valueAt = (root: unknown, path: readonly string[]): unknown =>
  path.reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), root)

const draftOf = (current: unknown, fields: readonly FieldSpec[]): Draft =>
  Object.fromEntries(
    fields.map((f): [string, string | boolean] => {
      const value = valueAt(current, f.key.split('.'))
      if (f.kind === 'bool') return [f.key, value === true]
      if (f.kind === 'secret') return [f.key, '']
      if (Array.isArray(value)) return [f.key, value.join(', ')]
      if (typeof value === 'string' || typeof value === 'number') return [f.key, String(value)]
      return [f.key, value === null || value === undefined ? '' : JSON.stringify(value)]
    }),
  )

/** What the field's text means to the config; a number that is not one goes as typed, for the core to name. */
const parsed = (f: FieldSpec, value: string | boolean): unknown => {
  if (typeof value === 'boolean') return value
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
  const set = (key: string, value: string | boolean): void =>
    setState({ saved, draft: { ...draft, [key]: value } })

  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault()
    const values: Record<string, unknown> = {}
    for (const f of fields) {
      const value = draft[f.key]!
      if (value === initial[f.key]) continue
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
                  <select {...common} value={String(value)} onChange={(e) => set(f.key, e.target.value)}>
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
                    value={String(value)}
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

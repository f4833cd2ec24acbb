import type { StateCreator } from 'zustand'
import type { SettingsSection, SettingsSnapshot } from '../../../collector/contract'
import type { AppState } from './store'

export type SettingsSlice = {
  settings: SettingsSnapshot | null
  /** Refusals by the field they name (`listeners.syslog_tcp.port`), shown beside it. */
  settingsFieldErrors: Record<string, string>
  /** A refusal naming no field of the form, or a conflict, by section. */
  settingsSectionErrors: Partial<Record<SettingsSection, string>>
  settingsError: string | null
  settingsSaving: SettingsSection | null
  loadSettings: () => Promise<void>
  /** Saves one section; true when saved. */
  saveSettings: (section: SettingsSection, values: Record<string, unknown>) => Promise<boolean>
}

/**
 * "listeners.http.port: too big; listeners.http.host: …" -> one message per field path. What
 * names no field (a conflict, a file problem) comes back under ''.
 */
export const settingsErrorFields = (message: string): Record<string, string> => {
  const text = message.replace(/ \(nothing was saved\)$/, '')
  const parts = text.split(/; (?=[a-z_]+(?:\.[a-z0-9_]+)*: )/)
  const out: Record<string, string> = {}
  for (const part of parts) {
    const named = /^([a-z_]+(?:\.[a-z0-9_]+)*): (.*)$/s.exec(part)
    const [field, why] = named ? [named[1]!, named[2]!] : ['', part]
    out[field] = out[field] ? `${out[field]}; ${why}` : why
  }
  return out
}

export const createSettingsSlice =
  (transport: AppState['transport']): StateCreator<AppState, [], [], SettingsSlice> =>
  (set, get) => ({
    settings: null,
    settingsFieldErrors: {},
    settingsSectionErrors: {},
    settingsError: null,
    settingsSaving: null,
    async loadSettings() {
      const result = await transport.invoke('settings:get', {})
      set(
        result.ok ? { settings: result.value, settingsError: null } : { settingsError: result.error.message },
      )
    },
    async saveSettings(section, values) {
      const hash = get().settings?.hash
      if (!hash) return false
      const clear = (errors: Record<string, string>): Record<string, string> =>
        Object.fromEntries(
          Object.entries(errors).filter(([field]) => field !== section && !field.startsWith(`${section}.`)),
        )
      set({
        settingsSaving: section,
        settingsFieldErrors: clear(get().settingsFieldErrors),
        settingsSectionErrors: { ...get().settingsSectionErrors, [section]: undefined },
      })
      const result = await transport.invoke('settings:update', { section, values, base_hash: hash })
      if (result.ok) {
        set({ settings: result.value.settings, settingsSaving: null })
        const { applied, restart } = result.value
        get().toast(
          'ok',
          restart.length > 0
            ? `Saved; restart Outpost to apply ${restart.join(', ')}`
            : applied.length > 0
              ? `Saved and applied: ${applied.join(', ')}`
              : 'Saved (nothing changed)',
        )
        // The banner and retention come with system:info (settings:changed reloads it too, for
        // other windows; loaded here so this one does not wait for the push).
        if (applied.length > 0) await get().loadInfo()
        return true
      }
      const fields =
        result.error.code === 'invalid_request'
          ? settingsErrorFields(result.error.message)
          : { '': result.error.message }
      const { '': general, ...named } = fields
      // A field the form does not show (another section, a key it has no input for) stays visible.
      set({
        settingsSaving: null,
        settingsFieldErrors: { ...get().settingsFieldErrors, ...named },
        settingsSectionErrors: {
          ...get().settingsSectionErrors,
          [section]:
            general ??
            (Object.keys(named).some((f) => !f.startsWith(`${section}.`)) ? result.error.message : undefined),
        },
      })
      return false
    },
  })

import { useSyncExternalStore } from 'react'

export const THEMES = ['dark', 'light'] as const
export type Theme = (typeof THEMES)[number]

const KEY = 'outpost.theme'
const listeners = new Set<() => void>()

const isTheme = (value: unknown): value is Theme => value === 'dark' || value === 'light'

/** The operator's choice, if they made one (a bad or missing value means none). */
export const storedTheme = (
  storage: Pick<Storage, 'getItem'> | undefined = globalThis.localStorage,
): Theme | null => {
  try {
    const value = storage?.getItem(KEY)
    return isTheme(value) ? value : null
  } catch {
    return null // storage refused (privacy mode): follow the system
  }
}

/** What the system prefers; dark when it says nothing (ops rooms are dim). */
export const systemTheme = (): Theme =>
  typeof window !== 'undefined' && window.matchMedia?.('(prefers-color-scheme: light)').matches
    ? 'light'
    : 'dark'

/** The choice if made, else the system's preference. */
export const currentTheme = (): Theme => storedTheme() ?? systemTheme()

const apply = (): void => {
  document.documentElement.dataset.theme = currentTheme()
  for (const listener of listeners) listener()
}

/** Sets `data-theme` before the first paint and follows the system until the operator chooses. */
export const initTheme = (): void => {
  apply()
  window.matchMedia?.('(prefers-color-scheme: light)').addEventListener('change', apply)
  // Another window (or tab of the browser host) chose: follow it.
  window.addEventListener('storage', (e) => e.key === KEY && apply())
}

export const setTheme = (theme: Theme): void => {
  try {
    localStorage.setItem(KEY, theme)
  } catch {
    // not persisted, still applied for this session
  }
  document.documentElement.dataset.theme = theme
  for (const listener of listeners) listener()
}

export const toggleTheme = (): void => setTheme(currentThemeShown() === 'dark' ? 'light' : 'dark')

const currentThemeShown = (): Theme => {
  const shown = document.documentElement.dataset.theme
  return isTheme(shown) ? shown : currentTheme()
}

const subscribe = (listener: () => void): (() => void) => {
  listeners.add(listener)
  return () => listeners.delete(listener)
}

export const useTheme = (): Theme => useSyncExternalStore(subscribe, currentThemeShown)

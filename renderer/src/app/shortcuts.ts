import type { Route } from './use-route'
import { VIEWS } from './views'

export type KeyInput = {
  key: string
  ctrlKey: boolean
  metaKey: boolean
  altKey: boolean
  /** The key went to a text field, select or editor: only the palette's chord applies there. */
  typing: boolean
}

export type ShortcutAction =
  | { type: 'palette' }
  | { type: 'help' }
  | { type: 'search' }
  | { type: 'go'; route: Route }
  | { type: 'pending' }

/** `g` then a letter within this long. */
export const CHORD_MS = 1500

/**
 * The global keys, as a small state machine (for `g` chords). j/k/Enter belong to each list and
 * are handled there; these never fire while the operator types.
 */
export const createShortcuts = () => {
  let pendingSince: number | null = null
  return (input: KeyInput, now: number): ShortcutAction | null => {
    if ((input.ctrlKey || input.metaKey) && !input.altKey && input.key.toLowerCase() === 'k')
      return { type: 'palette' }
    if (input.typing || input.ctrlKey || input.metaKey || input.altKey) {
      pendingSince = null
      return null
    }
    if (pendingSince !== null && now - pendingSince <= CHORD_MS) {
      pendingSince = null
      const view = VIEWS.find((v) => v.jump === input.key)
      return view ? { type: 'go', route: view.route } : null
    }
    pendingSince = null
    if (input.key === 'g') {
      pendingSince = now
      return { type: 'pending' }
    }
    if (input.key === '?') return { type: 'help' }
    if (input.key === '/') return { type: 'search' }
    return null
  }
}

/** Where typing happens: shortcuts stay out of the way there. */
export const isTyping = (target: EventTarget | null): boolean => {
  if (!(target instanceof HTMLElement)) return false
  if (target.isContentEditable) return true
  const tag = target.tagName
  if (tag === 'TEXTAREA' || tag === 'SELECT') return true
  if (tag !== 'INPUT') return false
  const type = (target as HTMLInputElement).type
  return !['checkbox', 'radio', 'button', 'submit', 'reset', 'range', 'color', 'file'].includes(type)
}

/** The shortcuts the `?` overlay and the tooltips list. */
export const SHORTCUT_HELP: ReadonlyArray<{ keys: string; what: string }> = [
  { keys: 'Ctrl+K / ⌘K', what: 'Command palette: views, actions, objects' },
  { keys: '?', what: 'This list' },
  { keys: '/', what: 'Focus the view’s search' },
  {
    keys: 'j / k',
    what: 'Next / previous row in a list (events, alerts, incidents, rules, assets, hunt results)',
  },
  { keys: 'Enter', what: 'Open the selected row' },
  { keys: 'Esc', what: 'Close a dialog or panel' },
  ...VIEWS.map((v) => ({ keys: `g ${v.jump}`, what: `Go to ${v.label}` })),
]

import type { StateCreator } from 'zustand'
import type { SearchHit } from '../../../collector/contract'
import type { AppState } from './store'

export type ToastKind = 'ok' | 'error' | 'info'
export type Toast = { id: number; kind: ToastKind; text: string }

/** What the shell itself keeps: the palette's object search, toasts, and the nav counters. */
export type ShellSlice = {
  searchText: string
  searchHits: SearchHit[]
  searchError: string | null
  /** Finds objects for the palette; a later search wins over an earlier one still in flight. */
  searchGlobal: (text: string) => Promise<void>
  toasts: Toast[]
  /** A result to tell the operator about (saved, exported, failed); it dismisses itself. */
  toast: (kind: ToastKind, text: string) => void
  dismissToast: (id: number) => void
  openIncidents: number | null
  pendingApprovals: number | null
  /** Refreshes the nav counters, at most once per second however many pushes ask. */
  countShell: () => void
  /** The About view's rule attribution: loaded rules by license, with their authors. */
  ruleLicenses: RuleLicense[] | null
  loadRuleLicenses: () => Promise<void>
}

export type RuleLicense = { license: string; rules: number; authors: string[] }

/** Rules grouped by license (most rules first), authors de-duplicated and sorted. */
export const ruleLicenses = (
  rules: ReadonlyArray<{ license: string | null; author: string | null }>,
): RuleLicense[] => {
  const byLicense = new Map<string, { rules: number; authors: Set<string> }>()
  for (const rule of rules) {
    const key = rule.license ?? 'unstated'
    const entry = byLicense.get(key) ?? { rules: 0, authors: new Set<string>() }
    entry.rules++
    for (const author of (rule.author ?? '').split(/\s*[,;]\s*|\s+and\s+/))
      if (author.trim()) entry.authors.add(author.trim())
    byLicense.set(key, entry)
  }
  return [...byLicense]
    .map(([license, e]) => ({ license, rules: e.rules, authors: [...e.authors].sort() }))
    .sort((a, b) => b.rules - a.rules || a.license.localeCompare(b.license))
}

export const TOAST_MS = 6000
const MAX_TOASTS = 4

export const createShellSlice =
  (transport: AppState['transport']): StateCreator<AppState, [], [], ShellSlice> =>
  (set, get) => {
    let nextToast = 1
    let searchSeq = 0
    let countQueued = false
    return {
      searchText: '',
      searchHits: [],
      searchError: null,
      async searchGlobal(text) {
        const seq = ++searchSeq
        const trimmed = text.trim()
        set({ searchText: text })
        if (trimmed === '') {
          set({ searchHits: [], searchError: null })
          return
        }
        const result = await transport.invoke('search:global', { text: trimmed, limit: 5 })
        if (seq !== searchSeq) return
        set(
          result.ok
            ? { searchHits: result.value.hits, searchError: null }
            : { searchHits: [], searchError: result.error.message },
        )
      },
      toasts: [],
      toast(kind, text) {
        const id = nextToast++
        set({ toasts: [...get().toasts, { id, kind, text }].slice(-MAX_TOASTS) })
        // Errors stay until read and dismissed; results go by themselves.
        if (kind !== 'error') setTimeout(() => get().dismissToast(id), TOAST_MS)
      },
      dismissToast(id) {
        set({ toasts: get().toasts.filter((t) => t.id !== id) })
      },
      openIncidents: null,
      pendingApprovals: null,
      ruleLicenses: null,
      async loadRuleLicenses() {
        const result = await transport.invoke('rules:list', { limit: 5000 })
        if (result.ok) set({ ruleLicenses: ruleLicenses(result.value.rules) })
      },
      countShell() {
        if (countQueued) return
        countQueued = true
        setTimeout(() => {
          countQueued = false
          void transport.invoke('incidents:list', { limit: 1000 }).then((result) => {
            if (result.ok)
              set({ openIncidents: result.value.incidents.filter((i) => i.status !== 'closed').length })
          })
          void transport.invoke('actions:list', { status: 'proposed', limit: 1000 }).then((result) => {
            if (result.ok) set({ pendingApprovals: result.value.actions.length })
          })
        }, 1000)
      },
    }
  }

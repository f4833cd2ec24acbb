import type { SearchHit } from '../../../collector/contract'
import type { Route } from './use-route'
import { VIEWS } from './views'

export type PaletteItem = {
  id: string
  group: 'Views' | 'Actions' | 'Objects'
  label: string
  hint?: string
  run: () => void
}

export type PaletteActions = {
  go: (route: Route, params?: Record<string, string>) => void
  toggleTheme: () => void
  showShortcuts: () => void
  newReport: () => void
  newOperation: () => void
  runHunt: () => void
  markNotificationsRead: () => void
}

const matches = (text: string, needle: string): boolean => text.toLowerCase().includes(needle)

const KIND_LABEL: Record<SearchHit['kind'], string> = {
  incident: 'Incident',
  alert: 'Alert',
  rule: 'Rule',
  report: 'Report',
  operation: 'Operation',
  mission: 'Mission',
  asset: 'Asset',
}

/** What the palette offers for `text`: matching views, then actions, then objects the core found. */
export const paletteItems = (text: string, hits: readonly SearchHit[], a: PaletteActions): PaletteItem[] => {
  const needle = text.trim().toLowerCase()
  const views: PaletteItem[] = VIEWS.map((v) => ({
    id: `view:${v.route}`,
    group: 'Views' as const,
    label: `Go to ${v.label}`,
    hint: `g ${v.jump}`,
    run: () => a.go(v.route),
  }))
  const actions: PaletteItem[] = [
    { id: 'action:theme', label: 'Toggle theme (dark / light)', run: a.toggleTheme },
    { id: 'action:shortcuts', label: 'Show keyboard shortcuts', hint: '?', run: a.showShortcuts },
    { id: 'action:new-report', label: 'New report', run: a.newReport },
    { id: 'action:new-operation', label: 'New operation', run: a.newOperation },
    { id: 'action:hunt', label: 'Run hunt', run: a.runHunt },
    { id: 'action:read', label: 'Mark all notifications read', run: a.markNotificationsRead },
  ].map((item) => ({ ...item, group: 'Actions' as const }))
  const objects: PaletteItem[] = hits.map((h) => ({
    id: `${h.kind}:${h.id}`,
    group: 'Objects',
    label: `${KIND_LABEL[h.kind]}: ${h.title}`,
    ...(h.detail ? { hint: h.detail } : {}),
    run: () => a.go(h.route.view, h.route.params),
  }))
  if (needle === '') return [...views, ...actions]
  return [...views, ...actions].filter((i) => matches(i.label, needle)).concat(objects)
}

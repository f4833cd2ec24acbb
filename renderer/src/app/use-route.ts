import { useSyncExternalStore } from 'react'

export const ROUTES = [
  'dashboard',
  'events',
  'hunt',
  'alerts',
  'incidents',
  'rules',
  'attack',
  'reports',
  'operations',
  'missions',
  'assets',
  'collector',
  'sync',
  'system',
] as const
export type Route = (typeof ROUTES)[number]

const read = (): Route => {
  const name = window.location.hash.replace(/^#\/?/, '').split(/[/?]/)[0]
  // The landing view (an empty or unknown hash) is the dashboard.
  return (ROUTES as readonly string[]).includes(name ?? '') ? (name as Route) : 'dashboard'
}
const readHash = (): string => window.location.hash
const subscribe = (onChange: () => void): (() => void) => {
  window.addEventListener('hashchange', onChange)
  return () => window.removeEventListener('hashchange', onChange)
}

/** Hash routes work the same from file:// (Electron) and http:// (the browser host). */
export const useRoute = (): Route => useSyncExternalStore(subscribe, read)
export const routeHref = (route: Route, params?: Record<string, string>): string =>
  `#/${route}` + (params ? `?${new URLSearchParams(params).toString()}` : '')

/** A parameter of the current route, e.g. `id` in `#/events?id=…` (links to one event). */
export const useRouteParam = (name: string): string | null => {
  const hash = useSyncExternalStore(subscribe, readHash)
  const query = hash.indexOf('?')
  return query < 0 ? null : new URLSearchParams(hash.slice(query + 1)).get(name)
}

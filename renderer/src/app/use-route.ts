import { useSyncExternalStore } from 'react'

export const ROUTES = ['events', 'collector', 'system'] as const
export type Route = (typeof ROUTES)[number]

const read = (): Route => {
  const name = window.location.hash.replace(/^#\/?/, '').split(/[/?]/)[0]
  return (ROUTES as readonly string[]).includes(name ?? '') ? (name as Route) : 'events'
}
const subscribe = (onChange: () => void): (() => void) => {
  window.addEventListener('hashchange', onChange)
  return () => window.removeEventListener('hashchange', onChange)
}

/** Hash routes work the same from file:// (Electron) and http:// (the browser host). */
export const useRoute = (): Route => useSyncExternalStore(subscribe, read)
export const routeHref = (route: Route): string => `#/${route}`

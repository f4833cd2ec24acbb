// The console's views, named once: the renderer routes by them, the desktop shell maps
// `outpost://` links and its menu onto them. Zod-free, like channels.ts.

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
  'agents',
  'sync',
  'system',
  'settings',
  'about',
] as const
export type Route = (typeof ROUTES)[number]

export const isRoute = (name: unknown): name is Route =>
  typeof name === 'string' && (ROUTES as readonly string[]).includes(name)

/** The URL parameters views read (ids, filters, tabs); anything else in a link is dropped. */
export const ROUTE_PARAMS = ['id', 'key', 'incident', 'tab', 'view', 'center', 'q'] as const

export const DEEP_LINK_SCHEME = 'outpost'

/**
 * `outpost://incidents?id=X` (or `outpost:///incidents`, `outpost://open/incidents`) -> `#/incidents?id=X`,
 * the renderer's hash route. Anything but a known view, or with other parameters than views read,
 * is refused (null): a link from outside must not steer the console anywhere else.
 */
export const deepLinkToHash = (link: string): string | null => {
  let url: URL
  try {
    url = new URL(link)
  } catch {
    return null
  }
  if (url.protocol !== `${DEEP_LINK_SCHEME}:` || url.username || url.password || url.port) return null
  const parts = [url.hostname, ...url.pathname.split('/')].filter((p) => p !== '' && p !== 'open')
  if (parts.length !== 1 || !isRoute(parts[0])) return null
  const params = new URLSearchParams()
  for (const [name, value] of url.searchParams) {
    if (!(ROUTE_PARAMS as readonly string[]).includes(name) || value.length > 500) return null
    params.append(name, value)
  }
  const query = params.toString()
  return `#/${parts[0]}${query ? `?${query}` : ''}`
}

import type { Route } from './use-route'

/** Every view the console has: its name, where it sits, and its `g` + letter jump. */
export type ViewInfo = {
  route: Route
  label: string
  jump: string
  section: 'Monitor' | 'Respond' | 'Know' | 'Run'
}

export const VIEWS: readonly ViewInfo[] = [
  { route: 'dashboard', label: 'Dashboard', jump: 'd', section: 'Monitor' },
  { route: 'events', label: 'Events', jump: 'e', section: 'Monitor' },
  { route: 'hunt', label: 'Hunt', jump: 'h', section: 'Monitor' },
  { route: 'alerts', label: 'Alerts', jump: 'a', section: 'Respond' },
  { route: 'incidents', label: 'Incidents', jump: 'i', section: 'Respond' },
  { route: 'operations', label: 'Operations', jump: 'o', section: 'Respond' },
  { route: 'missions', label: 'Missions', jump: 'm', section: 'Respond' },
  { route: 'assets', label: 'Assets', jump: 'n', section: 'Know' },
  { route: 'reports', label: 'Reports', jump: 'p', section: 'Know' },
  { route: 'attack', label: 'ATT&CK', jump: 't', section: 'Know' },
  { route: 'rules', label: 'Rules', jump: 'r', section: 'Know' },
  { route: 'collector', label: 'Collector', jump: 'c', section: 'Run' },
  { route: 'agents', label: 'Agents', jump: 'u', section: 'Run' },
  { route: 'sync', label: 'Sync', jump: 'z', section: 'Run' },
  { route: 'system', label: 'System', jump: 'y', section: 'Run' },
  { route: 'settings', label: 'Settings', jump: 's', section: 'Run' },
  { route: 'about', label: 'About', jump: 'b', section: 'Run' },
]

export const viewOf = (route: Route): ViewInfo => VIEWS.find((v) => v.route === route) ?? VIEWS[0]!

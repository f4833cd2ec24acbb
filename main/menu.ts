import type { MenuItemConstructorOptions } from 'electron'
import type { Route } from '../collector/contract/routes'

/** The views the View menu lists, with their accelerators (Ctrl/Cmd+1…9 for the first nine). */
export const MENU_VIEWS: ReadonlyArray<{ route: Route; label: string }> = [
  { route: 'dashboard', label: 'Dashboard' },
  { route: 'events', label: 'Events' },
  { route: 'hunt', label: 'Hunt' },
  { route: 'alerts', label: 'Alerts' },
  { route: 'incidents', label: 'Incidents' },
  { route: 'operations', label: 'Operations' },
  { route: 'assets', label: 'Assets' },
  { route: 'rules', label: 'Rules' },
  { route: 'collector', label: 'Collector' },
  { route: 'system', label: 'System' },
  { route: 'settings', label: 'Settings' },
]

export type MenuActions = {
  navigate: (route: Route) => void
  toggleTheme: () => void
  palette: () => void
}

/** The native menu: pure data, so it is tested without Electron. */
export const menuTemplate = (actions: MenuActions, isMac: boolean): MenuItemConstructorOptions[] => [
  ...(isMac ? [{ role: 'appMenu' as const }] : []),
  { role: 'fileMenu' },
  { role: 'editMenu' },
  {
    label: 'View',
    submenu: [
      ...MENU_VIEWS.map((v, i): MenuItemConstructorOptions => ({
        label: v.label,
        ...(i < 9 ? { accelerator: `CmdOrCtrl+${i + 1}` } : {}),
        click: () => actions.navigate(v.route),
      })),
      { type: 'separator' },
      // No accelerator: the page's own Ctrl/Cmd+K must reach it (a menu accelerator would take the key).
      { label: 'Command Palette… (Ctrl+K)', click: actions.palette },
      { label: 'Toggle Theme', accelerator: 'CmdOrCtrl+Shift+L', click: actions.toggleTheme },
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { role: 'togglefullscreen' },
    ],
  },
  { role: 'windowMenu' },
  {
    role: 'help',
    submenu: [{ label: 'About Outpost (version, licenses)', click: () => actions.navigate('about') }],
  },
]

/** The tray's tooltip: the collector's state at a glance. */
export const trayTooltip = (status: { listeners: number; events: number } | null): string =>
  status === null
    ? 'Outpost: collector not responding'
    : `Outpost: collector up, ${status.listeners} listeners, ${status.events.toLocaleString('en-US')} events stored`

import { useCallback, useEffect, useMemo, useRef, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { AgentsView } from '../features/agents/AgentsView'
import { TaskTray } from '../components/TaskTray'
import { Toasts } from '../components/Toasts'
import { AboutView } from '../features/about/AboutView'
import { AlertsView } from '../features/alerts/AlertsView'
import { AssetsView } from '../features/assets/AssetsView'
import { AttackView } from '../features/attack/AttackView'
import { CollectorView } from '../features/collector/CollectorView'
import { DashboardView } from '../features/dashboard/DashboardView'
import { EventsView } from '../features/events/EventsView'
import { HuntView } from '../features/hunt/HuntView'
import { IncidentsView } from '../features/incidents/IncidentsView'
import { MissionsView } from '../features/operations/MissionsView'
import { OperationsView } from '../features/operations/OperationsView'
import { ReportsView } from '../features/reports/ReportsView'
import { RulesView } from '../features/rules/RulesView'
import { SettingsView } from '../features/settings/SettingsView'
import { SyncView } from '../features/sync/SyncView'
import { SystemView } from '../features/system/SystemView'
import { useAppStore } from '../state/store'
import { Banner } from './Banner'
import { CommandPalette } from './CommandPalette'
import { NotificationCentre } from './NotificationCentre'
import type { PaletteActions } from './palette-items'
import { createShortcuts, isTyping } from './shortcuts'
import { ShortcutsOverlay } from './ShortcutsOverlay'
import { toggleTheme, useTheme } from './theme'
import { go, routeHref, useRoute, useRouteParam, type Route } from './use-route'
import { VIEWS, viewOf, type ViewInfo } from './views'

const CONNECTION_LABEL = {
  connecting: 'connecting…',
  open: 'live',
  closed: 'disconnected, retrying',
} as const

const NavLink = ({
  view,
  current,
  count,
  countLabel,
}: {
  view: ViewInfo
  current: Route
  count?: number | null
  /** Says what the count counts, for screen readers ("3 new"). */
  countLabel?: string
}) => (
  <a
    href={routeHref(view.route)}
    aria-current={view.route === current ? 'page' : undefined}
    title={`${view.label} (g ${view.jump})`}
    aria-keyshortcuts={`g ${view.jump}`}
  >
    <span>{view.label}</span>
    {count !== undefined && count !== null && (
      <span className="muted mono">
        {count.toLocaleString()}
        {countLabel && <span className="visually-hidden"> {countLabel}</span>}
      </span>
    )}
  </a>
)

const View = ({ route }: { route: Route }) => {
  switch (route) {
    case 'dashboard':
      return <DashboardView />
    case 'events':
      return <EventsView />
    case 'hunt':
      return <HuntView />
    case 'alerts':
      return <AlertsView />
    case 'incidents':
      return <IncidentsView />
    case 'rules':
      return <RulesView />
    case 'attack':
      return <AttackView />
    case 'reports':
      return <ReportsView />
    case 'operations':
      return <OperationsView />
    case 'missions':
      return <MissionsView />
    case 'assets':
      return <AssetsView />
    case 'collector':
      return <CollectorView />
    case 'agents':
      return <AgentsView />
    case 'sync':
      return <SyncView />
    case 'system':
      return <SystemView />
    case 'settings':
      return <SettingsView />
    case 'about':
      return <AboutView />
  }
}

/** Where the operator is: the view, then the object a deep link opened (`?id=`, `?key=`). */
const Breadcrumbs = ({ route }: { route: Route }) => {
  const params = [useRouteParam('tab'), useRouteParam('view'), useRouteParam('id'), useRouteParam('key')]
  const incident = useRouteParam('incident')
  const tail = [...params, incident && `incident ${incident}`].filter((x): x is string => Boolean(x))
  const view = viewOf(route)
  return (
    <nav aria-label="Breadcrumb" className="breadcrumbs">
      <ol>
        <li>
          <a href={routeHref('dashboard')}>Outpost</a>
        </li>
        {/* Plain text: the nav's link already goes to the view, and one link per name keeps them findable. */}
        <li aria-current={tail.length === 0 ? 'page' : undefined}>{view.label}</li>
        {tail.map((part, i) => (
          <li
            key={part}
            aria-current={i === tail.length - 1 ? 'page' : undefined}
            className="mono"
            title={part}
          >
            {part.length > 40 ? `${part.slice(0, 40)}…` : part}
          </li>
        ))}
      </ol>
    </nav>
  )
}

/** `/`: the view's own search box, else its first text field. */
const focusViewSearch = (): void => {
  const main = document.querySelector('main')
  const field =
    main?.querySelector<HTMLElement>(
      'input[type="search"], [role="search"] input, input[aria-label^="Search"]',
    ) ?? main?.querySelector<HTMLElement>('input:not([type]), input[type="text"]')
  field?.focus()
}

const SECTIONS = ['Monitor', 'Respond', 'Know', 'Run'] as const

export const AppShell = () => {
  const route = useRoute()
  const s = useAppStore(
    useShallow((state) => ({
      connection: state.connection,
      total: state.eventsTotal,
      newAlerts: state.newAlertsCount,
      openIncidents: state.openIncidents,
      pendingApprovals: state.pendingApprovals,
      version: state.info?.version,
      countShell: state.countShell,
      newReport: state.newReport,
      newOperation: state.newOperation,
      readNotifications: state.readNotifications,
    })),
  )
  const theme = useTheme()
  const [overlay, setOverlay] = useState<'palette' | 'help' | null>(null)
  const returnFocus = useRef<HTMLElement | null>(null)
  const open = useCallback((which: 'palette' | 'help') => {
    returnFocus.current = document.activeElement instanceof HTMLElement ? document.activeElement : null
    setOverlay(which)
  }, [])
  const close = useCallback(() => {
    setOverlay(null)
    returnFocus.current?.focus()
  }, [])

  const { countShell } = s
  useEffect(() => countShell(), [countShell])

  useEffect(() => {
    const press = createShortcuts()
    const onKey = (e: KeyboardEvent): void => {
      if (e.defaultPrevented) return
      const action = press(
        { key: e.key, ctrlKey: e.ctrlKey, metaKey: e.metaKey, altKey: e.altKey, typing: isTyping(e.target) },
        performance.now(),
      )
      if (!action) return
      // Shortcuts wait while a dialog is open, except the palette's own chord, which closes it.
      const dialogOpen = document.querySelector('[role="dialog"][aria-modal="true"]') !== null
      if (action.type === 'palette') {
        e.preventDefault()
        if (dialogOpen) setOverlay(null)
        else open('palette')
        return
      }
      if (dialogOpen) return
      e.preventDefault()
      if (action.type === 'help') open('help')
      else if (action.type === 'search') focusViewSearch()
      else if (action.type === 'go') go(action.route)
    }
    window.addEventListener('keydown', onKey)
    return () => window.removeEventListener('keydown', onKey)
  }, [open])

  const { newReport, newOperation, readNotifications } = s
  const actions = useMemo<PaletteActions>(
    () => ({
      go,
      toggleTheme,
      showShortcuts: () => open('help'),
      newReport: () => {
        go('reports')
        newReport()
      },
      newOperation: () => {
        go('operations')
        newOperation()
      },
      runHunt: () => {
        go('hunt')
        // The hunt view mounts on the next frame; its query box is its search.
        requestAnimationFrame(() => requestAnimationFrame(focusViewSearch))
      },
      markNotificationsRead: () => void readNotifications(),
    }),
    [open, newReport, newOperation, readNotifications],
  )

  const counts: Partial<Record<Route, { count: number | null; label?: string }>> = {
    events: { count: s.total },
    alerts: { count: s.newAlerts, label: 'new' },
    incidents: { count: s.openIncidents, label: 'open' },
    system: { count: s.pendingApprovals || null, label: 'awaiting approval' },
  }

  return (
    <div className="app">
      <Banner />
      <div className="shell">
        <header className="topbar">
          <span className="brand">OUTPOST</span>
          <Breadcrumbs route={route} />
          <span className="spacer" />
          <button
            type="button"
            className="palette-button"
            onClick={() => open('palette')}
            title="Command palette (Ctrl+K)"
            aria-keyshortcuts="Control+K Meta+K"
          >
            Search or jump… <kbd>Ctrl K</kbd>
          </button>
          <span className="status" role="status" aria-label="Connection">
            <span className="dot" data-state={s.connection} />
            {CONNECTION_LABEL[s.connection]}
          </span>
          <button
            type="button"
            onClick={toggleTheme}
            aria-label={`Theme: ${theme}. Switch to ${theme === 'dark' ? 'light' : 'dark'}`}
            title="Toggle theme"
          >
            {theme === 'dark' ? '☾' : '☀'}
          </button>
          <button
            type="button"
            onClick={() => open('help')}
            aria-label="Keyboard shortcuts"
            title="Keyboard shortcuts (?)"
            aria-keyshortcuts="?"
          >
            ?
          </button>
          <NotificationCentre />
          {s.version && <span className="muted mono">v{s.version}</span>}
        </header>
        <nav className="nav" aria-label="Views">
          {SECTIONS.map((section) => (
            <div key={section} className="nav-section" role="group" aria-label={section}>
              <span className="nav-heading" aria-hidden="true">
                {section}
              </span>
              {VIEWS.filter((v) => v.section === section).map((v) => (
                <NavLink
                  key={v.route}
                  view={v}
                  current={route}
                  count={counts[v.route]?.count}
                  countLabel={counts[v.route]?.label}
                />
              ))}
            </div>
          ))}
        </nav>
        <main className="main">
          <View route={route} />
        </main>
      </div>
      {overlay === 'palette' && <CommandPalette onClose={close} actions={actions} />}
      {overlay === 'help' && <ShortcutsOverlay onClose={close} />}
      <TaskTray />
      <Toasts />
    </div>
  )
}

import { useShallow } from 'zustand/react/shallow'
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
import { SyncView } from '../features/sync/SyncView'
import { SystemView } from '../features/system/SystemView'
import { useAppStore } from '../state/store'
import { NotificationCentre } from './NotificationCentre'
import { routeHref, useRoute, type Route } from './use-route'

const CONNECTION_LABEL = {
  connecting: 'connecting…',
  open: 'live',
  closed: 'disconnected, retrying',
} as const

const NavLink = ({
  route,
  current,
  label,
  count,
  countLabel,
}: {
  route: Route
  current: Route
  label: string
  count?: number
  /** Says what the count counts, for screen readers ("3 new"). */
  countLabel?: string
}) => (
  <a href={routeHref(route)} aria-current={route === current ? 'page' : undefined}>
    <span>{label}</span>
    {count !== undefined && (
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
    case 'sync':
      return <SyncView />
    case 'system':
      return <SystemView />
  }
}

export const AppShell = () => {
  const route = useRoute()
  const { connection, total, newAlerts, version } = useAppStore(
    useShallow((s) => ({
      connection: s.connection,
      total: s.eventsTotal,
      newAlerts: s.newAlertsCount,
      version: s.info?.version,
    })),
  )
  return (
    <div className="shell">
      <header className="topbar">
        <span className="brand">OUTPOST</span>
        <span className="spacer" />
        <span className="status" role="status" aria-label="Connection">
          <span className="dot" data-state={connection} />
          {CONNECTION_LABEL[connection]}
        </span>
        <NotificationCentre />
        {version && <span className="muted mono">v{version}</span>}
      </header>
      <nav className="nav" aria-label="Views">
        <NavLink route="dashboard" current={route} label="Dashboard" />
        <NavLink route="events" current={route} label="Events" count={total} />
        <NavLink route="hunt" current={route} label="Hunt" />
        <NavLink route="alerts" current={route} label="Alerts" count={newAlerts} countLabel="new" />
        <NavLink route="incidents" current={route} label="Incidents" />
        <NavLink route="rules" current={route} label="Rules" />
        <NavLink route="attack" current={route} label="ATT&CK" />
        <NavLink route="reports" current={route} label="Reports" />
        <NavLink route="operations" current={route} label="Operations" />
        <NavLink route="missions" current={route} label="Missions" />
        <NavLink route="assets" current={route} label="Assets" />
        <NavLink route="collector" current={route} label="Collector" />
        <NavLink route="sync" current={route} label="Sync" />
        <NavLink route="system" current={route} label="System" />
      </nav>
      <main className="main">
        <View route={route} />
      </main>
    </div>
  )
}

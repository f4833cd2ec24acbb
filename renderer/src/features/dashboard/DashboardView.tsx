import { useEffect, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { routeHref } from '../../app/use-route'
import { TIME_PRESETS, type TimePreset } from '../../state/hunt-slice'
import { useAppStore } from '../../state/store'
import { assetHref } from '../../components/asset-href'
import { CollectorHealth } from './CollectorHealth'
import { LiveRate } from './LiveRate'
import { StackedChart } from './StackedChart'
import { TacticStrip } from './TacticStrip'
import { TopList } from './TopList'

/** Collector counters are cheap; the summary reloads on pushes, throttled in the slice. */
const STATS_MS = 2000

/** The landing view: what arrives, what fired, what is open; aggregated in DuckDB. */
export const DashboardView = () => {
  const s = useAppStore(
    useShallow((state) => ({
      preset: state.dashboardPreset,
      summary: state.dashboard,
      error: state.dashboardError,
      loading: state.dashboardLoading,
      tactics: state.dashboardTactics,
      stats: state.collectorStats,
      history: state.rateHistory,
      load: state.loadDashboard,
      setPreset: state.setDashboardPreset,
      watch: state.watchDashboard,
      refreshCollector: state.refreshCollector,
    })),
  )
  const { load, watch, refreshCollector } = s
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    void load()
    void refreshCollector()
    watch(true)
    const timer = setInterval(() => {
      void refreshCollector()
      setNow(Date.now())
    }, STATS_MS)
    return () => {
      clearInterval(timer)
      watch(false)
    }
  }, [load, watch, refreshCollector])

  const d = s.summary
  const span = d ? d.to - d.from : 0
  return (
    <>
      <div className="view-header">
        <h1>Dashboard</h1>
        <select
          aria-label="Dashboard time range"
          value={s.preset}
          onChange={(e) => void s.setPreset(e.target.value as TimePreset)}
        >
          {TIME_PRESETS.map((p) => (
            <option key={p.id} value={p.id}>
              {p.label}
            </option>
          ))}
        </select>
        {d && (
          <span className="muted" aria-label="Events in range">
            {d.events.toLocaleString()} events
          </span>
        )}
        {s.loading && <span className="muted">loading…</span>}
      </div>
      {s.error && (
        <p className="error" role="alert">
          {s.error}
        </p>
      )}
      <div className="scroll">
        <div className="dashboard">
          <LiveRate history={s.history} />
          {d && (
            <>
              <TopList
                title="Open alerts by level"
                items={d.alerts_by_level}
                href={() => routeHref('alerts')}
              />
              <TopList
                title="Incidents by status"
                items={d.incidents_by_status}
                href={() => routeHref('incidents')}
              />
              <StackedChart
                title="Events by severity"
                kind="area"
                spanMs={span}
                series={d.by_severity.map((x) => ({ name: x.severity, points: x.points }))}
              />
              <StackedChart
                title="Events by listener"
                kind="bar"
                spanMs={span}
                series={d.by_listener.map((x) => ({ name: x.listener, points: x.points }))}
              />
              <TacticStrip tactics={s.tactics} counts={d.tactics} />
            </>
          )}
          {/* The collector's own counters: shown even when the archive cannot answer. */}
          <CollectorHealth stats={s.stats} now={now} />
          {d && (
            <>
              <TopList title="Top hosts" items={d.top_hosts} href={(k) => assetHref('host', k)} />
              <TopList title="Top users" items={d.top_users} href={(k) => assetHref('user', k)} />
              <TopList
                title="Top rules"
                items={d.top_rules}
                label={(k) => d.top_rules.find((r) => r.key === k)?.title ?? k}
              />
              <TopList title="Top sources" items={d.top_sources} />
              <TopList title="Top processes" items={d.top_processes} href={(k) => assetHref('process', k)} />
            </>
          )}
        </div>
      </div>
    </>
  )
}

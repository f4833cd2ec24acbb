import { useShallow } from 'zustand/react/shallow'
import { MAX_METRIC_CHARTS } from '../../state/collector-slice'
import { useAppStore } from '../../state/store'
import { MetricChart } from './MetricChart'

/** Gauges and counters per source, from `POST /v1/metrics` and OTLP metrics, charted from DuckDB. */
export const MetricsPanel = ({ httpPort }: { httpPort: number | undefined }) => {
  const s = useAppStore(
    useShallow((state) => ({
      sources: state.metricSources,
      source: state.metricSource,
      series: state.metricSeries,
      select: state.selectMetricSource,
    })),
  )
  const chosen = s.sources.find((x) => x.source === s.source)
  const port = httpPort ?? 5080
  return (
    <section className="panel" aria-label="Metrics">
      <h2>Metrics</h2>
      {s.sources.length === 0 ? (
        <>
          <p className="muted">
            No metrics yet. Send gauges and counters as JSON (or OTLP/HTTP metrics to the otlp listener):
          </p>
          <pre className="mono">
            {`curl -s http://127.0.0.1:${port}/v1/metrics -H 'content-type: application/json' \\
  -d '{"source":"web-01","name":"cpu.load","value":0.42,"unit":"1"}'`}
          </pre>
        </>
      ) : (
        <>
          <label>
            Source{' '}
            <select value={s.source ?? ''} onChange={(e) => void s.select(e.target.value)}>
              {s.sources.map((x) => (
                <option key={x.source} value={x.source}>
                  {x.source} ({x.series.length})
                </option>
              ))}
            </select>
          </label>
          {chosen && chosen.series.length > MAX_METRIC_CHARTS && (
            <p className="muted">
              The first {MAX_METRIC_CHARTS} of {chosen.series.length} series, by name.
            </p>
          )}
          <div className="metric-charts">
            {chosen?.series.slice(0, MAX_METRIC_CHARTS).map((series) => (
              <MetricChart key={series.name} series={series} points={s.series[series.name] ?? []} />
            ))}
          </div>
        </>
      )}
    </section>
  )
}

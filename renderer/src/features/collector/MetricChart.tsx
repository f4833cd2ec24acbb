import { Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { MetricSample, MetricSeriesInfo } from '../../../../collector/contract'

const time = (t: number): string => new Date(t).toISOString().slice(11, 19)

/** One series of one source, already bucketed by the core (at most a few dozen points). */
export const MetricChart = ({ series, points }: { series: MetricSeriesInfo; points: MetricSample[] }) => {
  const unit = series.unit ? ` ${series.unit}` : ''
  return (
    <figure className="metric-chart">
      <figcaption>
        <span className="mono">{series.name}</span>{' '}
        <span className="muted">
          {series.kind} · last {series.last_value.toLocaleString()}
          {unit}
        </span>
      </figcaption>
      <div className="metric-chart-plot" role="img" aria-label={`Chart of ${series.name}`}>
        {points.length === 0 ? (
          <p className="muted">No points in this window.</p>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <LineChart data={points} margin={{ top: 4, right: 12, bottom: 0, left: 0 }}>
              <XAxis
                dataKey="t"
                type="number"
                domain={['dataMin', 'dataMax']}
                tickFormatter={time}
                stroke="var(--text-muted)"
                fontSize={11}
              />
              <YAxis stroke="var(--text-muted)" fontSize={11} width={56} />
              <Tooltip
                labelFormatter={(t) => time(Number(t)) + ' UTC'}
                formatter={(value) => `${Number(value).toLocaleString()}${unit}`}
                contentStyle={{ background: 'var(--bg-raised)', border: '1px solid var(--border)' }}
              />
              <Line
                type="monotone"
                dataKey="value"
                stroke="#4ea1ff"
                dot={points.length < 3}
                isAnimationActive={false}
              />
            </LineChart>
          </ResponsiveContainer>
        )}
      </div>
    </figure>
  )
}

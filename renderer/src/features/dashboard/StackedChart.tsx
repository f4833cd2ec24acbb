import { useMemo } from 'react'
import { Area, AreaChart, Bar, BarChart, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import { stackSeries } from '../../state/dashboard-slice'
import { bucketLabel } from '../../components/format'

const COLORS = [
  '#4ea1ff',
  '#3fb950',
  '#d29922',
  '#db61a2',
  '#a371f7',
  '#f85149',
  '#56d4dd',
  '#e3b341',
  '#8b949e',
]
/** Severities in their usual colours; anything else takes the palette. */
const SEVERITY_COLORS: Record<string, string> = {
  critical: '#f85149',
  high: '#f0883e',
  error: '#f85149',
  warning: '#d29922',
  medium: '#d29922',
  low: '#4ea1ff',
  info: '#3fb950',
  informational: '#3fb950',
  unknown: '#8b949e',
}

type Series = ReadonlyArray<{ name: string; points: ReadonlyArray<{ t: number; count: number }> }>

/** Events over time, one stacked series per severity (areas) or listener (bars); the core bucketed them. */
export const StackedChart = ({
  title,
  series,
  spanMs,
  kind,
}: {
  title: string
  series: Series
  spanMs: number
  kind: 'area' | 'bar'
}) => {
  const data = useMemo(() => stackSeries(series), [series])
  const names = series.map((s) => s.name)
  const color = (name: string, i: number): string =>
    (kind === 'area' ? SEVERITY_COLORS[name.toLowerCase()] : undefined) ?? COLORS[i % COLORS.length]!
  const axes = (
    <>
      <XAxis
        dataKey="t"
        tickFormatter={(t: number) => bucketLabel(t, spanMs)}
        stroke="var(--text-muted)"
        fontSize={11}
        minTickGap={24}
      />
      <YAxis stroke="var(--text-muted)" fontSize={11} width={48} allowDecimals={false} />
      <Tooltip
        labelFormatter={(t) => new Date(Number(t)).toISOString().replace('T', ' ').slice(0, 16) + ' UTC'}
        contentStyle={{ background: 'var(--bg-raised)', border: '1px solid var(--border)' }}
      />
      <Legend />
    </>
  )
  return (
    <section className="dash-panel dash-wide" aria-label={title}>
      <h2>{title}</h2>
      <div className="dash-chart" role="img" aria-label={`Chart of ${title.toLowerCase()}`}>
        {data.length === 0 ? (
          <p className="muted">No events in this range.</p>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            {kind === 'area' ? (
              <AreaChart data={data} margin={{ top: 4, right: 16, bottom: 0, left: 0 }}>
                {axes}
                {names.map((name, i) => (
                  <Area
                    key={name}
                    dataKey={name}
                    stackId="1"
                    type="monotone"
                    stroke={color(name, i)}
                    fill={color(name, i)}
                    fillOpacity={0.35}
                    isAnimationActive={false}
                  />
                ))}
              </AreaChart>
            ) : (
              <BarChart data={data} margin={{ top: 4, right: 16, bottom: 0, left: 0 }}>
                {axes}
                {names.map((name, i) => (
                  <Bar
                    key={name}
                    dataKey={name}
                    stackId="1"
                    fill={color(name, i)}
                    isAnimationActive={false}
                  />
                ))}
              </BarChart>
            )}
          </ResponsiveContainer>
        )}
      </div>
    </section>
  )
}

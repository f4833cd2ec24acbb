import { Legend, Line, LineChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { RateSample } from '../../state/collector-slice'

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

/** Events stored per second, per listener, over the last few minutes (one sample per refresh). */
export const RateChart = ({ history, listeners }: { history: RateSample[]; listeners: string[] }) => (
  <div className="rate-chart" role="img" aria-label="Events per second by listener">
    <ResponsiveContainer width="100%" height="100%">
      <LineChart data={history} margin={{ top: 8, right: 16, bottom: 0, left: 0 }}>
        <XAxis
          dataKey="t"
          type="number"
          domain={['dataMin', 'dataMax']}
          tickFormatter={(t: number) => new Date(t).toISOString().slice(11, 19)}
          stroke="var(--text-muted)"
          fontSize={11}
        />
        <YAxis stroke="var(--text-muted)" fontSize={11} width={56} allowDecimals={false} />
        <Tooltip
          labelFormatter={(t) => new Date(Number(t)).toISOString().slice(11, 19) + ' UTC'}
          formatter={(value) => `${Number(value).toFixed(1)} events/s`}
          contentStyle={{ background: 'var(--bg-raised)', border: '1px solid var(--border)' }}
        />
        <Legend />
        {listeners.map((name, i) => (
          <Line
            key={name}
            type="monotone"
            dataKey={name}
            stroke={COLORS[i % COLORS.length]}
            dot={false}
            isAnimationActive={false}
          />
        ))}
      </LineChart>
    </ResponsiveContainer>
  </div>
)

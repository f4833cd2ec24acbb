import { useMemo } from 'react'
import { Area, AreaChart, ResponsiveContainer, YAxis } from 'recharts'
import type { RateSample } from '../../state/collector-slice'

/** Events stored per second now, with the last few minutes behind it (one sample per refresh). */
export const LiveRate = ({ history }: { history: readonly RateSample[] }) => {
  const data = useMemo(
    () =>
      history.map((sample) => {
        let n = 0
        for (const [key, value] of Object.entries(sample)) if (key !== 't') n += value
        return { t: sample.t, n }
      }),
    [history],
  )
  const now = data.at(-1)?.n ?? 0
  return (
    <section className="dash-panel" aria-label="Events per second">
      <h2>Events/s</h2>
      <p className="dash-big num" aria-label="Events per second now">
        {now.toFixed(1)}
      </p>
      <div className="dash-spark" role="img" aria-label="Events per second, last minutes">
        <ResponsiveContainer width="100%" height="100%">
          <AreaChart data={data} margin={{ top: 2, right: 0, bottom: 0, left: 0 }}>
            <YAxis hide domain={[0, 'auto']} />
            <Area
              dataKey="n"
              type="monotone"
              stroke="var(--accent)"
              fill="var(--accent)"
              fillOpacity={0.2}
              isAnimationActive={false}
            />
          </AreaChart>
        </ResponsiveContainer>
      </div>
    </section>
  )
}

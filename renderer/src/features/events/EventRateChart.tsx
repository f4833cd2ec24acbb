import { memo, useMemo } from 'react'
import { Area, AreaChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { EventSummary } from '../../../../collector/contract'

const BUCKETS = 60

/** Arrivals per second over the last minute, from the events in view (a small series, as recharts likes). */
export const bucketArrivals = (
  events: readonly EventSummary[],
  now: number,
): Array<{ t: number; n: number }> => {
  const start = Math.floor(now / 1000) - BUCKETS + 1
  const counts = new Array<number>(BUCKETS).fill(0)
  for (const event of events) {
    const second = Math.floor(Date.parse(event.received_at) / 1000)
    if (second < start) break // newest first: the rest are older
    const slot = second - start
    if (slot < BUCKETS) counts[slot]! += 1
  }
  return counts.map((n, i) => ({ t: i - BUCKETS + 1, n }))
}

/**
 * Redrawn once a second (when `now` ticks), not on every batch of pushed events: the series is
 * per second anyway, and redrawing recharts 60 times a second while events stream in was a good
 * part of the Events view's main-thread time.
 */
export const EventRateChart = memo(
  ({ events, now }: { events: readonly EventSummary[]; now: number }) => {
    // `events` is read when `now` ticks: the comparison below skips the renders between ticks.
    const data = useMemo(() => bucketArrivals(events, now), [events, now])
    return (
      <div className="chart" aria-label="Events per second, last minute" role="img">
        <ResponsiveContainer width="100%" height="100%">
          <AreaChart data={data} margin={{ top: 4, right: 0, bottom: 0, left: 0 }}>
            <XAxis dataKey="t" hide />
            <YAxis hide allowDecimals={false} />
            <Tooltip
              formatter={(value) => [`${String(value)} events`, '']}
              labelFormatter={(t) => `${Number(t)} s`}
            />
            <Area
              type="monotone"
              dataKey="n"
              stroke="var(--accent)"
              fill="var(--accent)"
              fillOpacity={0.2}
              isAnimationActive={false}
            />
          </AreaChart>
        </ResponsiveContainer>
      </div>
    )
  },
  (before, after) => before.now === after.now,
)
EventRateChart.displayName = 'EventRateChart'

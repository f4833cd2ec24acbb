import { useState } from 'react'
import { Bar, BarChart, ReferenceArea, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts'
import type { CallRes } from '../../../../collector/contract'
import { bucketLabel } from '../../components/format'

type Histogram = CallRes<'hunt:histogram'>

const indexOf = (index: unknown): number | null => (typeof index === 'number' ? index : null)

/**
 * Matches over time, as the core bucketed them (at most a few dozen bars). Click a bar, or drag
 * across several, to narrow the time range to them.
 */
export const HuntHistogram = ({
  histogram,
  onNarrow,
}: {
  histogram: Histogram
  onNarrow: (fromMs: number, toMs: number) => void
}) => {
  const [drag, setDrag] = useState<{ from: number; to: number } | null>(null)
  const points = histogram.points
  const span = histogram.to - histogram.from
  const total = points.reduce((sum, p) => sum + p.count, 0)
  const narrowTo = (from: number, to: number): void => {
    const lo = points[Math.min(from, to)]
    const hi = points[Math.max(from, to)]
    if (lo && hi) onNarrow(lo.t, hi.t + histogram.interval_ms)
  }
  // A drag across bars narrows to them; a plain click is the bar's own (onClick below).
  const finish = (): void => {
    if (drag && drag.from !== drag.to) narrowTo(drag.from, drag.to)
    setDrag(null)
  }
  const selected = drag && points[drag.from] && points[drag.to] ? drag : null
  return (
    <figure className="hunt-histogram" aria-label="Matches over time">
      <div
        className="hunt-histogram-plot"
        role="img"
        aria-label={`Histogram: ${total.toLocaleString()} matches in ${points.length} buckets of ${Math.round(
          histogram.interval_ms / 1000,
        ).toLocaleString()} s`}
      >
        <ResponsiveContainer width="100%" height="100%">
          <BarChart
            data={points}
            margin={{ top: 4, right: 16, bottom: 0, left: 0 }}
            onMouseDown={(state) => {
              const i = indexOf(state.activeIndex)
              if (i !== null) setDrag({ from: i, to: i })
            }}
            onMouseMove={(state) => {
              const i = indexOf(state.activeIndex)
              if (drag && i !== null && i !== drag.to) setDrag({ ...drag, to: i })
            }}
            onMouseUp={finish}
            onMouseLeave={() => setDrag(null)}
          >
            <XAxis
              dataKey="t"
              tickFormatter={(t: number) => bucketLabel(t, span)}
              stroke="var(--text-muted)"
              fontSize={11}
              minTickGap={24}
            />
            <YAxis stroke="var(--text-muted)" fontSize={11} width={48} allowDecimals={false} />
            <Tooltip
              cursor={{ fill: 'var(--bg-hover)' }}
              labelFormatter={(t) =>
                new Date(Number(t)).toISOString().replace('T', ' ').slice(0, 19) + ' UTC'
              }
              formatter={(value) => [`${Number(value).toLocaleString()} events`, '']}
              contentStyle={{ background: 'var(--bg-raised)', border: '1px solid var(--border)' }}
            />
            <Bar
              dataKey="count"
              fill="var(--accent)"
              isAnimationActive={false}
              cursor="pointer"
              onClick={(_, index) => narrowTo(index, index)}
            />
            {selected && (
              <ReferenceArea
                x1={points[Math.min(selected.from, selected.to)]!.t}
                x2={points[Math.max(selected.from, selected.to)]!.t}
                fill="var(--accent)"
                fillOpacity={0.15}
              />
            )}
          </BarChart>
        </ResponsiveContainer>
      </div>
    </figure>
  )
}

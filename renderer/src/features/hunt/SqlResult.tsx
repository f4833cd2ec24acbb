import { useVirtualizer } from '@tanstack/react-virtual'
import { useRef } from 'react'
import type { CallRes } from '../../../../collector/contract'

const ROW_HEIGHT = 28

const show = (value: unknown): string => {
  if (value === null || value === undefined) return ''
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return String(value)
  return JSON.stringify(value)
}

/** DuckDB's answer, virtualized: columns as it named and typed them. */
export const SqlResult = ({ result }: { result: CallRes<'hunt:sql'> }) => {
  const scroller = useRef<HTMLDivElement>(null)
  const virtualizer = useVirtualizer({
    count: result.rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
  })
  const columns = { gridTemplateColumns: `repeat(${result.columns.length}, minmax(140px, 1fr))` }
  const minWidth = result.columns.length * 152
  return (
    <div
      className="grid sql-grid"
      role="table"
      aria-label="SQL result"
      aria-rowcount={result.rows.length + 1}
    >
      <div className="grid-body" ref={scroller} role="rowgroup" tabIndex={0} aria-label="SQL result rows">
        <div className="grid-row grid-head" role="row" aria-rowindex={1} style={{ ...columns, minWidth }}>
          {result.columns.map((c, i) => (
            <span key={i} role="columnheader" title={c.type}>
              {c.name} <span className="muted">{c.type}</span>
            </span>
          ))}
        </div>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative', minWidth }}>
          {virtualizer.getVirtualItems().map((item) => {
            const row = result.rows[item.index]!
            return (
              <div
                key={item.index}
                className="grid-row"
                role="row"
                aria-rowindex={item.index + 2}
                style={{
                  ...columns,
                  position: 'absolute',
                  top: 0,
                  left: 0,
                  right: 0,
                  transform: `translateY(${item.start}px)`,
                }}
              >
                {row.map((value, i) => (
                  <span key={i} role="cell" className="mono" title={show(value)}>
                    {show(value)}
                  </span>
                ))}
              </div>
            )
          })}
        </div>
      </div>
    </div>
  )
}

import { type KeyboardEvent } from 'react'
import type { HuntEvent } from '../../../../collector/contract'
import { formatTime } from '../../components/format'
import { assetHref, PIVOT_KINDS } from '../../components/asset-href'
import { rowStyle, useVirtualRows } from '../../components/virtual-rows'

type Column = { key: keyof HuntEvent; label: string }
const COLUMNS: Column[] = [
  { key: 'timestamp', label: 'Time (UTC)' },
  { key: 'host', label: 'Host' },
  { key: 'source', label: 'Source' },
  { key: 'severity', label: 'Severity' },
  { key: 'message', label: 'Message' },
  { key: 'user', label: 'User' },
  { key: 'kind', label: 'Kind' },
  { key: 'event_code', label: 'Code' },
  { key: 'process', label: 'Process' },
  { key: 'src_ip', label: 'Source IP' },
  { key: 'dst_ip', label: 'Dest IP' },
  { key: 'dst_port', label: 'Port' },
]

const Cell = ({ event, column }: { event: HuntEvent; column: Column }) => {
  const value = event[column.key]
  if (value === null || value === '') return <span role="cell" />
  const text = column.key === 'timestamp' ? formatTime(String(value)) : String(value)
  const kind = PIVOT_KINDS[column.key]
  return (
    <span role="cell" title={text} className={column.key === 'timestamp' ? 'mono' : undefined}>
      {kind ? (
        <a
          href={assetHref(kind, text)}
          onClick={(e) => e.stopPropagation()}
          aria-label={`Open ${kind} ${text} in assets`}
        >
          {text}
        </a>
      ) : (
        text
      )}
    </span>
  )
}

type Props = {
  rows: HuntEvent[]
  total: number
  selectedId: string | null
  onSelect: (id: string) => void
  onNearEnd: () => void
}

/** Virtualized like the events table: only visible rows exist, so 100k rows scroll smoothly. */
export const HuntTable = ({ rows, total, selectedId, onSelect, onNearEnd }: Props) => {
  // Pages are asked for well before the end: a hunt page is a round trip to DuckDB.
  const { scroller, virtualizer, items } = useVirtualRows(rows.length, onNearEnd, 200)

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.key !== 'j' && e.key !== 'k' && e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return
    e.preventDefault()
    const index = rows.findIndex((r) => r.id === selectedId)
    const next = e.key === 'j' || e.key === 'ArrowDown' ? index + 1 : Math.max(index - 1, 0)
    const clamped = Math.min(next, rows.length - 1)
    const row = rows[clamped]
    if (!row) return
    onSelect(row.id)
    virtualizer.scrollToIndex(clamped)
  }

  return (
    <div className="grid hunt-grid" role="table" aria-label="Hunt results" aria-rowcount={total + 1}>
      <div
        className="grid-body"
        ref={scroller}
        role="rowgroup"
        tabIndex={0}
        onKeyDown={onKeyDown}
        aria-label="Result rows (j/k to move)"
      >
        <div className="grid-row grid-head hunt-row" role="row" aria-rowindex={1}>
          {COLUMNS.map((c) => (
            <span key={c.key} role="columnheader">
              {c.label}
            </span>
          ))}
        </div>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const event = rows[item.index]!
            return (
              <div
                key={event.seq}
                className="grid-row hunt-row"
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={event.id === selectedId}
                data-event-id={event.id}
                onClick={() => onSelect(event.id)}
                style={rowStyle(item.start)}
              >
                {COLUMNS.map((c) => (
                  <Cell key={c.key} event={event} column={c} />
                ))}
              </div>
            )
          })}
        </div>
      </div>
    </div>
  )
}

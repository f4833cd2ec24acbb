import { memo, type KeyboardEvent } from 'react'
import type { EventSummary } from '../../../../collector/contract'
import { formatTime } from './format'
import { rowStyle, slotKey, useVirtualRows } from '../../components/virtual-rows'

type Props = {
  events: EventSummary[]
  total: number
  selectedId: string | null
  onSelect: (id: string) => void
  onNearEnd: () => void
}

type RowProps = {
  event: EventSummary
  index: number
  start: number
  selected: boolean
  onSelect: (id: string) => void
}

/** One row; memoised so a push or a scroll re-renders only the rows whose event or place changed. */
const EventRow = memo(({ event, index, start, selected, onSelect }: RowProps) => (
  <div
    className="grid-row"
    role="row"
    aria-rowindex={index + 2}
    aria-selected={selected}
    data-event-id={event.id}
    onClick={() => onSelect(event.id)}
    style={rowStyle(start)}
  >
    <span role="cell" className="mono">
      {formatTime(event.timestamp)}
    </span>
    <span role="cell">{event.host ?? ''}</span>
    <span role="cell" className="mono">
      {event.source ?? ''}
    </span>
    <span role="cell">{event.listener}</span>
    <span role="cell">{event.severity ?? ''}</span>
    <span role="cell" title={event.message ?? ''}>
      {event.message ?? ''}
    </span>
  </div>
))
EventRow.displayName = 'EventRow'

/**
 * Virtualized: only the visible rows exist in the DOM, so thousands of events scroll smoothly.
 * Memoised: it renders when its (deferred) events change, not on every render of the view.
 */
export const EventsTable = memo(({ events, total, selectedId, onSelect, onNearEnd }: Props) => {
  const { scroller, virtualizer, items } = useVirtualRows(events.length, onNearEnd)

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.key !== 'j' && e.key !== 'k' && e.key !== 'ArrowDown' && e.key !== 'ArrowUp') return
    e.preventDefault()
    const index = events.findIndex((ev) => ev.id === selectedId)
    const next = e.key === 'j' || e.key === 'ArrowDown' ? index + 1 : Math.max(index - 1, 0)
    const event = events[Math.min(next, events.length - 1)]
    if (!event) return
    onSelect(event.id)
    virtualizer.scrollToIndex(events.indexOf(event))
  }

  return (
    <div className="grid" role="table" aria-label="Events" aria-rowcount={total + 1}>
      <div role="rowgroup">
        <div className="grid-row grid-head" role="row" aria-rowindex={1}>
          <span role="columnheader">Time (UTC)</span>
          <span role="columnheader">Host</span>
          <span role="columnheader">Source</span>
          <span role="columnheader">Listener</span>
          <span role="columnheader">Severity</span>
          <span role="columnheader">Message</span>
        </div>
      </div>
      <div
        className="grid-body"
        ref={scroller}
        role="rowgroup"
        tabIndex={0}
        onKeyDown={onKeyDown}
        aria-label="Event rows (j/k to move)"
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const event = events[item.index]!
            return (
              <EventRow
                key={slotKey(item.index, items.length)}
                event={event}
                index={item.index}
                start={item.start}
                selected={event.id === selectedId}
                onSelect={onSelect}
              />
            )
          })}
        </div>
      </div>
    </div>
  )
})
EventsTable.displayName = 'EventsTable'

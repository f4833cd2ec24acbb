import { useVirtualizer } from '@tanstack/react-virtual'
import { useEffect, useRef, type CSSProperties } from 'react'

export const ROW_HEIGHT = 28

/**
 * A virtualized list of `count` rows: only those in view (and a margin) exist in the DOM, so
 * tens of thousands scroll like a hundred; `onNearEnd` asks for more once fewer than `nearEnd`
 * rows are left below the view.
 */
export const useVirtualRows = (count: number, onNearEnd?: () => void, nearEnd = 40) => {
  const scroller = useRef<HTMLDivElement>(null)
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 20,
    // Scroll renders join React's next batch instead of a synchronous render inside each scroll
    // event: with pushes arriving too, flushSync there made one long task of both.
    useFlushSync: false,
  })
  const items = virtualizer.getVirtualItems()
  const lastIndex = items.at(-1)?.index ?? -1
  useEffect(() => {
    if (onNearEnd && lastIndex >= 0 && lastIndex >= count - nearEnd) onNearEnd()
  }, [lastIndex, count, onNearEnd, nearEnd])
  return { scroller, virtualizer, items }
}

/**
 * A key for the DOM row at virtual `index` among `count` rendered rows: the same few row elements
 * are reused as rows scroll by or new ones are prepended, so React updates text instead of
 * removing and creating every row (unique because the rendered indices are consecutive).
 */
export const slotKey = (index: number, count: number): number => index % Math.max(count, 1)

/** Where a virtual row sits in its scroller. */
export const rowStyle = (start: number): CSSProperties => ({
  position: 'absolute',
  top: 0,
  left: 0,
  right: 0,
  transform: `translateY(${start}px)`,
})

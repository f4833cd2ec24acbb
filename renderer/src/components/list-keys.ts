import type { KeyboardEvent } from 'react'

/** The row j/k (or the arrows) move to from `current` among `count`, clamped; null for other keys. */
export const nextIndex = (key: string, current: number, count: number): number | null => {
  if (count === 0) return null
  if (key === 'j' || key === 'ArrowDown') return current < 0 ? 0 : Math.min(current + 1, count - 1)
  if (key === 'k' || key === 'ArrowUp') return current < 0 ? 0 : Math.max(current - 1, 0)
  return null
}

/**
 * j/k for a list of links (incidents, reports…): moves focus from link to link, and Enter opens the
 * focused one as any link does. For lists whose rows are links rather than a selection in the store.
 */
export const onLinkListKeyDown = (e: KeyboardEvent<HTMLElement>): void => {
  if (e.ctrlKey || e.metaKey || e.altKey) return
  const links = [...e.currentTarget.querySelectorAll<HTMLAnchorElement>('a[href]')]
  const next = nextIndex(e.key, links.indexOf(document.activeElement as HTMLAnchorElement), links.length)
  if (next === null) return
  e.preventDefault()
  links[next]?.focus()
}

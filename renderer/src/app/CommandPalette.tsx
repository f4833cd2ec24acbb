import { useEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useAppStore } from '../state/store'
import { paletteItems, type PaletteActions } from './palette-items'

/**
 * Ctrl/⌘+K: one box to reach any view, action or object. A modal dialog with a combobox that
 * owns a listbox (arrow keys move, Enter runs, Esc closes); objects come from `search:global`.
 */
export const CommandPalette = ({ onClose, actions }: { onClose: () => void; actions: PaletteActions }) => {
  const s = useAppStore(
    useShallow((state) => ({
      hits: state.searchHits,
      error: state.searchError,
      search: state.searchGlobal,
    })),
  )
  const [text, setText] = useState('')
  const [active, setActive] = useState(0)
  const input = useRef<HTMLInputElement>(null)
  const { search } = s
  useEffect(() => {
    input.current?.focus()
    return () => void search('')
  }, [search])
  useEffect(() => {
    // Typing fast sends one search, not one per key.
    const timer = setTimeout(() => void search(text), 120)
    return () => clearTimeout(timer)
  }, [text, search])
  const items = useMemo(() => paletteItems(text, s.hits, actions), [text, s.hits, actions])
  const current = Math.min(active, Math.max(items.length - 1, 0))

  const run = (index: number): void => {
    const item = items[index]
    if (!item) return
    onClose()
    item.run()
  }
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>): void => {
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault()
      const delta = e.key === 'ArrowDown' ? 1 : -1
      setActive((current + delta + items.length) % Math.max(items.length, 1))
    } else if (e.key === 'Enter') {
      e.preventDefault()
      run(current)
    } else if (e.key === 'Escape') {
      e.preventDefault()
      onClose()
    }
  }

  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div role="dialog" aria-modal="true" aria-label="Command palette" className="palette panel">
        <input
          ref={input}
          role="combobox"
          aria-label="Command"
          aria-expanded="true"
          aria-controls="palette-list"
          aria-autocomplete="list"
          aria-activedescendant={items[current] ? `palette-${current}` : undefined}
          placeholder="Go to a view, run an action, find an incident, alert, rule, report, asset…"
          value={text}
          onChange={(e) => {
            setText(e.target.value)
            setActive(0)
          }}
          onKeyDown={onKeyDown}
        />
        {s.error && (
          <p className="error" role="alert">
            {s.error}
          </p>
        )}
        <ul id="palette-list" role="listbox" aria-label="Results" className="palette-list">
          {items.map((item, index) => {
            const heading = item.group !== items[index - 1]?.group ? item.group : null
            return (
              <li
                key={item.id}
                id={`palette-${index}`}
                role="option"
                aria-selected={index === current}
                data-group-start={heading ?? undefined}
                onMouseEnter={() => setActive(index)}
                onClick={() => run(index)}
              >
                <span>{item.label}</span>
                {item.hint && <span className="muted mono">{item.hint}</span>}
              </li>
            )
          })}
          {items.length === 0 && (
            <li role="option" aria-selected="false" aria-disabled="true" className="muted">
              Nothing matches “{text}”.
            </li>
          )}
        </ul>
      </div>
    </div>
  )
}

import { useEffect, useRef } from 'react'
import { SHORTCUT_HELP } from './shortcuts'

/** `?`: every keyboard shortcut in one list. */
export const ShortcutsOverlay = ({ onClose }: { onClose: () => void }) => {
  const close = useRef<HTMLButtonElement>(null)
  useEffect(() => close.current?.focus(), [])
  return (
    <div className="overlay" onMouseDown={(e) => e.target === e.currentTarget && onClose()}>
      <div
        role="dialog"
        aria-modal="true"
        aria-label="Keyboard shortcuts"
        className="panel shortcuts-overlay"
        onKeyDown={(e) => e.key === 'Escape' && onClose()}
      >
        <div className="field-row">
          <h2>Keyboard shortcuts</h2>
          <span className="spacer" />
          <button ref={close} type="button" onClick={onClose} aria-keyshortcuts="Escape">
            Close
          </button>
        </div>
        <table className="shortcuts-table">
          <tbody>
            {SHORTCUT_HELP.map((s) => (
              <tr key={s.keys}>
                <th scope="row">
                  <kbd>{s.keys}</kbd>
                </th>
                <td>{s.what}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  )
}

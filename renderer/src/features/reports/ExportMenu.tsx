import { useRef } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { EXPORT_FORMATS } from '../../state/reports-slice'
import { useAppStore } from '../../state/store'

const size = (bytes: number): string =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} KB`
      : `${(bytes / 1024 / 1024).toFixed(1)} MB`

/** Export formats; the outcome (name, size, SHA-256, or why it failed) shows beside the menu. */
export const ExportMenu = () => {
  const s = useAppStore(useShallow((state) => ({ state: state.reportExport, run: state.exportReport })))
  const menu = useRef<HTMLDetailsElement>(null)
  const label = EXPORT_FORMATS.find((f) => f.format === s.state?.format)?.label
  return (
    <>
      <details className="menu" ref={menu}>
        <summary>Export</summary>
        <div className="menu-items" role="menu" aria-label="Export formats">
          {EXPORT_FORMATS.map((f) => (
            <button
              key={f.format}
              type="button"
              role="menuitem"
              disabled={s.state?.state === 'running'}
              onClick={() => {
                if (menu.current) menu.current.open = false
                void s.run(f.format)
              }}
            >
              {f.label}
            </button>
          ))}
        </div>
      </details>
      {s.state && (
        <span className="export-result" role="status" aria-label="Export">
          {s.state.state === 'running' && <span className="muted">Exporting {label}…</span>}
          {s.state.state === 'failed' && (
            <span className="error-text">
              {label} export failed: {s.state.error}
            </span>
          )}
          {s.state.result && (
            <span>
              <span className="mono">{s.state.result.name}</span> · {size(s.state.result.bytes)} · SHA-256{' '}
              <span className="mono" title={s.state.result.sha256}>
                {s.state.result.sha256}
              </span>
            </span>
          )}
        </span>
      )}
    </>
  )
}

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

/** The formats a report exports to; ExportResult says how it went. */
export const ExportMenu = () => {
  const s = useAppStore(useShallow((state) => ({ state: state.reportExport, run: state.exportReport })))
  const menu = useRef<HTMLDetailsElement>(null)
  return (
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
  )
}

/** Where the last export went: "Exporting…", its name, size and SHA-256, or why it failed. */
export const ExportResult = () => {
  const exported = useAppStore((state) => state.reportExport)
  if (!exported) return null
  const label = EXPORT_FORMATS.find((f) => f.format === exported.format)?.label
  return (
    <p className="export-result" role="status" aria-label="Export">
      {exported.state === 'running' && <span className="muted">Exporting {label}…</span>}
      {exported.state === 'failed' && (
        <span className="error-text">
          {label} export failed: {exported.error}
        </span>
      )}
      {exported.result && (
        <span>
          <span className="mono">{exported.result.name}</span> · {size(exported.result.bytes)} · SHA-256{' '}
          <span className="mono">{exported.result.sha256}</span>
        </span>
      )}
    </p>
  )
}

import { useRef } from 'react'
import { formatSize } from '../../components/format'
import { EXPORT_FORMATS, PACKAGE_FORMAT, type ReportExport } from '../../state/reports-slice'

type ExportProps = { state: ReportExport | null }

/** The formats a report, an incident or hunt results export to; the result line says how it went. */
export const ExportMenu = <F extends string>({
  state,
  run,
  formats,
}: {
  state: { state: 'running' | 'done' | 'failed' | 'cancelled' } | null
  run: (format: F) => Promise<void>
  formats: ReadonlyArray<{ format: F; label: string }>
}) => {
  const menu = useRef<HTMLDetailsElement>(null)
  return (
    <details className="menu" ref={menu}>
      <summary>Export</summary>
      <div className="menu-items" role="menu" aria-label="Export formats">
        {formats.map((f) => (
          <button
            key={f.format}
            type="button"
            role="menuitem"
            disabled={state?.state === 'running'}
            onClick={() => {
              if (menu.current) menu.current.open = false
              void run(f.format)
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
export const ExportResult = ({ state: exported }: ExportProps) => {
  if (!exported) return null
  const label = [...EXPORT_FORMATS, PACKAGE_FORMAT].find((f) => f.format === exported.format)?.label
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
          <span className="mono">{exported.result.name}</span> · {formatSize(exported.result.bytes)} · SHA-256{' '}
          <span className="mono">{exported.result.sha256}</span>
        </span>
      )}
    </p>
  )
}

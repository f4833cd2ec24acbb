import { useEffect, useRef, useState, type DragEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useAppStore } from '../../state/store'
import { ImportJobCard } from './ImportJobCard'

/** Log files into the store, as the `outpost import` command does: drop them or choose them. */
export const ImportPanel = () => {
  const s = useAppStore(
    useShallow((state) => ({
      jobs: state.importJobs,
      uploads: state.importUploads,
      error: state.importError,
      desktop: state.transport.kind === 'ipc',
      loadImports: state.loadImports,
      importFiles: state.importFiles,
      chooseImportFiles: state.chooseImportFiles,
      cancelImport: state.cancelImport,
    })),
  )
  const { loadImports } = s
  useEffect(() => {
    void loadImports()
  }, [loadImports])
  useEffect(() => {
    // A file dropped beside the drop zone would make the browser open it in place of the console.
    const keep = (e: globalThis.DragEvent): void => {
      if (e.dataTransfer?.types.includes('Files')) e.preventDefault()
    }
    window.addEventListener('dragover', keep)
    window.addEventListener('drop', keep)
    return () => {
      window.removeEventListener('dragover', keep)
      window.removeEventListener('drop', keep)
    }
  }, [])
  const input = useRef<HTMLInputElement>(null)
  const [over, setOver] = useState(false)

  const onDrop = (e: DragEvent): void => {
    e.preventDefault()
    setOver(false)
    void s.importFiles([...e.dataTransfer.files])
  }
  // The desktop picks with the native dialog (paths); the browser with a file input (uploads).
  const choose = (): void => (s.desktop ? void s.chooseImportFiles() : input.current?.click())

  return (
    <section className="panel" aria-label="Import files">
      <h2>Import files</h2>
      <div
        className="drop-zone"
        data-over={over || undefined}
        onDragOver={(e) => {
          e.preventDefault()
          setOver(true)
        }}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        <p className="muted">
          Drop NDJSON, JSON, EVTX, CSV or syslog files here (also zip and gzip), or{' '}
          <button type="button" onClick={choose}>
            Choose files…
          </button>
        </p>
        <input
          ref={input}
          type="file"
          multiple
          hidden
          aria-label="Files to import"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])]
            e.target.value = '' // the same file can be chosen again
            void s.importFiles(files)
          }}
        />
      </div>
      {s.error && (
        <p className="error" role="alert">
          {s.error}
        </p>
      )}
      {s.uploads.length > 0 && <p className="muted">Uploading {s.uploads.join(', ')}…</p>}
      <ul className="import-jobs" aria-label="Import jobs">
        {s.jobs.map((job) => (
          <ImportJobCard key={job.job_id} job={job} onCancel={() => void s.cancelImport(job.job_id)} />
        ))}
      </ul>
    </section>
  )
}

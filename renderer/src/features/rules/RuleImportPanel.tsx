import { useRef, useState, type DragEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useAppStore } from '../../state/store'

/** Sigma rules into the rule store: .yml files or .zip archives (a SigmaHQ release as it comes). */
export const RuleImportPanel = () => {
  const s = useAppStore(
    useShallow((state) => ({
      imports: state.ruleImports,
      running: state.ruleImportsRunning,
      desktop: state.transport.kind === 'ipc',
      importFiles: state.importRuleFiles,
      choose: state.chooseRulesToImport,
    })),
  )
  const input = useRef<HTMLInputElement>(null)
  const [over, setOver] = useState(false)
  const onDrop = (e: DragEvent): void => {
    e.preventDefault()
    setOver(false)
    void s.importFiles([...e.dataTransfer.files])
  }
  return (
    <section className="panel" aria-label="Import rules">
      <h2>Import rules</h2>
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
          Drop Sigma .yml files or a .zip of rules here, or{' '}
          <button type="button" onClick={() => (s.desktop ? void s.choose() : input.current?.click())}>
            Choose rule files…
          </button>
          {s.desktop && (
            <>
              {' '}
              or{' '}
              <button type="button" onClick={() => void s.choose(true)}>
                Choose a rules folder…
              </button>
            </>
          )}
        </p>
        <input
          ref={input}
          type="file"
          multiple
          hidden
          accept=".yml,.yaml,.zip"
          aria-label="Rule files to import"
          onChange={(e) => {
            const files = [...(e.target.files ?? [])]
            e.target.value = ''
            void s.importFiles(files)
          }}
        />
      </div>
      {s.running > 0 && <p className="muted">Importing…</p>}
      <ul className="import-jobs" aria-label="Rule imports">
        {s.imports.map((entry, i) => (
          <li key={i} className="import-job" aria-label={`Rule import of ${entry.name}`}>
            <div className="import-job-head">
              <span className="mono wrap">{entry.name}</span>
              {entry.result && <span className="muted">into {entry.result.folder}</span>}
            </div>
            {entry.error && <p className="error">{entry.error}</p>}
            {entry.result && (
              <>
                <dl className="import-summary">
                  <dt>Files stored</dt>
                  <dd>{entry.result.files.toLocaleString()}</dd>
                  <dt>Loaded</dt>
                  <dd>{entry.result.loaded.toLocaleString()}</dd>
                  <dt>Invalid</dt>
                  <dd>{entry.result.invalid.toLocaleString()}</dd>
                  <dt>Unsupported</dt>
                  <dd>{entry.result.unsupported.toLocaleString()}</dd>
                </dl>
                {entry.result.problems.length > 0 && (
                  <table className="table problems-table" aria-label={`Problems in ${entry.name}`}>
                    <thead>
                      <tr>
                        <th>File</th>
                        <th className="num">Line</th>
                        <th>Kind</th>
                        <th>Reason</th>
                      </tr>
                    </thead>
                    <tbody>
                      {entry.result.problems.map((p, j) => (
                        <tr key={j}>
                          <td className="mono wrap">{p.file}</td>
                          <td className="num">{p.line}</td>
                          <td>{p.kind}</td>
                          <td className="wrap">{p.reason}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
              </>
            )}
          </li>
        ))}
      </ul>
    </section>
  )
}

import { useState, type KeyboardEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useAppStore } from '../../state/store'
import { SqlResult } from './SqlResult'

const EXAMPLE = 'SELECT host, count(*) AS n\nFROM events\nGROUP BY host\nORDER BY n DESC\nLIMIT 20'

/** Read-only SQL on the archive: DuckDB's own words when it refuses, Cancel while it runs. */
export const SqlConsole = () => {
  const s = useAppStore(
    useShallow((state) => ({ run: state.sqlRun, runSql: state.runSql, cancel: state.cancelSql })),
  )
  const [sql, setSql] = useState(() => s.run?.sql ?? EXAMPLE)
  const [limit, setLimit] = useState(1000)
  const [timeoutS, setTimeoutS] = useState(30)
  const running = s.run?.state === 'running'
  const valid = sql.trim() !== '' && limit >= 1 && limit <= 100_000 && timeoutS >= 0.1 && timeoutS <= 120
  const run = (): void => {
    if (!running && valid) void s.runSql(sql, Math.round(limit), Math.round(timeoutS * 1000))
  }
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>): void => {
    if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
      e.preventDefault()
      run()
    }
  }
  return (
    <section className="sql-console" aria-label="SQL console">
      <form
        className="sql-form"
        onSubmit={(e) => {
          e.preventDefault()
          run()
        }}
      >
        <label className="field">
          <span>
            SQL <span className="muted">(one read-only statement on the table events; Ctrl+Enter runs)</span>
          </span>
          <textarea
            className="mono"
            rows={8}
            spellCheck={false}
            value={sql}
            onChange={(e) => setSql(e.target.value)}
            onKeyDown={onKeyDown}
          />
        </label>
        <div className="toolbar">
          <label>
            Row limit{' '}
            <input
              type="number"
              min={1}
              max={100_000}
              value={limit}
              onChange={(e) => setLimit(e.target.valueAsNumber)}
            />
          </label>
          <label>
            Timeout (s){' '}
            <input
              type="number"
              min={0.1}
              max={120}
              step="any"
              value={timeoutS}
              onChange={(e) => setTimeoutS(e.target.valueAsNumber)}
            />
          </label>
          <button type="submit" className="primary" disabled={running || !valid}>
            Run
          </button>
          {running && (
            <button type="button" onClick={() => void s.cancel()}>
              Cancel
            </button>
          )}
          <span role="status" aria-label="SQL status" className="muted">
            {running && 'running…'}
            {s.run?.state === 'cancelled' && 'cancelled'}
            {s.run?.result &&
              `${s.run.result.rows.length.toLocaleString()} rows${
                s.run.result.truncated ? ' (truncated at the limit)' : ''
              } · ${Math.round(s.run.result.took_ms).toLocaleString()} ms`}
          </span>
        </div>
      </form>
      {s.run?.error && (
        <pre className="sql-error" role="alert" aria-label="SQL error">
          {s.run.error}
        </pre>
      )}
      {s.run?.result && <SqlResult result={s.run.result} />}
    </section>
  )
}

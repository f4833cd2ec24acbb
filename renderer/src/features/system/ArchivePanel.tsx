import { useEffect } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { formatSize, formatTimeShort } from '../../components/format'
import { useAppStore } from '../../state/store'

const REFRESH_MS = 5000

const limit = (value: number, unit: (n: number) => string): string => (value === 0 ? 'none' : unit(value))

/** The DuckDB archive: how much it holds, how far behind SQLite it is, what it costs on disk. */
export const ArchivePanel = () => {
  const { status, error, load } = useAppStore(
    useShallow((s) => ({ status: s.archiveStatus, error: s.archiveError, load: s.loadArchiveStatus })),
  )
  useEffect(() => {
    void load()
    const timer = setInterval(() => void load(), REFRESH_MS)
    return () => clearInterval(timer)
  }, [load])
  return (
    <section className="panel" aria-label="Archive">
      <h2>Archive</h2>
      {error && <p className="error-text">{error}</p>}
      {status && (
        <dl className="kv archive-kv" aria-label="Archive status">
          <dt className="muted">Events archived</dt>
          <dd className="mono" aria-label="Events archived">
            {status.events.toLocaleString()}
          </dd>
          <dt className="muted">Lag</dt>
          <dd className="mono">
            {status.lag.toLocaleString()} events not yet archived (archived up to seq{' '}
            {status.watermark_seq.toLocaleString()} of {status.sqlite_newest_seq.toLocaleString()})
          </dd>
          <dt className="muted">Rate</dt>
          <dd className="mono">{status.events_per_s.toFixed(1)} events/s over the last minute</dd>
          <dt className="muted">Span</dt>
          <dd className="mono">
            {status.oldest ? formatTimeShort(status.oldest) : '—'} →{' '}
            {status.newest ? formatTimeShort(status.newest) : '—'}
          </dd>
          <dt className="muted">Disk</dt>
          <dd className="mono">
            DuckDB {formatSize(status.duckdb_bytes)} ({formatSize(status.duckdb_used_bytes)} in use) · SQLite{' '}
            {formatSize(status.sqlite_bytes)}
          </dd>
          <dt className="muted">Retention</dt>
          <dd className="mono">
            archive age {limit(status.retention.archive_max_age_days, (n) => `${n} days`)}, size{' '}
            {limit(status.retention.archive_max_bytes, formatSize)}; SQLite keeps archived events{' '}
            {status.retention.hot_days === 0 ? 'forever' : `${status.retention.hot_days} days`}
          </dd>
        </dl>
      )}
    </section>
  )
}

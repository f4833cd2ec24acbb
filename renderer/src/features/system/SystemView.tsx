import { useShallow } from 'zustand/react/shallow'
import { useAppStore } from '../../state/store'
import { ActionsPanel } from './ActionsPanel'
import { ArchivePanel } from './ArchivePanel'
import { AuditPanel } from './AuditPanel'
import { BundlesPanel } from './BundlesPanel'
import { OperatorsPanel } from './OperatorsPanel'
import { WebhooksPanel } from './WebhooksPanel'

export const SystemView = () => {
  const { info, error, transport } = useAppStore(
    useShallow((s) => ({ info: s.info, error: s.infoError, transport: s.transport.kind })),
  )
  return (
    <>
      <div className="view-header">
        <h1>System</h1>
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {info && (
        <dl className="kv" aria-label="System information">
          <dt className="muted">Version</dt>
          <dd className="mono">{info.version}</dd>
          <dt className="muted">Role</dt>
          <dd>{info.role === 'core' ? 'team core (answers the sync API)' : 'console'}</dd>
          <dt className="muted">Connected via</dt>
          <dd>{transport === 'ipc' ? 'desktop (IPC)' : 'browser (HTTP + WebSocket)'}</dd>
          <dt className="muted">Data dir</dt>
          <dd className="mono">{info.data_dir}</dd>
          <dt className="muted">Listeners</dt>
          <dd className="mono">
            {Object.entries(info.listeners).map(([name, ep]) => (
              <div key={name}>
                {name}: {ep.host}:{ep.port}
              </div>
            ))}
            {Object.keys(info.listeners).length === 0 && 'none enabled'}
          </dd>
          <dt className="muted">SQLite</dt>
          <dd className="mono">
            {info.sqlite.path} (schema v{info.sqlite.schema_version}, {info.sqlite.events.toLocaleString()}{' '}
            events)
          </dd>
          <dt className="muted">DuckDB</dt>
          <dd className="mono">
            {info.duckdb.path} (schema v{info.duckdb.schema_version}, DuckDB {info.duckdb.library_version})
          </dd>
        </dl>
      )}
      <ArchivePanel />
      <ActionsPanel />
      <WebhooksPanel />
      <OperatorsPanel />
      <BundlesPanel />
      <AuditPanel />
    </>
  )
}

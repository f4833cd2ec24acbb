import { useEffect, useState, type FormEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { FieldError } from '../../components/FieldError'
import { formatTimeShort } from '../../components/format'
import { useAppStore } from '../../state/store'
import { IntelFeedsPanel } from './IntelFeedsPanel'
import { SyncConflictCard } from './SyncConflictCard'

/** The connector: the core this console syncs with, its queue and errors, and the conflict log. */
export const SyncView = () => {
  const s = useAppStore(
    useShallow((state) => ({
      status: state.syncStatus,
      conflicts: state.syncConflicts,
      fieldErrors: state.syncFieldErrors,
      error: state.syncError,
      notice: state.syncNotice,
      busy: state.syncBusy,
      load: state.loadSync,
      connect: state.syncConnect,
      disconnect: state.syncDisconnect,
      push: state.syncPushNow,
      pull: state.syncPullNow,
    })),
  )
  const { load } = s
  useEffect(() => void load(), [load])
  const [url, setUrl] = useState('')
  const [token, setToken] = useState('')
  const [ca, setCa] = useState('')
  const [cert, setCert] = useState('')
  const [key, setKey] = useState('')
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (await s.connect({ url, token, ca_pem: ca, cert_pem: cert, key_pem: key })) {
      setToken('')
      setKey('')
    }
  }
  const status = s.status
  return (
    <>
      <div className="view-header">
        <h1>Sync</h1>
      </div>
      {s.error && (
        <p className="error" role="alert">
          {s.error}
        </p>
      )}
      <section className="panel" aria-label="Sync status">
        <h2>Status</h2>
        {status && (
          <dl className="kv" aria-label="Sync status details">
            <dt className="muted">Connector</dt>
            <dd>
              {status.configured
                ? `Connected to ${status.url ?? ''} as ${status.console_id ?? '?'} (${status.role_on_core ?? '?'})`
                : 'Not configured: this console opens no outbound connection'}
            </dd>
            <dt className="muted">This {status.role}</dt>
            <dd className="mono">{status.node_id}</dd>
            <dt className="muted">Queue depth</dt>
            <dd className="mono" aria-label="Queue depth">
              {status.queue_depth}
            </dd>
            <dt className="muted">Last success</dt>
            <dd className="mono">{status.last_success ? formatTimeShort(status.last_success) : 'never'}</dd>
            <dt className="muted">Last error</dt>
            <dd className="wrap">{status.last_error ?? 'none'}</dd>
            <dt className="muted">Next retry</dt>
            <dd className="mono">{status.next_retry ? formatTimeShort(status.next_retry) : '-'}</dd>
            <dt className="muted">Open conflicts</dt>
            <dd className="mono">{status.conflicts}</dd>
            <dt className="muted">NATS</dt>
            <dd aria-label="NATS publishing">
              {status.nats.enabled
                ? `Publishing to ${status.nats.servers.join(', ')} as site ${status.nats.site}: ${status.nats.connected ? 'connected' : 'not connected'}`
                : 'Off (nats.enabled in config.yaml)'}
            </dd>
            {status.nats.enabled && (
              <>
                <dt className="muted">NATS queue depth</dt>
                <dd className="mono" aria-label="NATS queue depth">
                  {status.nats.queue_depth}
                </dd>
                <dt className="muted">NATS last success</dt>
                <dd className="mono">
                  {status.nats.last_success ? formatTimeShort(status.nats.last_success) : 'never'}
                </dd>
                <dt className="muted">NATS last error</dt>
                <dd className="wrap">{status.nats.last_error ?? 'none'}</dd>
              </>
            )}
            <dt className="muted">Bundles</dt>
            <dd aria-label="Bundle channel">
              {status.bundles.channel
                ? 'Export-only: bundles written with --outbox carry the outbox'
                : `${status.bundles.mode} (bundles.mode in config.yaml)`}
            </dd>
            {status.bundles.channel && (
              <>
                <dt className="muted">Bundle queue depth</dt>
                <dd className="mono" aria-label="Bundle queue depth">
                  {status.bundles.queue_depth}
                </dd>
              </>
            )}
            <dt className="muted">Last bundle export</dt>
            <dd className="mono" aria-label="Last bundle export">
              {status.bundles.last_export ? formatTimeShort(status.bundles.last_export) : 'never'}
            </dd>
          </dl>
        )}
        <div className="field-row">
          <button type="button" disabled={!status?.configured || s.busy} onClick={() => void s.push()}>
            Push now
          </button>
          <button type="button" disabled={!status?.configured || s.busy} onClick={() => void s.pull()}>
            Pull now
          </button>
          {status?.configured && (
            <button type="button" onClick={() => void s.disconnect()}>
              Disconnect
            </button>
          )}
          {s.notice && (
            <span className="muted" role="status">
              {s.notice}
            </span>
          )}
        </div>
      </section>
      <section className="panel" aria-label="Connect to a core">
        <h2>{status?.configured ? 'Connect to another core' : 'Connect to a core'}</h2>
        <p className="muted">
          The core&apos;s admin makes this console&apos;s token with{' '}
          <code>outpost sync consoles add NAME --role analyst</code>.
        </p>
        <form aria-label="Connect to a core" onSubmit={(e) => void submit(e)}>
          <label className="field">
            <span>Core URL</span>
            <input
              aria-label="Core URL"
              aria-describedby="sync-url-error"
              aria-invalid={s.fieldErrors.url ? true : undefined}
              placeholder="https://core.example.org:7480"
              value={url}
              onChange={(e) => setUrl(e.target.value)}
            />
          </label>
          <FieldError id="sync-url-error" label="Core URL problem" message={s.fieldErrors.url} />
          <label className="field">
            <span>Console token (or a client certificate below)</span>
            <input
              aria-label="Console token"
              aria-describedby="sync-token-error"
              aria-invalid={s.fieldErrors.token ? true : undefined}
              type="password"
              autoComplete="off"
              value={token}
              onChange={(e) => setToken(e.target.value)}
            />
          </label>
          <FieldError id="sync-token-error" label="Console token problem" message={s.fieldErrors.token} />
          <label className="field">
            <span>CA certificate (PEM, for https; optional)</span>
            <textarea
              aria-label="CA certificate"
              aria-describedby="sync-ca-error"
              aria-invalid={s.fieldErrors.ca_pem ? true : undefined}
              rows={3}
              value={ca}
              onChange={(e) => setCa(e.target.value)}
            />
          </label>
          <FieldError id="sync-ca-error" label="CA certificate problem" message={s.fieldErrors.ca_pem} />
          <p className="muted">
            Or, for a core with a client CA (api.client_ca_file), a client certificate instead of the token:
            its CN is this console&apos;s name on the core.
          </p>
          <label className="field">
            <span>Client certificate (PEM; optional)</span>
            <textarea
              aria-label="Client certificate"
              aria-describedby="sync-cert-error"
              aria-invalid={s.fieldErrors.cert_pem ? true : undefined}
              rows={3}
              value={cert}
              onChange={(e) => setCert(e.target.value)}
            />
          </label>
          <FieldError
            id="sync-cert-error"
            label="Client certificate problem"
            message={s.fieldErrors.cert_pem}
          />
          <label className="field">
            <span>Client key (PEM, unencrypted; with the certificate)</span>
            <textarea
              aria-label="Client key"
              aria-describedby="sync-key-error"
              aria-invalid={s.fieldErrors.key_pem ? true : undefined}
              rows={3}
              autoComplete="off"
              value={key}
              onChange={(e) => setKey(e.target.value)}
            />
          </label>
          <FieldError id="sync-key-error" label="Client key problem" message={s.fieldErrors.key_pem} />
          <button type="submit" disabled={s.busy}>
            Connect
          </button>
        </form>
      </section>
      <section className="panel" aria-label="Sync conflicts">
        <h2>Conflicts</h2>
        <p className="muted">
          Both sides changed the same object. The rule kept the higher version, then the later change, then
          the greater origin; review and keep either side.
        </p>
        {s.conflicts.length === 0 && <p>No open conflicts.</p>}
        {s.conflicts.map((c) => (
          <SyncConflictCard key={c.id} conflict={c} />
        ))}
      </section>
      <IntelFeedsPanel />
    </>
  )
}

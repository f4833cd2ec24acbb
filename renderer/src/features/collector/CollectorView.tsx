import { useEffect, useState, type FormEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { ForwarderSnippets } from '../../components/ForwarderSnippets'
import { useAppStore } from '../../state/store'
import { formatAgo, formatBytes } from './format'
import { ImportPanel } from './ImportPanel'
import { MetricsPanel } from './MetricsPanel'
import { RateChart } from './RateChart'

const REFRESH_MS = 2000

/** Listeners, what each source sends (live), ingest tokens and refused input. */
export const CollectorView = () => {
  const s = useAppStore(
    useShallow((state) => ({
      stats: state.collectorStats,
      eventsTotal: state.eventsTotal,
      history: state.rateHistory,
      tokens: state.tokens,
      deadLetters: state.deadLetters,
      error: state.collectorError,
      refresh: state.refreshCollector,
      loadTokens: state.loadTokens,
      createToken: state.createToken,
      revokeToken: state.revokeToken,
      loadDeadLetters: state.loadDeadLetters,
      refreshMetrics: state.refreshMetrics,
    })),
  )
  const { refresh, loadTokens, loadDeadLetters, refreshMetrics } = s
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    void refresh()
    void loadTokens()
    void loadDeadLetters()
    void refreshMetrics()
    const timer = setInterval(() => {
      void refresh()
      void loadDeadLetters()
      void refreshMetrics()
      setNow(Date.now())
    }, REFRESH_MS)
    return () => clearInterval(timer)
  }, [refresh, loadTokens, loadDeadLetters, refreshMetrics])

  const [tokenName, setTokenName] = useState('')
  const [tokenError, setTokenError] = useState<string | null>(null)
  const onCreate = async (e: FormEvent): Promise<void> => {
    e.preventDefault()
    const error = await s.createToken(tokenName.trim())
    setTokenError(error)
    if (!error) setTokenName('')
  }

  const listeners = Object.entries(s.stats?.listeners ?? {})
  return (
    <div className="scroll">
      <div className="view-header">
        <h1>Collector</h1>
        <span className="muted">{listeners.length} listeners up</span>
      </div>
      {s.error && (
        <p className="error" role="alert">
          {s.error}
        </p>
      )}

      <section className="panel" aria-label="Listeners">
        <h2>Listeners</h2>
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Address</th>
              <th className="num">Kernel drops</th>
            </tr>
          </thead>
          <tbody>
            {listeners.map(([name, ep]) => (
              <tr key={name}>
                <td>{name}</td>
                <td className="mono">
                  {ep.host}:{ep.port}
                </td>
                <td className="num">{s.stats?.kernel_drops[name] ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">
          Turn listeners on or off and change ports in the data dir's config.yaml, then restart.
        </p>
      </section>

      {s.eventsTotal === 0 && <ForwarderSnippets />}

      <section className="panel" aria-label="Sources">
        <h2>Sources</h2>
        <RateChart history={s.history} listeners={listeners.map(([name]) => name)} />
        <table className="table">
          <thead>
            <tr>
              <th>Listener</th>
              <th>Source</th>
              <th className="num">Events</th>
              <th className="num">Events/s</th>
              <th className="num">Bytes</th>
              <th className="num">Errors</th>
              <th className="num">Drops</th>
              <th>Last seen</th>
              <th>Last error</th>
            </tr>
          </thead>
          <tbody>
            {(s.stats?.sources ?? []).map((src) => (
              <tr key={`${src.listener} ${src.source}`}>
                <td>{src.listener}</td>
                <td className="mono">{src.source}</td>
                <td className="num">{src.events.toLocaleString()}</td>
                <td className="num">{src.events_per_s.toFixed(1)}</td>
                <td className="num">{formatBytes(src.bytes)}</td>
                <td className="num">{src.errors}</td>
                <td className="num">{src.drops}</td>
                <td>{formatAgo(src.last_seen, now)}</td>
                <td className="wrap">{src.last_error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {s.stats?.sources.length === 0 && (
          <p className="muted">No source has sent anything since Outpost started.</p>
        )}
      </section>

      <ImportPanel />
      <MetricsPanel httpPort={s.stats?.listeners.http?.port} />

      <section className="panel" aria-label="Ingest tokens">
        <h2>Ingest tokens</h2>
        <p className="muted">
          Forwarders present these: Splunk HEC (<code>Authorization: Splunk &lt;token&gt;</code>). Also{' '}
          <code>outpost tokens list|create|revoke</code>.
        </p>
        <table className="table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Token</th>
              <th>Status</th>
              <th>Last used</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {s.tokens.map((t) => (
              <tr key={t.id}>
                <td>{t.name}</td>
                <td className="mono">{t.token}</td>
                <td>{t.revoked_at ? 'revoked' : 'active'}</td>
                <td>{t.last_used_at ?? 'never'}</td>
                <td>
                  {!t.revoked_at && (
                    <button
                      type="button"
                      onClick={() => void s.revokeToken(t.id)}
                      aria-label={`Revoke token ${t.name}`}
                    >
                      Revoke
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <form className="inline-form" onSubmit={(e) => void onCreate(e)}>
          <label>
            New token name{' '}
            <input
              value={tokenName}
              onChange={(e) => setTokenName(e.target.value)}
              placeholder="e.g. splunk-uf-dc01"
            />
          </label>
          <button type="submit" disabled={tokenName.trim() === ''}>
            Create token
          </button>
          {tokenError && (
            <span className="error" role="alert">
              {tokenError}
            </span>
          )}
        </form>
      </section>

      <section className="panel" aria-label="Refused input">
        <h2>Refused input</h2>
        {s.deadLetters.length === 0 ? (
          <p className="muted">Nothing refused. Input that cannot be read is kept here with the reason.</p>
        ) : (
          <table className="table">
            <thead>
              <tr>
                <th>Received</th>
                <th>Listener</th>
                <th>Source</th>
                <th>Reason</th>
                <th>Payload</th>
              </tr>
            </thead>
            <tbody>
              {s.deadLetters.map((d) => (
                <tr key={d.id}>
                  <td className="mono">{d.received_at.replace('T', ' ').slice(0, 19)}</td>
                  <td>{d.listener}</td>
                  <td className="mono">{d.source ?? ''}</td>
                  <td className="wrap">{d.reason}</td>
                  <td className="mono wrap">
                    {(d.payload ?? '').slice(0, 200)}
                    {d.truncated || (d.payload?.length ?? 0) > 200 ? '…' : ''}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </div>
  )
}

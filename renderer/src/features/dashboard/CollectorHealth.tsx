import type { CallRes } from '../../../../collector/contract'

type Stats = CallRes<'collector:stats'>

/** Per listener: where it listens, its rate, what it refused or dropped, when a peer last sent. */
export const CollectorHealth = ({ stats, now }: { stats: Stats | null; now: number }) => {
  const rows = Object.entries(stats?.listeners ?? {}).map(([name, endpoint]) => {
    const sources = stats!.sources.filter((s) => s.listener === name)
    const lastSeen = Math.max(0, ...sources.map((s) => s.last_seen))
    return {
      name,
      endpoint: `${endpoint.host}:${endpoint.port}`,
      rate: sources.reduce((sum, s) => sum + s.events_per_s, 0),
      errors: sources.reduce((sum, s) => sum + s.errors, 0),
      drops: sources.reduce((sum, s) => sum + s.drops, 0) + (stats!.kernel_drops[name] ?? 0),
      peers: sources.length,
      idleS: lastSeen > 0 ? Math.max(0, Math.round((now - lastSeen) / 1000)) : null,
    }
  })
  return (
    <section className="dash-panel dash-wide dash-scroll" aria-label="Collector health">
      <h2>Collector health</h2>
      {rows.length === 0 ? (
        <p className="muted">{stats ? 'No listener enabled.' : 'Loading…'}</p>
      ) : (
        <table className="table" aria-label="Listeners">
          <thead>
            <tr>
              <th>Listener</th>
              <th className="num">Events/s</th>
              <th className="num">Peers</th>
              <th className="num">Errors</th>
              <th className="num">Drops</th>
              <th>Last seen</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.name} data-health={r.errors + r.drops > 0 ? 'warn' : 'ok'}>
                <td>
                  {r.name} <span className="muted mono">{r.endpoint}</span>
                </td>
                <td className="num">{r.rate.toFixed(1)}</td>
                <td className="num">{r.peers}</td>
                <td className={r.errors > 0 ? 'num error-text' : 'num'}>{r.errors.toLocaleString()}</td>
                <td className={r.drops > 0 ? 'num error-text' : 'num'}>{r.drops.toLocaleString()}</td>
                <td className="muted">{r.idleS === null ? 'never' : `${r.idleS.toLocaleString()} s ago`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

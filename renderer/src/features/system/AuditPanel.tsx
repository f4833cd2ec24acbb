import { useState } from 'react'
import type { AuditEntry, CallRes } from '../../../../collector/contract'
import { useAppStore } from '../../state/store'

type Verdict = CallRes<'audit:verify'>

/** The audit log: its newest entries and a check of the whole hash chain. */
export const AuditPanel = () => {
  const transport = useAppStore((s) => s.transport)
  const [verdict, setVerdict] = useState<Verdict | null>(null)
  const [entries, setEntries] = useState<AuditEntry[] | null>(null)
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const verify = async (): Promise<void> => {
    setBusy(true)
    setError(null)
    const [checked, listed] = await Promise.all([
      transport.invoke('audit:verify', {}),
      transport.invoke('audit:list', { limit: 20 }),
    ])
    setBusy(false)
    if (!checked.ok) return setError(checked.error.message)
    setVerdict(checked.value)
    if (listed.ok) setEntries(listed.value.entries)
  }

  return (
    <section className="panel" aria-label="Audit log">
      <h2>Audit log</h2>
      <p className="muted">
        Every change made through Outpost, append-only, each entry chained to the previous by SHA-256 (also{' '}
        <code>outpost audit verify</code>).
      </p>
      <button type="button" onClick={() => void verify()} disabled={busy}>
        {busy ? 'Verifying…' : 'Verify audit log'}
      </button>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {verdict && (
        <p role="status" className={verdict.intact ? 'ok' : 'error'}>
          {verdict.intact
            ? `Intact: ${verdict.entries.toLocaleString()} entries`
            : `Broken at entry ${verdict.broken?.seq ?? '?'}: ${verdict.broken?.reason ?? ''}`}
        </p>
      )}
      {entries && entries.length > 0 && (
        <table className="table" aria-label="Newest audit entries">
          <thead>
            <tr>
              <th>#</th>
              <th>When</th>
              <th>Who</th>
              <th>What</th>
              <th>Object</th>
            </tr>
          </thead>
          <tbody>
            {entries.map((e) => (
              <tr key={e.seq}>
                <td className="mono">{e.seq}</td>
                <td className="mono">{e.at}</td>
                <td>{e.actor}</td>
                <td>{e.action}</td>
                <td className="mono wrap">
                  {e.object_type}
                  {e.object_id ? ` ${e.object_id}` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}

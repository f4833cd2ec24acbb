import type { SyncConflict } from '../../../../collector/contract'
import { formatTimeShort } from '../../components/format'
import { useAppStore } from '../../state/store'

const Side = ({ title, record, kept }: { title: string; record: SyncConflict['local']; kept: boolean }) => (
  <div className="grow">
    <h4>
      {title} {kept && <span className="muted">(kept by the rule)</span>}
    </h4>
    <p className="muted mono">
      v{record.version} · {formatTimeShort(record.updated_at)} · {record.origin}
    </p>
    <pre className="mono wrap" aria-label={`${title} version`}>
      {JSON.stringify(record.body, null, 2)}
    </pre>
  </div>
)

/** An incident's fields sit under `incident`; an alert's at the top. */
const fieldsOf = (record: SyncConflict['local']): Record<string, unknown> => {
  const inner = record.body.incident
  return inner !== null && typeof inner === 'object' ? (inner as Record<string, unknown>) : record.body
}
const shown = (value: unknown): string =>
  value === null || value === undefined ? '—' : typeof value === 'string' ? value : JSON.stringify(value)

/**
 * A core's merge kept both sides' comments and observables; these fields both analysts changed.
 * The merged incident is here already with the rule's value: keep it, or put ours back.
 */
const Clashes = ({ conflict, clashes }: { conflict: SyncConflict; clashes: readonly string[] }) => {
  const local = fieldsOf(conflict.local)
  const remote = fieldsOf(conflict.remote)
  return (
    <table className="table" aria-label="Changed on both sides">
      <thead>
        <tr>
          <th>Changed on both sides</th>
          <th>Local</th>
          <th>Merged (now on both)</th>
        </tr>
      </thead>
      <tbody>
        {clashes.map((field) => (
          <tr key={field}>
            <td>{field}</td>
            <td className="mono">{shown(local[field])}</td>
            <td className="mono">{shown(remote[field])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  )
}

/** One conflict: the console's version and the core's side by side, and the two ways out. */
export const SyncConflictCard = ({ conflict }: { conflict: SyncConflict }) => {
  const resolve = useAppStore((s) => s.syncResolve)
  const name = `${conflict.kind} ${conflict.object_id}`
  return (
    <article className="panel" aria-label={`Conflict on ${name}`}>
      <h3>
        {conflict.kind} <span className="mono">{conflict.object_id}</span>
      </h3>
      {conflict.remote.clashes && conflict.remote.clashes.length > 0 && (
        <Clashes conflict={conflict} clashes={conflict.remote.clashes} />
      )}
      <div className="field-row">
        <Side title="Local" record={conflict.local} kept={conflict.winner === 'local'} />
        <Side title="Remote" record={conflict.remote} kept={conflict.winner === 'remote'} />
      </div>
      <div className="field-row">
        <button
          type="button"
          aria-label={`Keep local for ${name}`}
          onClick={() => void resolve(conflict.id, 'local')}
        >
          Keep local
        </button>
        <button
          type="button"
          aria-label={`Take remote for ${name}`}
          onClick={() => void resolve(conflict.id, 'remote')}
        >
          Take remote
        </button>
      </div>
    </article>
  )
}

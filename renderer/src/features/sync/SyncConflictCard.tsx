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

/** One conflict: the console's version and the core's side by side, and the two ways out. */
export const SyncConflictCard = ({ conflict }: { conflict: SyncConflict }) => {
  const resolve = useAppStore((s) => s.syncResolve)
  const name = `${conflict.kind} ${conflict.object_id}`
  return (
    <article className="panel" aria-label={`Conflict on ${name}`}>
      <h3>
        {conflict.kind} <span className="mono">{conflict.object_id}</span>
      </h3>
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

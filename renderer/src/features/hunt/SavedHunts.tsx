import { useEffect, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { routeHref } from '../../app/use-route'
import { formatTimeShort } from '../../components/format'
import { useAppStore } from '../../state/store'

const go = (hash: string): void => {
  window.location.hash = hash
}

/** The draft hunts:to-sigma made, when it came with warnings: read them, copy or open it. */
const SigmaDraftPanel = () => {
  const { draft, open, close } = useAppStore(
    useShallow((s) => ({ draft: s.sigmaDraft, open: s.openSigmaDraft, close: s.closeSigmaDraft })),
  )
  const [copied, setCopied] = useState(false)
  if (!draft) return null
  return (
    <section className="panel sigma-draft" aria-label="Sigma draft">
      <h2>Sigma draft: {draft.title}</h2>
      <ul className="problems" aria-label="Sigma draft warnings">
        {draft.warnings.map((w) => (
          <li key={w}>{w}</li>
        ))}
      </ul>
      <pre className="mono">{draft.yaml}</pre>
      <div className="toolbar">
        <button
          type="button"
          className="primary"
          onClick={() => {
            open()
            go(routeHref('rules'))
          }}
        >
          Open in the rule editor
        </button>
        <button
          type="button"
          onClick={() => {
            void navigator.clipboard.writeText(draft.yaml).then(() => setCopied(true))
          }}
        >
          {copied ? 'Copied' : 'Copy YAML'}
        </button>
        <button type="button" onClick={close}>
          Close
        </button>
      </div>
    </section>
  )
}

/** Saved hunts: the bar's query kept by name, run on demand or every few minutes by the core. */
export const SavedHunts = () => {
  const s = useAppStore(
    useShallow((state) => ({
      hunts: state.savedHunts,
      error: state.savedHuntsError,
      query: state.huntQuery,
      load: state.loadSavedHunts,
      save: state.saveHunt,
      run: state.runSavedHunt,
      remove: state.deleteSavedHunt,
      toSigma: state.huntToSigma,
    })),
  )
  const { load } = s
  useEffect(() => {
    void load()
  }, [load])
  const [name, setName] = useState('')
  const [schedule, setSchedule] = useState('')
  const minutes = schedule.trim() === '' ? null : Number(schedule)
  const scheduleValid = minutes === null || (Number.isInteger(minutes) && minutes >= 1 && minutes <= 10_080)

  return (
    <section className="saved-hunts" aria-label="Saved hunts">
      <form
        className="action-form"
        aria-label="Save the current query"
        onSubmit={(e) => {
          e.preventDefault()
          void s.save(name.trim(), minutes).then((saved) => {
            if (saved) {
              setName('')
              setSchedule('')
            }
          })
        }}
      >
        <span className="muted">
          Current query: <span className="mono">{s.query.trim() || '(every event)'}</span>
        </span>
        <label>
          Name <input value={name} onChange={(e) => setName(e.target.value)} required maxLength={200} />
        </label>
        <label>
          Every (minutes){' '}
          <input
            type="number"
            min={1}
            max={10_080}
            value={schedule}
            placeholder="on demand"
            onChange={(e) => setSchedule(e.target.value)}
          />
        </label>
        <button type="submit" disabled={!name.trim() || !scheduleValid}>
          Save hunt
        </button>
      </form>
      {s.error && (
        <p className="error" role="alert">
          {s.error}
        </p>
      )}
      <SigmaDraftPanel />
      <div className="panel">
        {s.hunts.length === 0 ? (
          <p className="muted">No saved hunts yet.</p>
        ) : (
          <table className="table" aria-label="Saved hunts list">
            <thead>
              <tr>
                <th>Name</th>
                <th>Query</th>
                <th>Range</th>
                <th>Schedule</th>
                <th>Last run (UTC)</th>
                <th className="num">Last count</th>
                <th>Actions</th>
              </tr>
            </thead>
            <tbody>
              {s.hunts.map((hunt) => (
                <tr key={hunt.id}>
                  <td>{hunt.name}</td>
                  <td className="mono wrap">{hunt.query || '(every event)'}</td>
                  <td className="mono">
                    {hunt.from ?? '…'} → {hunt.to ?? 'now'}
                  </td>
                  <td>
                    {hunt.schedule_minutes === null ? 'on demand' : `every ${hunt.schedule_minutes} min`}
                  </td>
                  <td className="mono">{hunt.last_run_at ? formatTimeShort(hunt.last_run_at) : '—'}</td>
                  <td className="num">{hunt.last_count?.toLocaleString() ?? '—'}</td>
                  <td>
                    <button
                      type="button"
                      aria-label={`Run ${hunt.name}`}
                      onClick={() => {
                        go(routeHref('hunt'))
                        void s.run(hunt.id)
                      }}
                    >
                      Run
                    </button>{' '}
                    <button
                      type="button"
                      aria-label={`Make Sigma draft of ${hunt.name}`}
                      onClick={() =>
                        void s
                          .toSigma(hunt.query, hunt.name)
                          .then((opened) => opened && go(routeHref('rules')))
                      }
                    >
                      Make Sigma draft
                    </button>{' '}
                    <button
                      type="button"
                      className="danger"
                      aria-label={`Delete ${hunt.name}`}
                      onClick={() =>
                        window.confirm(`Delete the saved hunt “${hunt.name}”?`) && void s.remove(hunt.id)
                      }
                    >
                      Delete
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
    </section>
  )
}

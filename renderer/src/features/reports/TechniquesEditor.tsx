import { useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useAppStore } from '../../state/store'

/** ATT&CK technique ids: typed, or picked from those on recent alerts; named when a set is imported. */
export const TechniquesEditor = () => {
  const s = useAppStore(
    useShallow((state) => ({
      techniques: state.reportDraft?.techniques ?? [],
      error: state.reportDraft?.fieldErrors.techniques,
      names: state.techniqueNames,
      fromAlerts: state.alertTechniques,
      add: state.addTechnique,
      remove: state.removeTechnique,
      loadFromAlerts: state.loadAlertTechniques,
    })),
  )
  const [id, setId] = useState('')
  const [picking, setPicking] = useState(false)
  const offered = (s.fromAlerts ?? []).filter((t) => !s.techniques.includes(t))
  return (
    <section className="panel" aria-label="Techniques">
      <h3>ATT&amp;CK techniques</h3>
      <ul className="chips" aria-label="Report techniques">
        {s.techniques.map((t) => (
          <li key={t} className="chip">
            <span className="mono">{t}</span>
            {s.names[t] && <span className="muted"> {s.names[t]}</span>}
            <button type="button" className="link" aria-label={`Remove ${t}`} onClick={() => s.remove(t)}>
              ×
            </button>
          </li>
        ))}
      </ul>
      <form
        className="inline-form"
        onSubmit={(e) => {
          e.preventDefault()
          if (s.add(id)) setId('')
        }}
      >
        <input
          aria-label="Technique id"
          placeholder="T1059.001"
          value={id}
          aria-invalid={s.error ? true : undefined}
          onChange={(e) => setId(e.target.value)}
        />
        <button type="submit">Add technique</button>
        <button
          type="button"
          aria-expanded={picking}
          onClick={() => {
            if (!picking) void s.loadFromAlerts()
            setPicking(!picking)
          }}
        >
          Add techniques from alerts…
        </button>
      </form>
      {s.error && (
        <p className="error-text" role="alert">
          {s.error}
        </p>
      )}
      {picking && (
        <div aria-label="Techniques from alerts" role="group">
          {s.fromAlerts === null ? (
            <span className="muted">loading…</span>
          ) : offered.length === 0 ? (
            <span className="muted">No other techniques on recent alerts.</span>
          ) : (
            <>
              {offered.map((t) => (
                <button key={t} type="button" onClick={() => s.add(t)}>
                  + <span className="mono">{t}</span>
                  {s.names[t] && <span className="muted"> {s.names[t]}</span>}
                </button>
              ))}
              <button type="button" onClick={() => offered.forEach((t) => s.add(t))}>
                Add all
              </button>
            </>
          )}
        </div>
      )}
    </section>
  )
}

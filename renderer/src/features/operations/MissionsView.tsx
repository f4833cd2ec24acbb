import { useEffect, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { formatTimeShort } from '../../components/format'
import { MISSION_STATUSES, type MissionStatus } from '../../state/operations-slice'
import { useAppStore } from '../../state/store'
import { MISSION_STATUS_LABEL, operationHref } from './labels'

const QUERY_DEBOUNCE_MS = 250

/** Every mission across operations: who does what by when, the overdue ones first to see. */
export const MissionsView = () => {
  const s = useAppStore(
    useShallow((state) => ({
      missions: state.allMissions,
      filter: state.allMissionsFilter,
      error: state.allMissionsError ?? state.missionsError,
      load: state.loadAllMissions,
      setFilter: state.setAllMissionsFilter,
      setStatus: state.setMissionStatus,
      operations: state.operationChoices,
      loadOperations: state.loadOperationChoices,
    })),
  )
  const { load, loadOperations, filter, setFilter } = s
  useEffect(() => {
    void load()
    void loadOperations()
  }, [load, loadOperations])
  const [text, setText] = useState({ query: filter.query, assignee: filter.assignee })
  useEffect(() => {
    if (text.query === filter.query && text.assignee === filter.assignee) return
    const timer = setTimeout(() => void setFilter(text), QUERY_DEBOUNCE_MS)
    return () => clearTimeout(timer)
  }, [text, filter.query, filter.assignee, setFilter])
  const nameOf = new Map(s.operations.map((o) => [o.id, o.name]))
  const overdue = s.missions.filter((m) => m.overdue).length

  return (
    <>
      <div className="view-header">
        <h1>Missions</h1>
        <span className="muted" aria-label="Missions shown">
          {s.missions.length.toLocaleString()} {s.missions.length === 1 ? 'mission' : 'missions'}
          {overdue > 0 && `, ${overdue.toLocaleString()} overdue`}
        </span>
      </div>
      <div className="filters" role="search" aria-label="Mission filters">
        <input
          type="search"
          aria-label="Search missions"
          placeholder="Search title, objective…"
          value={text.query}
          onChange={(e) => setText({ ...text, query: e.target.value })}
        />
        <label>
          <span className="muted">Assignee </span>
          <input value={text.assignee} onChange={(e) => setText({ ...text, assignee: e.target.value })} />
        </label>
        <label>
          <span className="muted">Status </span>
          <select
            value={filter.status ?? ''}
            onChange={(e) =>
              void setFilter({ status: e.target.value === '' ? null : (e.target.value as MissionStatus) })
            }
          >
            <option value="">any</option>
            {MISSION_STATUSES.map((status) => (
              <option key={status} value={status}>
                {MISSION_STATUS_LABEL[status]}
              </option>
            ))}
          </select>
        </label>
        <label className="chip">
          <input
            type="checkbox"
            checked={filter.overdue}
            onChange={() => void setFilter({ overdue: !filter.overdue })}
          />
          Overdue only
        </label>
      </div>
      {s.error && (
        <p className="error" role="alert">
          {s.error}
        </p>
      )}
      {s.missions.length === 0 ? (
        <section className="empty" aria-label="No missions">
          <h2>No missions</h2>
          <p className="muted">
            {filter.query || filter.assignee || filter.status || filter.overdue
              ? 'Nothing matches these filters.'
              : 'Missions are added to an operation in the Operations view.'}
          </p>
        </section>
      ) : (
        <div className="table-scroll">
          <table className="table" aria-label="All missions">
            <thead>
              <tr>
                <th>Title</th>
                <th>Operation</th>
                <th>Assignee</th>
                <th>Priority</th>
                <th>Due (UTC)</th>
                <th>Status</th>
                <th>Checklist</th>
              </tr>
            </thead>
            <tbody>
              {s.missions.map((m) => (
                <tr key={m.id}>
                  <td>
                    {m.title}{' '}
                    {m.overdue && (
                      <span className="status-badge" data-status="overdue">
                        Overdue
                      </span>
                    )}
                  </td>
                  <td>
                    <a href={operationHref(m.operation_id)}>{nameOf.get(m.operation_id) ?? m.operation_id}</a>
                  </td>
                  <td>{m.assignee ?? '—'}</td>
                  <td>{m.priority}</td>
                  <td className="mono">{m.due_at ? formatTimeShort(m.due_at) : '—'}</td>
                  <td>
                    <select
                      aria-label={`Status of ${m.title}`}
                      value={m.status}
                      onChange={(e) => void s.setStatus(m.id, e.target.value as MissionStatus)}
                    >
                      {MISSION_STATUSES.map((status) => (
                        <option key={status} value={status}>
                          {MISSION_STATUS_LABEL[status]}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td className="muted">
                    {m.checklist.filter((c) => c.done).length}/{m.checklist.length}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  )
}

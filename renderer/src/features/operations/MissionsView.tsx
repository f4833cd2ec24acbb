import { useCallback, useEffect } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { ChoiceFilter, SearchBox, useDebouncedText } from '../../components/filters'
import { formatTimeShort } from '../../components/format'
import { MISSION_STATUSES, type MissionStatus } from '../../state/operations-slice'
import { useAppStore } from '../../state/store'
import { MISSION_STATUS_LABEL, operationHref } from './labels'

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
  const [query, setQuery] = useDebouncedText(
    filter.query,
    useCallback((query: string) => void setFilter({ query }), [setFilter]),
  )
  const [assignee, setAssignee] = useDebouncedText(
    filter.assignee,
    useCallback((assignee: string) => void setFilter({ assignee }), [setFilter]),
  )
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
        <SearchBox
          label="Search missions"
          placeholder="Search title, objective…"
          value={query}
          onChange={setQuery}
        />
        <label>
          <span className="muted">Assignee </span>
          <input value={assignee} onChange={(e) => setAssignee(e.target.value)} />
        </label>
        <ChoiceFilter
          label="Status"
          value={filter.status}
          options={MISSION_STATUSES}
          labels={MISSION_STATUS_LABEL}
          onChange={(status) => void setFilter({ status })}
        />
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

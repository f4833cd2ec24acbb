import { Fragment, useCallback, useEffect, useState, type FormEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { Operation, Tlp } from '../../../../collector/contract'
import { formatTimeShort } from '../../components/format'
import {
  MISSION_STATUSES,
  type MissionStatus,
  type OperationStatus,
  type Priority,
} from '../../state/operations-slice'
import { useRouteParam } from '../../app/use-route'
import { ChoiceFilter, SearchBox, useDebouncedText } from '../../components/filters'
import { useAppStore } from '../../state/store'
import { TLPS, TLP_LABEL } from '../reports/labels'
import { TlpBadge } from '../reports/TlpBadge'
import { MISSION_STATUS_LABEL } from './labels'
import { MissionEditor } from './MissionEditor'
import { fromLocalInput, toLocalInput } from './time-input'

const OPERATION_STATUSES: OperationStatus[] = ['planned', 'active', 'suspended', 'closed']
const PRIORITIES: Priority[] = ['low', 'medium', 'high', 'critical']

type OperationForm = {
  name: string
  objective: string
  status: OperationStatus
  starts_at: string
  ends_at: string
  lead: string
  classification: string
  tlp: Tlp
}
const formFrom = (op: Operation | null): OperationForm => ({
  name: op?.name ?? '',
  objective: op?.objective ?? '',
  status: op?.status ?? 'planned',
  starts_at: toLocalInput(op?.starts_at ?? null),
  ends_at: toLocalInput(op?.ends_at ?? null),
  lead: op?.lead ?? '',
  classification: op?.classification ?? '',
  tlp: op?.tlp ?? 'amber',
})

const OperationEditor = ({ operation }: { operation: Operation | null }) => {
  const { save, error } = useAppStore(
    useShallow((s) => ({ save: s.saveOperation, error: s.operationFormError })),
  )
  const [form, setForm] = useState(() => formFrom(operation))
  const edit = (patch: Partial<OperationForm>) => setForm((f) => ({ ...f, ...patch }))
  const submit = (e: FormEvent) => {
    e.preventDefault()
    void save({
      name: form.name,
      objective: form.objective,
      status: form.status,
      starts_at: fromLocalInput(form.starts_at),
      ends_at: fromLocalInput(form.ends_at),
      lead: form.lead.trim() || null,
      classification: form.classification.trim() || null,
      tlp: form.tlp,
    })
  }
  return (
    <form className="operation-form" aria-label="Operation" onSubmit={submit}>
      <label>
        Name <input value={form.name} onChange={(e) => edit({ name: e.target.value })} />
      </label>
      <label>
        Objective <textarea value={form.objective} onChange={(e) => edit({ objective: e.target.value })} />
      </label>
      <label>
        Status{' '}
        <select
          aria-label="Status"
          value={form.status}
          onChange={(e) => edit({ status: e.target.value as OperationStatus })}
        >
          {OPERATION_STATUSES.map((status) => (
            <option key={status} value={status}>
              {status}
            </option>
          ))}
        </select>
      </label>
      <label>
        Starts{' '}
        <input
          aria-label="Starts"
          type="datetime-local"
          value={form.starts_at}
          onChange={(e) => edit({ starts_at: e.target.value })}
        />
      </label>
      <label>
        Ends{' '}
        <input
          aria-label="Ends"
          type="datetime-local"
          value={form.ends_at}
          onChange={(e) => edit({ ends_at: e.target.value })}
        />
      </label>
      <label>
        Lead <input value={form.lead} onChange={(e) => edit({ lead: e.target.value })} />
      </label>
      <label>
        Classification{' '}
        <input value={form.classification} onChange={(e) => edit({ classification: e.target.value })} />
      </label>
      <label>
        TLP{' '}
        <select aria-label="TLP" value={form.tlp} onChange={(e) => edit({ tlp: e.target.value as Tlp })}>
          {TLPS.map((tlp) => (
            <option key={tlp} value={tlp}>
              {TLP_LABEL[tlp]}
            </option>
          ))}
        </select>
      </label>
      {error && (
        <p className="error" role="alert" aria-label="Operation problem">
          {error}
        </p>
      )}
      <button type="submit">Save</button>
    </form>
  )
}

const NewMissionForm = () => {
  const { create, error } = useAppStore(
    useShallow((s) => ({ create: s.createMission, error: s.missionFormError })),
  )
  const [title, setTitle] = useState('')
  const [assignee, setAssignee] = useState('')
  const [priority, setPriority] = useState<Priority>('medium')
  const [due, setDue] = useState('')
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const ok = await create({
      title,
      assignee: assignee.trim() || null,
      priority,
      due_at: fromLocalInput(due),
    })
    if (ok) {
      setTitle('')
      setAssignee('')
      setDue('')
    }
  }
  return (
    <form className="mission-form" aria-label="New mission" onSubmit={(e) => void submit(e)}>
      <label>
        Mission title <input value={title} onChange={(e) => setTitle(e.target.value)} />
      </label>
      <label>
        Assignee <input value={assignee} onChange={(e) => setAssignee(e.target.value)} />
      </label>
      <label>
        Priority{' '}
        <select
          aria-label="Priority"
          value={priority}
          onChange={(e) => setPriority(e.target.value as Priority)}
        >
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <label>
        Due{' '}
        <input aria-label="Due" type="datetime-local" value={due} onChange={(e) => setDue(e.target.value)} />
      </label>
      <button type="submit">Add mission</button>
      {error && (
        <p className="error" role="alert" aria-label="Mission problem">
          {error}
        </p>
      )}
    </form>
  )
}

const MissionsTable = () => {
  const { missions, error, setStatus, toggle, loadIncidents } = useAppStore(
    useShallow((s) => ({
      missions: s.missions,
      error: s.missionsError,
      setStatus: s.setMissionStatus,
      toggle: s.toggleChecklistItem,
      loadIncidents: s.loadIncidents,
    })),
  )
  const [editing, setEditing] = useState<string | null>(null)
  useEffect(() => void loadIncidents(), [loadIncidents])
  return (
    <>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <table aria-label="Missions">
        <thead>
          <tr>
            <th>Title</th>
            <th>Assignee</th>
            <th>Priority</th>
            <th>Due</th>
            <th>Status</th>
            <th>Checklist</th>
            <th>Links</th>
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {missions.map((m) => (
            <Fragment key={m.id}>
              <tr>
                <td>
                  {m.title}{' '}
                  {m.overdue && (
                    <span className="status-badge" data-status="overdue">
                      Overdue
                    </span>
                  )}
                </td>
                <td>{m.assignee ?? '—'}</td>
                <td>{m.priority}</td>
                <td className="mono">{m.due_at ? formatTimeShort(m.due_at) : '—'}</td>
                <td>
                  <select
                    aria-label={`Status of ${m.title}`}
                    value={m.status}
                    onChange={(e) => void setStatus(m.id, e.target.value as MissionStatus)}
                  >
                    {MISSION_STATUSES.map((status) => (
                      <option key={status} value={status}>
                        {MISSION_STATUS_LABEL[status]}
                      </option>
                    ))}
                  </select>
                </td>
                <td>
                  <span className="muted">
                    {m.checklist.filter((c) => c.done).length}/{m.checklist.length}
                  </span>
                  {m.checklist.map((item, i) => (
                    <label key={i} className="checklist-item">
                      <input type="checkbox" checked={item.done} onChange={() => void toggle(m.id, i)} />{' '}
                      {item.text}
                    </label>
                  ))}
                </td>
                <td className="muted">
                  {m.incidents.length} {m.incidents.length === 1 ? 'incident' : 'incidents'},{' '}
                  {m.assets.length} {m.assets.length === 1 ? 'asset' : 'assets'}
                </td>
                <td>
                  <button
                    type="button"
                    aria-expanded={editing === m.id}
                    onClick={() => setEditing(editing === m.id ? null : m.id)}
                  >
                    Edit<span className="visually-hidden"> {m.title}</span>
                  </button>
                </td>
              </tr>
              {editing === m.id && (
                <tr>
                  <td colSpan={8}>
                    <MissionEditor mission={m} onDone={() => setEditing(null)} />
                  </td>
                </tr>
              )}
            </Fragment>
          ))}
        </tbody>
      </table>
    </>
  )
}

/** Operations and their missions: the period, lead, TLP; who does what by when. */
export const OperationsView = () => {
  const s = useAppStore(
    useShallow((state) => ({
      operations: state.operations,
      loading: state.operationsLoading,
      error: state.operationsError,
      selectedId: state.selectedOperationId,
      isNew: state.operationNew,
      load: state.loadOperations,
      select: state.selectOperation,
      newOperation: state.newOperation,
      filter: state.operationsFilter,
      setFilter: state.setOperationsFilter,
      reports: state.operationReports,
      incidents: state.operationIncidents,
    })),
  )
  const { load, filter, setFilter, select } = s
  useEffect(() => void load(), [load])
  // #/operations?id=… (links from missions, incidents, reports) selects that operation.
  const linked = useRouteParam('id')
  useEffect(() => {
    if (linked) void select(linked)
  }, [linked, select])
  const [query, setQuery] = useDebouncedText(
    filter.query,
    useCallback((query: string) => void setFilter({ query }), [setFilter]),
  )
  const selected = s.operations.find((o) => o.id === s.selectedId) ?? null

  return (
    <>
      <div className="view-header">
        <h1>Operations</h1>
        {s.loading && <span className="muted">loading…</span>}
        <span className="spacer" />
        <button type="button" onClick={s.newOperation}>
          New operation
        </button>
      </div>
      {s.error && (
        <p className="error" role="alert">
          {s.error}
        </p>
      )}
      <div className="filters" role="search" aria-label="Operation filters">
        <SearchBox
          label="Search operations"
          placeholder="Search name, objective, lead…"
          value={query}
          onChange={setQuery}
        />
        <ChoiceFilter
          label="Status"
          value={filter.status}
          options={OPERATION_STATUSES}
          onChange={(status) => void setFilter({ status })}
        />
      </div>
      <div className="reports-layout">
        <ul className="reports-list" aria-label="Operations">
          {s.operations.map((o) => (
            <li key={o.id} aria-current={o.id === s.selectedId ? 'true' : undefined}>
              <button type="button" className="report-item" onClick={() => void s.select(o.id)}>
                <span className="report-title">{o.name}</span>
                <span className="report-meta">
                  <span className="status-badge" data-status={o.status}>
                    {o.status}
                  </span>
                  <TlpBadge tlp={o.tlp} />
                  <span className="muted">{o.open_missions} open</span>
                  <span className="muted">{o.overdue_missions} overdue</span>
                </span>
              </button>
            </li>
          ))}
        </ul>
        <section className="operation-detail" aria-label="Operation detail">
          {selected || s.isNew ? (
            <>
              <OperationEditor key={selected?.id ?? 'new'} operation={selected} />
              {selected && (
                <>
                  <h2>Missions</h2>
                  <MissionsTable />
                  <NewMissionForm key={selected.id} />
                  <h2>Incidents</h2>
                  {s.incidents.length === 0 ? (
                    <p className="muted">
                      No incident is tied to this operation; pick it in the incident&apos;s case.
                    </p>
                  ) : (
                    <ul className="link-list" aria-label="Incidents of this operation">
                      {s.incidents.map((i) => (
                        <li key={i.id}>
                          <a href={`#/incidents?id=${encodeURIComponent(i.id)}`}>{i.title}</a>{' '}
                          <span className="muted">
                            {i.severity} · {i.status}
                          </span>
                        </li>
                      ))}
                    </ul>
                  )}
                  <h2>Reports</h2>
                  {s.reports.length === 0 ? (
                    <p className="muted">
                      No report is tied to this operation; pick it in a report&apos;s Links.
                    </p>
                  ) : (
                    <ul className="link-list" aria-label="Reports of this operation">
                      {s.reports.map((r) => (
                        <li key={r.id}>
                          <a href={`#/reports?id=${encodeURIComponent(r.id)}`}>{r.title}</a>{' '}
                          <span className="status-badge" data-status={r.status}>
                            {r.status}
                          </span>{' '}
                          <TlpBadge tlp={r.tlp} />
                        </li>
                      ))}
                    </ul>
                  )}
                </>
              )}
            </>
          ) : (
            <p className="muted">Choose an operation, or start a New operation.</p>
          )}
        </section>
      </div>
    </>
  )
}

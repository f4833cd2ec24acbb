import { useState, type FormEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { Mission } from '../../../../collector/contract'
import type { Priority } from '../../state/operations-slice'
import { useAppStore } from '../../state/store'
import { LinkedIncidents } from '../incidents/LinkedIncidents'
import { fromLocalInput, toLocalInput } from './time-input'

const PRIORITIES: Priority[] = ['low', 'medium', 'high', 'critical']

type Form = {
  title: string
  objective: string
  assignee: string
  priority: Priority
  due: string
  checklist: Mission['checklist']
  incidents: string[]
  assets: string
}
const formFrom = (m: Mission): Form => ({
  title: m.title,
  objective: m.objective,
  assignee: m.assignee ?? '',
  priority: m.priority,
  due: toLocalInput(m.due_at),
  checklist: m.checklist,
  incidents: m.incidents,
  assets: m.assets.join(', '),
})

/** One mission's fields, its checklist and what it is about (incidents, assets); refusals show above the table. */
export const MissionEditor = ({ mission, onDone }: { mission: Mission; onDone: () => void }) => {
  const { save, incidents } = useAppStore(
    useShallow((s) => ({ save: s.editMission, incidents: s.incidents })),
  )
  const [form, setForm] = useState(() => formFrom(mission))
  const [item, setItem] = useState('')
  const edit = (patch: Partial<Form>) => setForm((f) => ({ ...f, ...patch }))

  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const ok = await save(mission.id, {
      title: form.title,
      objective: form.objective,
      assignee: form.assignee.trim() || null,
      priority: form.priority,
      due_at: fromLocalInput(form.due),
      checklist: form.checklist,
      incidents: form.incidents,
      assets: form.assets
        .split(',')
        .map((a) => a.trim())
        .filter(Boolean),
    })
    if (ok) onDone()
  }
  const addItem = () => {
    if (!item.trim()) return
    edit({ checklist: [...form.checklist, { text: item.trim(), done: false }] })
    setItem('')
  }

  return (
    <form className="mission-editor" aria-label={`Edit ${mission.title}`} onSubmit={(e) => void submit(e)}>
      <label>
        Title <input value={form.title} onChange={(e) => edit({ title: e.target.value })} />
      </label>
      <label className="wide">
        Objective <textarea value={form.objective} onChange={(e) => edit({ objective: e.target.value })} />
      </label>
      <label>
        Assignee <input value={form.assignee} onChange={(e) => edit({ assignee: e.target.value })} />
      </label>
      <label>
        Priority{' '}
        <select value={form.priority} onChange={(e) => edit({ priority: e.target.value as Priority })}>
          {PRIORITIES.map((p) => (
            <option key={p} value={p}>
              {p}
            </option>
          ))}
        </select>
      </label>
      <label>
        Due <input type="datetime-local" value={form.due} onChange={(e) => edit({ due: e.target.value })} />
      </label>
      <fieldset className="wide">
        <legend>Checklist</legend>
        <ul className="link-list">
          {form.checklist.map((c, i) => (
            <li key={i}>
              <label className="checklist-item">
                <input
                  type="checkbox"
                  checked={c.done}
                  onChange={() =>
                    edit({
                      checklist: form.checklist.map((x, j) => (j === i ? { ...x, done: !x.done } : x)),
                    })
                  }
                />{' '}
                {c.text}
              </label>{' '}
              <button
                type="button"
                aria-label={`Remove ${c.text}`}
                onClick={() => edit({ checklist: form.checklist.filter((_, j) => j !== i) })}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
        <span className="inline-form">
          <input
            aria-label="New checklist item"
            value={item}
            onChange={(e) => setItem(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === 'Enter') {
                e.preventDefault()
                addItem()
              }
            }}
          />
          <button type="button" onClick={addItem}>
            Add item
          </button>
        </span>
      </fieldset>
      <fieldset className="wide">
        <legend id={`${mission.id}-incidents`}>Incidents</legend>
        <LinkedIncidents
          ids={form.incidents}
          incidents={incidents}
          labelledBy={`${mission.id}-incidents`}
          onChange={(ids) => edit({ incidents: ids })}
        />
      </fieldset>
      <label className="wide">
        Assets{' '}
        <input
          value={form.assets}
          placeholder="host:ws01, ip:10.0.0.5"
          onChange={(e) => edit({ assets: e.target.value })}
        />
      </label>
      <span className="form-actions">
        <button type="submit">Save mission</button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </span>
    </form>
  )
}

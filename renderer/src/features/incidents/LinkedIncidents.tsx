import { useState } from 'react'
import type { Incident } from '../../../../collector/contract'

/**
 * The incidents something is tied to (a report, a mission): each a link to its case with an
 * unlink button, and a picker among the others. `incidents` are those known (incidents:list).
 */
export const LinkedIncidents = ({
  ids,
  incidents,
  labelledBy,
  onChange,
}: {
  ids: string[]
  incidents: ReadonlyArray<Pick<Incident, 'id' | 'title'>>
  labelledBy: string
  onChange: (ids: string[]) => void
}) => {
  const [pick, setPick] = useState('')
  const titleOf = new Map(incidents.map((i) => [i.id, i.title]))
  const linkable = incidents.filter((i) => !ids.includes(i.id))
  return (
    <>
      <ul className="link-list" aria-labelledby={labelledBy}>
        {ids.map((id) => (
          <li key={id}>
            <a href={`#/incidents?id=${encodeURIComponent(id)}`}>{titleOf.get(id) ?? id}</a>{' '}
            <button
              type="button"
              aria-label={`Unlink ${titleOf.get(id) ?? id}`}
              onClick={() => onChange(ids.filter((i) => i !== id))}
            >
              ×
            </button>
          </li>
        ))}
      </ul>
      {linkable.length > 0 && (
        <span className="inline-form">
          <select aria-label="Incident to link" value={pick} onChange={(e) => setPick(e.target.value)}>
            <option value="">choose an incident…</option>
            {linkable.map((i) => (
              <option key={i.id} value={i.id}>
                {i.title}
              </option>
            ))}
          </select>
          <button
            type="button"
            disabled={!pick}
            onClick={() => {
              onChange([...ids, pick])
              setPick('')
            }}
          >
            Link incident
          </button>
        </span>
      )}
    </>
  )
}

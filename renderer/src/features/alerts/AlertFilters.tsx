import { useEffect, useState } from 'react'
import type { AlertLevel, AlertStatus } from '../../../../collector/contract'
import { LEVELS, STATUSES, type AlertFilter } from '../../state/alerts-slice'
import { STATUS_LABEL } from './labels'

const QUERY_DEBOUNCE_MS = 250

type Props = {
  filter: AlertFilter
  incidentTitle: string | null
  onChange: (patch: Partial<AlertFilter>) => void
}

export const AlertFilters = ({ filter, incidentTitle, onChange }: Props) => {
  const [query, setQuery] = useState(filter.query)
  useEffect(() => {
    if (query === filter.query) return
    const timer = setTimeout(() => onChange({ query }), QUERY_DEBOUNCE_MS)
    return () => clearTimeout(timer)
  }, [query, filter.query, onChange])

  const toggleStatus = (status: AlertStatus): void =>
    onChange({
      status: filter.status.includes(status)
        ? filter.status.filter((s) => s !== status)
        : STATUSES.filter((s) => s === status || filter.status.includes(s)),
    })

  return (
    <div className="filters" role="search" aria-label="Alert filters">
      <input
        type="search"
        aria-label="Search alerts"
        placeholder="Search title, rule, host, user, tag…"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
      />
      <fieldset className="chips">
        <legend className="muted">Status</legend>
        {STATUSES.map((status) => (
          <label key={status} className="chip">
            <input
              type="checkbox"
              checked={filter.status.includes(status)}
              onChange={() => toggleStatus(status)}
            />
            {STATUS_LABEL[status]}
          </label>
        ))}
      </fieldset>
      <label>
        <span className="muted">Minimum level </span>
        <select
          value={filter.minLevel ?? ''}
          onChange={(e) => onChange({ minLevel: (e.target.value || null) as AlertLevel | null })}
        >
          <option value="">any</option>
          {LEVELS.map((level) => (
            <option key={level} value={level}>
              {level}
            </option>
          ))}
        </select>
      </label>
      {filter.incidentId && (
        <span className="chip">
          Incident: {incidentTitle ?? filter.incidentId}
          <button
            type="button"
            className="link"
            aria-label="Show alerts of every incident"
            onClick={() => onChange({ incidentId: null })}
          >
            ×
          </button>
        </span>
      )}
    </div>
  )
}

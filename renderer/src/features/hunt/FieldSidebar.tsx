import type { MouseEvent } from 'react'
import type { FieldSummary } from '../../../../collector/contract'
import { assetHref, PIVOT_KINDS } from '../../components/asset-href'

/** The fields of the matches with their top values: click narrows to a value, alt-click leaves it out. */
export const FieldSidebar = ({
  fields,
  onRefine,
}: {
  fields: FieldSummary[]
  onRefine: (field: string, value: string, exclude: boolean) => void
}) => {
  const shown = fields.filter((f) => f.present > 0)
  return (
    <aside className="hunt-fields" aria-label="Fields">
      {shown.length === 0 && <p className="muted">No fields yet: run a query.</p>}
      {shown.map((field) => {
        const kind = PIVOT_KINDS[field.name]
        return (
          <details key={field.name} className="hunt-field">
            <summary>
              <span className="mono">{field.name}</span>{' '}
              <span className="muted">
                {field.present.toLocaleString()}
                {field.distinct !== null && ` · ${field.distinct.toLocaleString()} distinct`}
                {field.sampled && ' · sampled'}
              </span>
            </summary>
            <ul className="hunt-values" aria-label={`Top values of ${field.name}`}>
              {field.top.map(({ value, count }) => (
                <li key={value}>
                  <button
                    type="button"
                    className="hunt-value"
                    title="Click: only this value · Alt-click: leave it out"
                    aria-label={`Filter ${field.name} ${value}`}
                    onClick={(e: MouseEvent) => onRefine(field.name, value, e.altKey)}
                  >
                    <span className="mono">{value || '(empty)'}</span>
                    <span className="muted num">{count.toLocaleString()}</span>
                  </button>
                  <button
                    type="button"
                    className="link"
                    aria-label={`Exclude ${field.name} ${value}`}
                    title="Leave this value out (NOT)"
                    onClick={() => onRefine(field.name, value, true)}
                  >
                    −
                  </button>
                  {kind && value && (
                    <a
                      href={assetHref(kind, value)}
                      aria-label={`Open ${kind} ${value} in assets`}
                      title="Asset"
                    >
                      ↗
                    </a>
                  )}
                </li>
              ))}
            </ul>
          </details>
        )
      })}
    </aside>
  )
}

import { memo } from 'react'
import type { MatrixCell } from '../../../../collector/contract'

/** Coverage by enabled rules, as the legend names it. */
export const coverageLevel = (rules: number): 'none' | 'some' | 'good' =>
  rules === 0 ? 'none' : rules < 3 ? 'some' : 'good'

export const COVERAGE_LABEL = {
  none: 'no enabled rule',
  some: '1–2 enabled rules',
  good: '3 or more enabled rules',
} as const

const counts = (cell: MatrixCell): string =>
  [
    `${cell.rules} of ${cell.rules_total} ${cell.rules_total === 1 ? 'rule' : 'rules'} enabled`,
    `${cell.alerts} ${cell.alerts === 1 ? 'alert' : 'alerts'}`,
  ].join(', ')
const describe = (cell: MatrixCell): string =>
  `${cell.name ? `${cell.name} ${cell.id}` : cell.id} (${counts(cell)})`

/** One technique or subtechnique: opens its alerts. */
export const TechniqueCell = memo(
  ({ cell, sub, onOpen }: { cell: MatrixCell; sub?: boolean; onOpen: (id: string) => void }) => (
    <button
      type="button"
      className="attack-cell"
      data-technique={cell.id}
      data-coverage={coverageLevel(cell.rules)}
      data-sub={sub || undefined}
      title={describe(cell) + ' (open its alerts)'}
      onClick={() => onOpen(cell.id)}
    >
      {/* Its name is what it shows (name, id) and, for screen readers, the counts spelt out. */}
      <span className="attack-cell-name">
        {cell.name ?? <span className="mono">{cell.id}</span>}
        {cell.name && <span className="attack-cell-id mono muted"> {cell.id}</span>}
      </span>
      <span className="visually-hidden">({counts(cell)})</span>
      <span className="attack-cell-counts" aria-hidden="true">
        <span className="mono" data-field="rules">
          {cell.rules}/{cell.rules_total}
        </span>
        {cell.alerts > 0 && (
          <span className="attack-hits mono" data-field="alerts">
            {cell.alerts.toLocaleString()}
          </span>
        )}
      </span>
    </button>
  ),
)
TechniqueCell.displayName = 'TechniqueCell'

import { useState, type KeyboardEvent } from 'react'
import type { RuleSummary } from '../../../../collector/contract'
import { formatTimeShort } from '../../components/format'
import { LevelBadge } from '../../components/LevelBadge'
import { rowStyle, useVirtualRows } from '../../components/virtual-rows'

type Props = {
  rules: RuleSummary[]
  total: number
  openKey: string | null
  onOpen: (key: string) => void
  onToggle: (key: string, enabled: boolean) => void
}

/** Thousands of rules (a SigmaHQ release is ~3,750): only the visible rows are in the DOM. */
export const RulesTable = ({ rules, total, openKey, onOpen, onToggle }: Props) => {
  const [cursor, setCursor] = useState<string | null>(null)
  const { scroller, virtualizer, items } = useVirtualRows(rules.length)
  const active = cursor ?? openKey

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.target !== e.currentTarget) return
    const index = rules.findIndex((r) => r.key === active)
    const rule = rules[index]
    if (e.key === 'j' || e.key === 'ArrowDown' || e.key === 'k' || e.key === 'ArrowUp') {
      const down = e.key === 'j' || e.key === 'ArrowDown'
      const next = Math.min(Math.max(index + (down ? 1 : -1), 0), rules.length - 1)
      const target = rules[next]
      if (!target) return
      setCursor(target.key)
      virtualizer.scrollToIndex(next)
    } else if (e.key === 'Enter' && rule) onOpen(rule.key)
    else if (e.key === ' ' && rule) onToggle(rule.key, !rule.enabled)
    else return
    e.preventDefault()
  }

  return (
    <div className="grid rules-grid" role="grid" aria-label="Rules" aria-rowcount={total + 1}>
      <div
        className="grid-body"
        ref={scroller}
        role="rowgroup"
        tabIndex={0}
        onKeyDown={onKeyDown}
        aria-label="Rule rows (j/k to move, Enter to open, Space to enable or disable)"
      >
        <div className="grid-row grid-head rule-row" role="row" aria-rowindex={1}>
          <span role="columnheader">On</span>
          <span role="columnheader">Title</span>
          <span role="columnheader">Level</span>
          <span role="columnheader">Log source</span>
          <span role="columnheader">Author</span>
          <span role="columnheader">Hits</span>
          <span role="columnheader">Last hit (UTC)</span>
          <span role="columnheader">File</span>
        </div>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const rule = rules[item.index]!
            return (
              <div
                key={rule.key}
                className="grid-row rule-row"
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={rule.key === active}
                data-rule-key={rule.key}
                data-enabled={rule.enabled}
                onClick={() => {
                  setCursor(rule.key)
                  onOpen(rule.key)
                }}
                style={rowStyle(item.start)}
              >
                <span role="gridcell" onClick={(e) => e.stopPropagation()}>
                  <input
                    type="checkbox"
                    aria-label={`Enabled: ${rule.title}`}
                    checked={rule.enabled}
                    onChange={(e) => onToggle(rule.key, e.target.checked)}
                  />
                </span>
                <span role="gridcell" title={rule.title}>
                  {rule.title}
                  {rule.kind !== 'detection' && <span className="muted"> ({rule.kind})</span>}
                </span>
                <span role="gridcell">
                  <LevelBadge level={rule.level} />
                </span>
                <span role="gridcell" className="mono" title={rule.logsource}>
                  {rule.logsource}
                </span>
                <span role="gridcell" title={rule.author ?? ''}>
                  {rule.author ?? '—'}
                </span>
                <span role="gridcell" className="num">
                  {rule.hits.toLocaleString()}
                </span>
                <span role="gridcell" className="mono">
                  {rule.last_hit ? formatTimeShort(rule.last_hit) : '—'}
                </span>
                <span role="gridcell" className="mono" title={rule.file}>
                  {rule.file}
                </span>
              </div>
            )
          })}
        </div>
      </div>
    </div>
  )
}

import { type KeyboardEvent, type MouseEvent } from 'react'
import type { Alert } from '../../../../collector/contract'
import { formatTimeShort } from '../../components/format'
import { LevelBadge } from '../../components/LevelBadge'
import { STATUS_LABEL } from './labels'
import { rowStyle, useVirtualRows } from '../../components/virtual-rows'

/** Keys the table hands to the view: triage shortcuts on the focused or checked alerts. */
export type AlertShortcut = 'acknowledge' | 'escalate' | 'false_positive' | 'close'
const SHORTCUTS: Record<string, AlertShortcut> = {
  a: 'acknowledge',
  e: 'escalate',
  f: 'false_positive',
  c: 'close',
}

type Props = {
  alerts: Alert[]
  total: number
  focusedId: string | null
  checkedIds: string[]
  onFocus: (id: string) => void
  onCheck: (ids: string[]) => void
  onShortcut: (shortcut: AlertShortcut) => void
  onNearEnd: () => void
}

/** Virtualized like the events table; rows can be checked for actions on several alerts at once. */
export const AlertsTable = ({
  alerts,
  total,
  focusedId,
  checkedIds,
  onFocus,
  onCheck,
  onShortcut,
  onNearEnd,
}: Props) => {
  const { scroller, virtualizer, items } = useVirtualRows(alerts.length, onNearEnd)

  const checked = new Set(checkedIds)
  const toggle = (id: string): void =>
    onCheck(checked.has(id) ? checkedIds.filter((c) => c !== id) : [...checkedIds, id])
  const allChecked = alerts.length > 0 && checkedIds.length === alerts.length

  const move = (delta: number): void => {
    const index = alerts.findIndex((a) => a.id === focusedId)
    const next = index < 0 ? 0 : Math.min(Math.max(index + delta, 0), alerts.length - 1)
    const alert = alerts[next]
    if (!alert) return
    onFocus(alert.id)
    virtualizer.scrollToIndex(next)
  }

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.target !== e.currentTarget || e.ctrlKey || e.metaKey || e.altKey) return
    if (e.key === 'j' || e.key === 'ArrowDown') move(1)
    else if (e.key === 'k' || e.key === 'ArrowUp') move(-1)
    else if ((e.key === 'x' || e.key === ' ') && focusedId) toggle(focusedId)
    else if (SHORTCUTS[e.key]) onShortcut(SHORTCUTS[e.key]!)
    else return
    e.preventDefault()
  }

  const onRowClick = (e: MouseEvent, alert: Alert): void => {
    if (e.ctrlKey || e.metaKey) return toggle(alert.id)
    if (e.shiftKey && focusedId) {
      const from = alerts.findIndex((a) => a.id === focusedId)
      const to = alerts.indexOf(alert)
      const [lo, hi] = from < to ? [from, to] : [to, from]
      return onCheck(alerts.slice(lo, hi + 1).map((a) => a.id))
    }
    onFocus(alert.id)
  }

  return (
    <div
      className="grid alerts-grid"
      role="grid"
      aria-label="Alerts"
      aria-rowcount={total + 1}
      aria-multiselectable="true"
    >
      <div
        className="grid-body"
        ref={scroller}
        tabIndex={0}
        onKeyDown={onKeyDown}
        aria-label="Alert rows (j/k to move, x to check, a acknowledge, e escalate, f false positive, c close)"
        role="rowgroup"
      >
        <div className="grid-row grid-head alert-row" role="row" aria-rowindex={1}>
          <span role="columnheader">
            <input
              type="checkbox"
              aria-label="Check every alert in the list"
              checked={allChecked}
              onChange={() => onCheck(allChecked ? [] : alerts.map((a) => a.id))}
            />
          </span>
          <span role="columnheader">Time (UTC)</span>
          <span role="columnheader">Level</span>
          <span role="columnheader">Title</span>
          <span role="columnheader">Rule author</span>
          <span role="columnheader">Host</span>
          <span role="columnheader">User</span>
          <span role="columnheader">Count</span>
          <span role="columnheader">Status</span>
          <span role="columnheader">ATT&amp;CK</span>
          <span role="columnheader">License</span>
        </div>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const alert = alerts[item.index]!
            return (
              <div
                key={alert.id}
                className="grid-row alert-row"
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={alert.id === focusedId}
                data-alert-id={alert.id}
                data-status={alert.status}
                onClick={(e) => onRowClick(e, alert)}
                style={rowStyle(item.start)}
              >
                <span role="gridcell" onClick={(e) => e.stopPropagation()}>
                  <input
                    type="checkbox"
                    aria-label={`Check ${alert.title}`}
                    checked={checked.has(alert.id)}
                    onChange={() => toggle(alert.id)}
                  />
                </span>
                <span role="gridcell" className="mono">
                  {formatTimeShort(alert.timestamp)}
                </span>
                <span role="gridcell">
                  <LevelBadge level={alert.level} />
                </span>
                <span role="gridcell" title={alert.title}>
                  {alert.title}
                </span>
                <span role="gridcell" title={alert.author ?? ''}>
                  {alert.author ?? '—'}
                </span>
                <span role="gridcell">{alert.host ?? ''}</span>
                <span role="gridcell">{alert.user ?? ''}</span>
                <span role="gridcell" className="num">
                  {alert.count.toLocaleString()}
                </span>
                <span role="gridcell">{STATUS_LABEL[alert.status]}</span>
                <span role="gridcell" className="mono" title={alert.techniques.join(', ')}>
                  {alert.techniques.join(' ')}
                </span>
                <span role="gridcell">{alert.license ?? '—'}</span>
              </div>
            )
          })}
        </div>
      </div>
    </div>
  )
}

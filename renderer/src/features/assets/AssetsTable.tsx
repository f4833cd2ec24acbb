import { useState, type KeyboardEvent } from 'react'
import type { Asset } from '../../../../collector/contract'
import { formatTimeShort } from '../../components/format'
import { CRITICALITY_LABEL, KIND_LABEL } from './labels'
import { rowStyle, useVirtualRows } from '../../components/virtual-rows'

type Props = {
  assets: Asset[]
  total: number
  onOpen: (id: string) => void
  onNearEnd: () => void
}

/** The inventory, virtualized: tens of thousands of rows scroll like a hundred. */
export const AssetsTable = ({ assets, total, onOpen, onNearEnd }: Props) => {
  const [focused, setFocused] = useState(0)
  const { scroller, virtualizer, items } = useVirtualRows(assets.length, onNearEnd)

  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.target !== e.currentTarget) return
    const delta = e.key === 'j' || e.key === 'ArrowDown' ? 1 : e.key === 'k' || e.key === 'ArrowUp' ? -1 : 0
    if (delta !== 0) {
      const next = Math.min(Math.max(focused + delta, 0), assets.length - 1)
      setFocused(next)
      virtualizer.scrollToIndex(next)
    } else if (e.key === 'Enter' && assets[focused]) onOpen(assets[focused].id)
    else return
    e.preventDefault()
  }

  return (
    <div className="grid assets-grid" role="grid" aria-label="Assets" aria-rowcount={total + 1}>
      <div
        className="grid-body"
        ref={scroller}
        tabIndex={0}
        onKeyDown={onKeyDown}
        aria-label="Asset rows (j/k to move, Enter to open)"
        role="rowgroup"
      >
        <div className="grid-row grid-head asset-row" role="row" aria-rowindex={1}>
          <span role="columnheader">Kind</span>
          <span role="columnheader">Value</span>
          <span role="columnheader">Events</span>
          <span role="columnheader">Alerts</span>
          <span role="columnheader">First seen (UTC)</span>
          <span role="columnheader">Last seen (UTC)</span>
          <span role="columnheader">Criticality</span>
          <span role="columnheader">Owner</span>
          <span role="columnheader">Tags</span>
        </div>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const asset = assets[item.index]!
            return (
              <div
                key={asset.id}
                className="grid-row asset-row"
                role="row"
                aria-rowindex={item.index + 2}
                aria-selected={item.index === focused}
                data-asset-id={asset.id}
                onClick={() => onOpen(asset.id)}
                style={rowStyle(item.start)}
              >
                <span role="gridcell">
                  <span className="kind-badge" data-kind={asset.kind}>
                    {KIND_LABEL[asset.kind]}
                  </span>
                </span>
                <span role="gridcell" className="mono" title={asset.value}>
                  {asset.value}
                </span>
                <span role="gridcell" className="num">
                  {asset.events.toLocaleString()}
                </span>
                <span role="gridcell" className="num">
                  {asset.alerts > 0 ? asset.alerts.toLocaleString() : ''}
                </span>
                <span role="gridcell" className="mono">
                  {asset.first_seen ? formatTimeShort(asset.first_seen) : 'not seen yet'}
                </span>
                <span role="gridcell" className="mono">
                  {asset.last_seen ? formatTimeShort(asset.last_seen) : '—'}
                </span>
                <span role="gridcell">
                  {asset.criticality && (
                    <span className="criticality" data-criticality={asset.criticality}>
                      {CRITICALITY_LABEL[asset.criticality]}
                    </span>
                  )}
                </span>
                <span role="gridcell">{asset.owner ?? ''}</span>
                <span role="gridcell" title={asset.tags.join(', ')}>
                  {asset.tags.join(', ')}
                </span>
              </div>
            )
          })}
        </div>
      </div>
    </div>
  )
}

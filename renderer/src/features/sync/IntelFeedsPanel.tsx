import { useEffect, useMemo, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { WatchlistIndicator } from '../../../../collector/contract'
import { formatTimeShort } from '../../components/format'
import { rowStyle, useVirtualRows } from '../../components/virtual-rows'
import { useAppStore } from '../../state/store'

const TAXII_EXAMPLE = `taxii:
  sources:
    - name: partner-feed
      url: https://taxii.partner.example/api1/collections/<collection id>/objects/
      token: <bearer token>
      interval_s: 3600`

const matchesFilter = (i: WatchlistIndicator, filter: string): boolean =>
  filter === '' ||
  [i.type, i.value, i.list, i.source ?? ''].some((text) => text.toLowerCase().includes(filter))

/** The watchlist, virtualized: a TAXII feed can hold tens of thousands of indicators. */
const WatchlistGrid = ({ rows }: { rows: WatchlistIndicator[] }) => {
  const { scroller, virtualizer, items } = useVirtualRows(rows.length)
  return (
    <div className="grid watchlist-grid" role="grid" aria-label="Watchlist" aria-rowcount={rows.length + 1}>
      <div className="grid-body" ref={scroller} tabIndex={0} role="rowgroup" aria-label="Watchlist rows">
        <div className="grid-row grid-head watchlist-row" role="row" aria-rowindex={1}>
          <span role="columnheader">Type</span>
          <span role="columnheader">Value</span>
          <span role="columnheader">List</span>
          <span role="columnheader">Source</span>
          <span role="columnheader">Level</span>
          <span role="columnheader">Valid until (UTC)</span>
        </div>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const i = rows[item.index]!
            return (
              <div
                key={`${i.list} ${i.type} ${i.value} ${i.source ?? ''}`}
                className="grid-row watchlist-row"
                role="row"
                aria-rowindex={item.index + 2}
                style={rowStyle(item.start)}
              >
                <span role="gridcell">{i.type}</span>
                <span role="gridcell" className="mono" title={i.value}>
                  {i.value}
                </span>
                <span role="gridcell">{i.list}</span>
                <span role="gridcell" className="mono" title={i.source ?? ''}>
                  {i.source ?? '—'}
                </span>
                <span role="gridcell">{i.level ?? 'default'}</span>
                <span role="gridcell" className="mono">
                  {i.valid_until ? formatTimeShort(i.valid_until) : 'no expiry'}
                </span>
              </div>
            )
          })}
        </div>
      </div>
    </div>
  )
}

/**
 * Threat-intel feeds: the TAXII 2.1 sources this console pulls indicators from (Pull now), and the
 * IOC watchlist every stored event is matched against.
 */
export const IntelFeedsPanel = () => {
  const s = useAppStore(
    useShallow((state) => ({
      sources: state.taxiiSources,
      watchlist: state.watchlist,
      total: state.watchlistTotal,
      error: state.intelError,
      notice: state.intelNotice,
      pulling: state.taxiiPulling,
      load: state.loadIntelFeeds,
      pull: state.taxiiPullNow,
      configFile: state.info?.settings.config_file ?? null,
    })),
  )
  const { load } = s
  useEffect(() => void load(), [load])
  const [filter, setFilter] = useState('')
  const wanted = filter.trim().toLowerCase()
  const shown = useMemo(() => s.watchlist.filter((i) => matchesFilter(i, wanted)), [s.watchlist, wanted])
  const configFile = s.configFile ?? 'config.yaml in the data directory'

  return (
    <>
      <section className="panel" aria-label="TAXII sources">
        <h2>TAXII sources</h2>
        {s.error && (
          <p className="error" role="alert">
            {s.error}
          </p>
        )}
        {s.sources !== null && s.sources.length === 0 && (
          <div className="empty" role="note" aria-label="No TAXII sources">
            <p>
              No TAXII source is configured, so this console opens no connection for threat intel. To pull
              STIX indicators into the watchlist, list a TAXII 2.1 collection under <code>taxii.sources</code>{' '}
              in <code>{configFile}</code> and restart Outpost:
            </p>
            <pre>{TAXII_EXAMPLE}</pre>
          </div>
        )}
        {s.sources !== null && s.sources.length > 0 && (
          <>
            <table className="table" aria-label="TAXII sources list">
              <thead>
                <tr>
                  <th scope="col">Name</th>
                  <th scope="col">Collection</th>
                  <th scope="col">Last pull (UTC)</th>
                  <th scope="col" className="num">
                    Indicators
                  </th>
                  <th scope="col">Last error</th>
                  <th scope="col">
                    <span className="visually-hidden">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {s.sources.map((source) => (
                  <tr key={source.name} aria-label={`TAXII source ${source.name}`}>
                    <td>{source.name}</td>
                    <td className="mono wrap">{source.url}</td>
                    <td className="mono">
                      {source.running
                        ? 'pulling…'
                        : source.last_pull_at
                          ? formatTimeShort(source.last_pull_at)
                          : 'never'}
                    </td>
                    <td className="num">{source.indicators.toLocaleString()}</td>
                    <td className="wrap">{source.last_error ?? 'none'}</td>
                    <td>
                      <button
                        type="button"
                        aria-label={`Pull now: ${source.name}`}
                        disabled={s.pulling !== null || source.running}
                        onClick={() => void s.pull(source.name)}
                      >
                        Pull now
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            <div className="field-row">
              <button type="button" disabled={s.pulling !== null} onClick={() => void s.pull()}>
                Pull all now
              </button>
              {s.pulling !== null && <span className="muted">Pulling…</span>}
              {s.notice && (
                <span className="muted" role="status">
                  {s.notice}
                </span>
              )}
            </div>
          </>
        )}
      </section>
      <section className="panel" aria-label="IOC watchlist">
        <h2>IOC watchlist</h2>
        <p className="muted">
          Every stored event is matched against these indicators; a match raises an alert (origin{' '}
          <code>ioc</code>) in the Alerts view.
        </p>
        {s.total === 0 ? (
          <div className="empty" role="note" aria-label="Empty watchlist">
            <p>
              The watchlist is empty. Fill it from a TAXII source (above), by importing a signed watchlist
              bundle (System view, Bundles: <code>outpost bundle content export --type watchlist</code> makes
              one from a CSV of <code>type,value,source,valid_until,level</code>), or one indicator at a time
              with the <code>watchlist:add</code> call.
            </p>
          </div>
        ) : (
          <>
            <div className="field-row">
              <label className="field">
                <span>Filter</span>
                <input
                  type="search"
                  aria-label="Filter the watchlist"
                  placeholder="value, type, list or source"
                  value={filter}
                  onChange={(e) => setFilter(e.target.value)}
                />
              </label>
              <span className="muted" role="status" aria-label="Watchlist count">
                {shown.length === s.watchlist.length
                  ? `${s.total.toLocaleString()} indicators`
                  : `${shown.length.toLocaleString()} of ${s.watchlist.length.toLocaleString()} shown`}
                {s.total > s.watchlist.length && ` (first ${s.watchlist.length.toLocaleString()} loaded)`}
              </span>
            </div>
            {shown.length === 0 ? <p>No indicator matches “{filter}”.</p> : <WatchlistGrid rows={shown} />}
          </>
        )}
      </section>
    </>
  )
}

import { useEffect, useMemo, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { WatchlistIndicator } from '../../../../collector/contract'
import { ANALYST_LIST_NAME } from '../../../../collector/contract'
import { formatTimeShort } from '../../components/format'
import { rowStyle, useVirtualRows } from '../../components/virtual-rows'
import type { WatchlistSort } from '../../state/intel-feeds-slice'
import { useAppStore } from '../../state/store'
import { WatchlistEditor } from './WatchlistEditor'

const TAXII_EXAMPLE = `taxii:
  sources:
    - name: partner-feed
      url: https://taxii.partner.example/api1/collections/<collection id>/objects/
      token: <bearer token>
      interval_s: 3600`

const matchesFilter = (i: WatchlistIndicator, filter: string): boolean =>
  filter === '' ||
  [i.type, i.value, i.list, i.source ?? ''].some((text) => text.toLowerCase().includes(filter))

/** Why a list is not edited here: it is replaced whole from where it came from. */
const readOnlyWhy = (list: string): string =>
  list.startsWith('taxii:')
    ? `pulled from the TAXII source ${list.slice('taxii:'.length)}: it changes there`
    : `installed from a content bundle or the team core: a new version of list ${list} replaces it`

const SORT_LABEL: Record<WatchlistSort, string> = {
  list: 'List, type, value',
  hits: 'Most hits',
  last_hit: 'Last hit',
}

/** The watchlist, virtualized: a TAXII feed can hold tens of thousands of indicators. */
const WatchlistGrid = ({
  rows,
  sort,
  onEdit,
  onRemove,
}: {
  rows: WatchlistIndicator[]
  sort: WatchlistSort
  onEdit: (indicator: WatchlistIndicator) => void
  onRemove: (indicator: WatchlistIndicator) => void
}) => {
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
          <span role="columnheader">Valid from (UTC)</span>
          <span role="columnheader">Valid until (UTC)</span>
          <span role="columnheader" className="num" aria-sort={sort === 'hits' ? 'descending' : undefined}>
            Hits
          </span>
          <span role="columnheader" aria-sort={sort === 'last_hit' ? 'descending' : undefined}>
            Last hit (UTC)
          </span>
          <span role="columnheader">
            <span className="visually-hidden">Actions</span>
          </span>
        </div>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const i = rows[item.index]!
            const what = `${i.type} ${i.value}`
            return (
              <div
                key={`${i.list} ${i.type} ${i.value} ${i.source ?? ''}`}
                className="grid-row watchlist-row"
                role="row"
                aria-rowindex={item.index + 2}
                aria-label={`${i.list} ${what}`}
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
                  {i.valid_from ? formatTimeShort(i.valid_from) : 'always'}
                </span>
                <span role="gridcell" className="mono">
                  {i.valid_until ? formatTimeShort(i.valid_until) : 'no expiry'}
                </span>
                <span role="gridcell" className="num">
                  {i.hits.toLocaleString()}
                </span>
                <span role="gridcell" className="mono">
                  {i.last_hit_at ? formatTimeShort(i.last_hit_at) : 'never'}
                </span>
                <span role="gridcell" className="watchlist-actions">
                  {i.list === ANALYST_LIST_NAME ? (
                    <>
                      <button type="button" aria-label={`Edit ${what}`} onClick={() => onEdit(i)}>
                        Edit
                      </button>
                      <button type="button" aria-label={`Remove ${what}`} onClick={() => onRemove(i)}>
                        Remove
                      </button>
                    </>
                  ) : (
                    <span className="muted" title={`Read-only: ${readOnlyWhy(i.list)}`}>
                      read-only<span className="visually-hidden">: {readOnlyWhy(i.list)}</span>
                    </span>
                  )}
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
      sort: state.watchlistSort,
      setSort: state.setWatchlistSort,
      remove: state.watchlistRemove,
      watchlistNotice: state.watchlistNotice,
      watchlistError: state.watchlistError,
      configFile: state.info?.settings.config_file ?? null,
      watch: state.watchIntel,
    })),
  )
  const { load, watch } = s
  // Hit counts follow the alerts while the panel is shown.
  useEffect(() => {
    void load()
    watch(true)
    return () => watch(false)
  }, [load, watch])
  const [filter, setFilter] = useState('')
  const [editing, setEditing] = useState<WatchlistIndicator | null>(null)
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
          Every stored event is matched against these indicators, valid from and until the event&apos;s own
          time; a match raises an alert (origin <code>ioc</code>) in the Alerts view and counts as a hit. The
          analyst list is edited here; lists from content bundles, TAXII sources and the team core are
          read-only, replaced whole from where they came.
        </p>
        <WatchlistEditor editing={editing} onDone={() => setEditing(null)} />
        {s.watchlistError && (
          <p className="error" role="alert">
            {s.watchlistError}
          </p>
        )}
        {s.watchlistNotice && (
          <p className="muted" role="status" aria-label="Watchlist edit">
            {s.watchlistNotice}
          </p>
        )}
        {s.total === 0 ? (
          <div className="empty" role="note" aria-label="Empty watchlist">
            <p>
              The watchlist is empty. Fill it from a TAXII source (above), by importing a signed watchlist
              bundle (System view, Bundles: <code>outpost bundle content export --type watchlist</code> makes
              one from a CSV of <code>type,value,source,valid_from,valid_until,level</code>), or one indicator
              at a time with the form above (the <code>watchlist:add</code> call).
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
              <label className="field">
                <span>Sort</span>
                <select
                  aria-label="Sort the watchlist"
                  value={s.sort}
                  onChange={(e) => void s.setSort(e.target.value as WatchlistSort)}
                >
                  {(Object.keys(SORT_LABEL) as WatchlistSort[]).map((sort) => (
                    <option key={sort} value={sort}>
                      {SORT_LABEL[sort]}
                    </option>
                  ))}
                </select>
              </label>
              <span className="muted" role="status" aria-label="Watchlist count">
                {shown.length === s.watchlist.length
                  ? `${s.total.toLocaleString()} indicators`
                  : `${shown.length.toLocaleString()} of ${s.watchlist.length.toLocaleString()} shown`}
                {s.total > s.watchlist.length && ` (first ${s.watchlist.length.toLocaleString()} loaded)`}
              </span>
            </div>
            {shown.length === 0 ? (
              <p>No indicator matches “{filter}”.</p>
            ) : (
              <WatchlistGrid
                rows={shown}
                sort={s.sort}
                onEdit={setEditing}
                onRemove={(i) => {
                  if (editing?.type === i.type && editing.value === i.value) setEditing(null)
                  void s.remove(i.type, i.value)
                }}
              />
            )}
          </>
        )}
      </section>
    </>
  )
}

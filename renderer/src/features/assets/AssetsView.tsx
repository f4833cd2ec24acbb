import { useCallback, useEffect, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useRouteParam } from '../../app/use-route'
import { ChoiceFilter, SearchBox, useDebouncedText } from '../../components/filters'
import { ASSET_KINDS, CRITICALITIES, type AssetsFilter } from '../../state/assets-slice'
import { useAppStore } from '../../state/store'
import { AssetPage } from './AssetPage'
import { AssetsTable } from './AssetsTable'
import { GraphView } from './GraphView'
import { NewAssetForm } from './NewAssetForm'
import { assetHref, CRITICALITY_LABEL, graphHref, KIND_LABEL } from './labels'

const SORT_LABEL: Record<AssetsFilter['sort'], string> = {
  last_seen: 'last seen',
  events: 'events',
  alerts: 'alerts',
  value: 'name',
}

const Inventory = () => {
  const s = useAppStore(
    useShallow((state) => ({
      assets: state.assets,
      total: state.assetsTotal,
      loading: state.assetsLoading,
      error: state.assetsError,
      filter: state.assetsFilter,
      loadMore: state.loadMoreAssets,
      setFilter: state.setAssetsFilter,
    })),
  )
  const { loadMore, setFilter, filter } = s
  const [query, setQuery] = useDebouncedText(
    filter.query,
    useCallback((query: string) => void setFilter({ query }), [setFilter]),
  )
  const onNearEnd = useCallback(() => void loadMore(), [loadMore])
  const [adding, setAdding] = useState(false)
  const filtered = filter.query !== '' || filter.kind !== null || filter.criticality !== null

  return (
    <>
      <div className="filters" role="search" aria-label="Asset filters">
        <SearchBox
          label="Search assets"
          placeholder="Search name, owner, role, tags…"
          value={query}
          onChange={setQuery}
        />
        <ChoiceFilter
          label="Kind"
          value={filter.kind}
          options={ASSET_KINDS}
          labels={KIND_LABEL}
          onChange={(kind) => void setFilter({ kind })}
        />
        <ChoiceFilter
          label="Criticality"
          value={filter.criticality}
          options={CRITICALITIES}
          labels={CRITICALITY_LABEL}
          onChange={(criticality) => void setFilter({ criticality })}
        />
        <label>
          <span className="muted">Sort by </span>
          <select
            value={filter.sort}
            onChange={(e) => void setFilter({ sort: e.target.value as AssetsFilter['sort'] })}
          >
            {(Object.keys(SORT_LABEL) as Array<AssetsFilter['sort']>).map((sort) => (
              <option key={sort} value={sort}>
                {SORT_LABEL[sort]}
              </option>
            ))}
          </select>
        </label>
        {s.loading && <span className="muted">loading…</span>}
        <span className="spacer" />
        {!adding && (
          <button type="button" onClick={() => setAdding(true)}>
            New asset
          </button>
        )}
      </div>
      {adding && <NewAssetForm onDone={() => setAdding(false)} />}
      {s.error && (
        <p className="error" role="alert">
          {s.error}
        </p>
      )}
      {s.assets.length === 0 && !s.loading ? (
        <section className="empty" aria-label="No assets">
          <h2>No assets</h2>
          <p className="muted">
            {filtered
              ? 'Nothing matches these filters.'
              : 'Hosts, addresses, users, processes and services are listed here as events name them.'}
          </p>
        </section>
      ) : (
        <AssetsTable
          assets={s.assets}
          total={s.total}
          onOpen={(id) => (window.location.hash = assetHref(id))}
          onNearEnd={onNearEnd}
        />
      )}
    </>
  )
}

/** Assets: the passive inventory, one asset's page, and the entity graph. */
export const AssetsView = () => {
  const id = useRouteParam('id')
  const view = useRouteParam('view')
  const center = useRouteParam('center')
  const { total, kinds, openAsset, loadAssets } = useAppStore(
    useShallow((s) => ({
      total: s.assetsTotal,
      kinds: s.assetKinds,
      openAsset: s.openAsset,
      loadAssets: s.loadAssets,
    })),
  )
  // The inventory also gives the header its counts per kind, whichever tab is open.
  useEffect(() => void loadAssets(), [loadAssets])
  useEffect(() => void openAsset(id), [id, openAsset])
  const tab = id ? 'asset' : view === 'graph' ? 'graph' : 'inventory'

  return (
    <>
      <div className="view-header">
        <h1>Assets</h1>
        <span className="muted" aria-label="Assets by kind">
          {ASSET_KINDS.filter((k) => (kinds[k] ?? 0) > 0)
            .map((k) => `${(kinds[k] ?? 0).toLocaleString()} ${KIND_LABEL[k].toLowerCase()}`)
            .join(' · ') || `${total.toLocaleString()} assets`}
        </span>
        <span className="spacer" />
        <nav className="tabs" aria-label="Asset views">
          <a href="#/assets" aria-current={tab === 'inventory' ? 'page' : undefined}>
            Inventory
          </a>
          <a href={graphHref()} aria-current={tab === 'graph' ? 'page' : undefined}>
            Graph
          </a>
        </nav>
      </div>
      {tab === 'asset' && id ? (
        <AssetPage id={id} />
      ) : tab === 'graph' ? (
        <GraphView key={center ?? ''} center={center} />
      ) : (
        <Inventory />
      )}
    </>
  )
}

import { routeHref, useRouteParam } from '../../app/use-route'
import { HuntSearch } from './HuntSearch'
import { SavedHunts } from './SavedHunts'
import { SqlConsole } from './SqlConsole'

const TABS = [
  { id: 'search', label: 'Search' },
  { id: 'sql', label: 'SQL' },
  { id: 'saved', label: 'Saved hunts' },
] as const

/** Hunting over the DuckDB archive: the filter bar, the SQL console and saved hunts. */
export const HuntView = () => {
  const param = useRouteParam('tab')
  const tab = TABS.find((t) => t.id === param)?.id ?? 'search'
  return (
    <>
      <div className="view-header">
        <h1>Hunt</h1>
        <nav className="tabs" aria-label="Hunt views">
          {TABS.map((t) => (
            <a
              key={t.id}
              href={t.id === 'search' ? routeHref('hunt') : routeHref('hunt', { tab: t.id })}
              aria-current={tab === t.id ? 'page' : undefined}
            >
              {t.label}
            </a>
          ))}
        </nav>
      </div>
      {tab === 'search' && <HuntSearch />}
      {tab === 'sql' && <SqlConsole />}
      {tab === 'saved' && <SavedHunts />}
    </>
  )
}

import { useCallback, useEffect, useMemo } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { routeHref } from '../../app/use-route'
import { filterMatrix, matrixTotals, techniqueQuery, type AttackFilter } from '../../state/attack-slice'
import { useAppStore } from '../../state/store'
import { AttackImport } from './AttackImport'
import { TacticColumn } from './TacticColumn'
import { COVERAGE_LABEL } from './TechniqueCell'

const FILTERS: ReadonlyArray<[AttackFilter, string]> = [
  ['all', 'All techniques'],
  ['covered', 'Only covered'],
  ['hits', 'Only with hits'],
]

/** The ATT&CK matrix: coverage by enabled rules and hits by alerts, per tactic. */
export const AttackView = () => {
  const s = useAppStore(
    useShallow((state) => ({
      matrix: state.attackMatrix,
      loading: state.attackLoading,
      error: state.attackError,
      filter: state.attackFilter,
      load: state.loadAttackMatrix,
      setFilter: state.setAttackFilter,
      watch: state.watchAttack,
      setAlertFilter: state.setAlertFilter,
    })),
  )
  const { load, watch, setAlertFilter } = s
  useEffect(() => {
    void load()
    watch(true)
    return () => watch(false)
  }, [load, watch])

  const tactics = useMemo(
    () => (s.matrix ? filterMatrix(s.matrix.tactics, s.filter) : []),
    [s.matrix, s.filter],
  )
  const totals = useMemo(() => (s.matrix ? matrixTotals(s.matrix.tactics) : null), [s.matrix])
  const openAlerts = useCallback(
    (id: string): void => {
      void setAlertFilter({ query: techniqueQuery(id), status: [], minLevel: null, incidentId: null })
      window.location.hash = routeHref('alerts')
    },
    [setAlertFilter],
  )

  return (
    <>
      <div className="view-header">
        <h1>ATT&amp;CK</h1>
        {totals && (
          <span className="muted" aria-label="ATT&CK totals">
            {totals.techniques.toLocaleString()} techniques · {totals.covered.toLocaleString()} covered ·{' '}
            {totals.hit.toLocaleString()} with alerts
          </span>
        )}
        {s.loading && <span className="muted">loading…</span>}
      </div>
      <div className="toolbar attack-toolbar">
        <AttackImport />
        <span className="spacer" />
        <div role="radiogroup" aria-label="Show" className="attack-filter">
          {FILTERS.map(([value, label]) => (
            <label key={value}>
              <input
                type="radio"
                name="attack-filter"
                value={value}
                checked={s.filter === value}
                onChange={() => s.setFilter(value)}
              />
              {label}
            </label>
          ))}
        </div>
      </div>
      <div className="attack-legend" aria-label="Legend">
        {(['none', 'some', 'good'] as const).map((level) => (
          <span key={level} className="attack-legend-item">
            <span className="attack-swatch" data-coverage={level} />
            {COVERAGE_LABEL[level]}
          </span>
        ))}
        <span className="attack-legend-item">
          <span className="mono">n/m</span> enabled/all rules
        </span>
        <span className="attack-legend-item">
          <span className="attack-hits mono">n</span> alerts
        </span>
      </div>
      {s.error && (
        <p className="error" role="alert">
          {s.error}
        </p>
      )}
      {s.matrix && !s.matrix.imported && (
        <p className="muted attack-note">
          No ATT&amp;CK bundle imported: the matrix shows the technique ids your rules and alerts name, by
          their tactic tags. Import MITRE&apos;s enterprise-attack.json (STIX) for names and every technique.
        </p>
      )}
      <div className="attack-matrix" aria-label="ATT&CK matrix">
        {tactics.map((tactic) => (
          <TacticColumn key={tactic.shortname} tactic={tactic} onOpen={openAlerts} />
        ))}
      </div>
      {s.matrix?.imported && (
        <p className="muted attack-attribution">
          ATT&amp;CK {s.matrix.imported.version}, imported {s.matrix.imported.imported_at}. © The MITRE
          Corporation. This work is reproduced and distributed with the permission of The MITRE Corporation.
          MITRE ATT&amp;CK and ATT&amp;CK are registered trademarks of The MITRE Corporation.
        </p>
      )}
    </>
  )
}

import { useEffect } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { routeHref } from '../../app/use-route'
import { ActionCard, DeadLetters } from '../../components/ActionCard'
import { useAppStore } from '../../state/store'

/**
 * Every recent response action, those proposed outside an incident (by an agent, a rule) too:
 * reviewed, approved and run here as in a case; and the dead letters of them all.
 */
export const ActionsPanel = () => {
  const s = useAppStore(
    useShallow((state) => ({
      actions: state.allActions,
      dead: state.allActionDeadLetters,
      types: state.actionTypes,
      twoPersonRule: state.twoPersonRule,
      load: state.loadAllActions,
      loadTypes: state.loadActionTypes,
    })),
  )
  const { load, loadTypes } = s
  useEffect(() => {
    void load()
    void loadTypes()
  }, [load, loadTypes])
  return (
    <section className="panel" aria-label="All response actions">
      <h2>Response actions</h2>
      {s.actions.length === 0 && <p className="muted">No actions proposed yet.</p>}
      {s.actions.map((item) => (
        <div key={item.action.id}>
          {item.action.incident_id && (
            <a href={routeHref('incidents', { id: item.action.incident_id })}>open its incident</a>
          )}
          <ActionCard item={item} types={s.types} twoPersonRule={s.twoPersonRule} />
        </div>
      ))}
      <DeadLetters dead={s.dead} label="Action dead letters" />
    </section>
  )
}

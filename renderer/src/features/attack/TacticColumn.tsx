import { memo, useState } from 'react'
import type { MatrixTactic } from '../../../../collector/contract'
import { TechniqueCell } from './TechniqueCell'

/** One tactic of the matrix: its techniques, each with its subtechniques folded. */
export const TacticColumn = memo(
  ({ tactic, onOpen }: { tactic: MatrixTactic; onOpen: (id: string) => void }) => {
    const [open, setOpen] = useState<ReadonlySet<string>>(new Set())
    const toggle = (id: string): void =>
      setOpen((was) => {
        const next = new Set(was)
        if (!next.delete(id)) next.add(id)
        return next
      })
    return (
      <section className="attack-column" aria-label={tactic.name} data-tactic={tactic.shortname}>
        <header className="attack-column-head">
          <h2>{tactic.name}</h2>
          <span className="muted mono">
            {tactic.id && `${tactic.id} · `}
            {tactic.techniques.length}
          </span>
        </header>
        <ul className="attack-techniques">
          {tactic.techniques.map((t) => (
            <li key={t.id}>
              <div className="attack-technique">
                <TechniqueCell cell={t} onOpen={onOpen} />
                {t.subtechniques.length > 0 && (
                  <button
                    type="button"
                    className="attack-expand"
                    aria-expanded={open.has(t.id)}
                    aria-label={`${t.subtechniques.length} subtechniques of ${t.id}`}
                    title={`${t.subtechniques.length} subtechniques`}
                    onClick={() => toggle(t.id)}
                  >
                    <span aria-hidden="true">{open.has(t.id) ? '▾' : '▸'}</span>
                    {t.subtechniques.length}
                  </button>
                )}
              </div>
              {open.has(t.id) && (
                <ul className="attack-subtechniques" aria-label={`Subtechniques of ${t.id}`}>
                  {t.subtechniques.map((s) => (
                    <li key={s.id}>
                      <TechniqueCell cell={s} sub onOpen={onOpen} />
                    </li>
                  ))}
                </ul>
              )}
            </li>
          ))}
        </ul>
      </section>
    )
  },
)
TacticColumn.displayName = 'TacticColumn'

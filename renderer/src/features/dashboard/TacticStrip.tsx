import type { TacticColumn } from '../../state/dashboard-slice'

/**
 * Alerts per ATT&CK tactic in matrix order, shaded by count. Tactics the matrix does not know
 * (no bundle imported) are appended as the alerts name them.
 */
export const TacticStrip = ({
  tactics,
  counts,
}: {
  tactics: readonly TacticColumn[]
  counts: ReadonlyArray<{ key: string; count: number }>
}) => {
  const byKey = new Map(counts.map((c) => [c.key.toLowerCase(), c.count]))
  const known = new Set(tactics.flatMap((t) => [t.shortname.toLowerCase(), t.name.toLowerCase()]))
  const cells = [
    ...tactics.map((t) => ({
      key: t.shortname,
      name: t.name,
      count: byKey.get(t.shortname.toLowerCase()) ?? byKey.get(t.name.toLowerCase()) ?? 0,
    })),
    ...counts
      .filter((c) => !known.has(c.key.toLowerCase()))
      .map((c) => ({ key: c.key, name: c.key, count: c.count })),
  ]
  const max = Math.max(1, ...cells.map((c) => c.count))
  return (
    <section className="dash-panel dash-full" aria-label="ATT&CK tactics">
      <h2>ATT&amp;CK tactics</h2>
      {cells.length === 0 ? (
        <p className="muted">
          No tactics yet: import an ATT&amp;CK bundle or raise alerts from tagged rules.
        </p>
      ) : (
        <ul className="tactic-strip">
          {cells.map((c) => (
            <li
              key={c.key}
              className="tactic-cell"
              title={`${c.name}: ${c.count.toLocaleString()} alerts`}
              style={{
                background:
                  c.count === 0
                    ? undefined
                    : `color-mix(in srgb, var(--danger) ${Math.round(15 + (c.count / max) * 70)}%, var(--bg-raised))`,
              }}
            >
              <span className="tactic-name">{c.name}</span>
              <span className="num">{c.count.toLocaleString()}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}

/** A ranked list with bars to scale; `href` makes a value a pivot (an asset page…). */
export const TopList = ({
  title,
  items,
  href,
  label = (key) => key,
}: {
  title: string
  items: ReadonlyArray<{ key: string; count: number }>
  href?: (key: string) => string
  label?: (key: string) => string
}) => {
  const max = Math.max(1, ...items.map((i) => i.count))
  return (
    <section className="dash-panel" aria-label={title}>
      <h2>{title}</h2>
      {items.length === 0 ? (
        <p className="muted">None in this range.</p>
      ) : (
        <ol className="top-list">
          {items.map((item) => (
            <li key={item.key}>
              <span className="top-key" title={label(item.key)}>
                {href ? <a href={href(item.key)}>{label(item.key)}</a> : label(item.key)}
              </span>
              <span className="top-bar" aria-hidden="true">
                <span style={{ width: `${(item.count / max) * 100}%` }} />
              </span>
              <span className="num">{item.count.toLocaleString()}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  )
}

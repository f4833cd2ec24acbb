import { useShallow } from 'zustand/react/shallow'
import { useAppStore } from '../../state/store'
import { TimeRangePicker } from './TimeRangePicker'

const SYNTAX: ReadonlyArray<[string, string]> = [
  ['host:ws01', 'a field equals a value (case-insensitive)'],
  ['user:svc_*  process:*\\cmd.exe', 'wildcards: * any run, ? one character'],
  ['mimikatz  "failed password"', 'a word or phrase anywhere (message and original fields)'],
  ['host:ws01 AND NOT user:admin', 'AND (or a space), OR, NOT and ( ) to group'],
  ['user:(alice OR bob)', 'several values of one field'],
  ['dst_port:[1 TO 1024]', 'a range, bounds included ({ } excludes)'],
  ['event_code:>=4624', 'comparisons: > >= < <='],
  ['_exists_:command_line', 'the field has a value'],
]

/** The query language at a glance: what analysts know from Kibana and Graylog. */
const SyntaxHelp = () => (
  <details className="menu syntax-help">
    <summary>Syntax</summary>
    <div className="menu-items syntax-items" role="dialog" aria-label="Query syntax">
      <dl className="kv">
        {SYNTAX.map(([example, meaning]) => (
          <div className="kv-pair" key={example}>
            <dt className="mono">{example}</dt>
            <dd className="muted">{meaning}</dd>
          </div>
        ))}
      </dl>
      <p className="muted">
        Fields: the hot columns (host, user, process, src_ip…) or any key of the original event.
      </p>
    </div>
  </details>
)

/** The filter bar: query, time range, Run (Enter); a syntax error is marked where it stops parsing. */
export const QueryBar = () => {
  const s = useAppStore(
    useShallow((state) => ({
      query: state.huntQuery,
      range: state.huntRange,
      loading: state.huntLoading,
      syntax: state.huntSyntaxError,
      setQuery: state.setHuntQuery,
      setRange: state.setHuntRange,
      run: state.runHunt,
      ran: state.huntRun !== null,
    })),
  )
  return (
    <>
      <form
        className="filters hunt-bar"
        role="search"
        aria-label="Hunt query"
        onSubmit={(e) => {
          e.preventDefault()
          void s.run()
        }}
      >
        <input
          type="search"
          className="mono hunt-query"
          aria-label="Query"
          placeholder='host:ws01 AND NOT user:svc_* AND "failed password"'
          value={s.query}
          spellCheck={false}
          aria-invalid={s.syntax !== null && s.syntax.query === s.query.trim()}
          aria-describedby={s.syntax ? 'hunt-syntax-error' : undefined}
          onChange={(e) => s.setQuery(e.target.value)}
        />
        <TimeRangePicker
          range={s.range}
          onChange={(range) => {
            s.setRange(range)
            // A preset answers at once, as in Kibana; custom bounds wait for Run.
            if (range.preset !== 'custom' && s.ran) void s.run()
          }}
        />
        <button type="submit" className="primary" disabled={s.loading}>
          Run
        </button>
        <SyntaxHelp />
      </form>
      {s.syntax && (
        <div className="syntax-error" id="hunt-syntax-error" role="alert" aria-label="Query error">
          <pre className="mono" aria-hidden="true">
            {s.syntax.query}
            {'\n'}
            {' '.repeat(s.syntax.position)}^
          </pre>
          <p className="error-text">
            Position {s.syntax.position}: {s.syntax.expected}
          </p>
        </div>
      )}
    </>
  )
}

import { useEffect } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useAppStore } from '../../state/store'

/** The libraries shipped in the app, with their licenses (MIT unless said). */
const THIRD_PARTY: ReadonlyArray<[name: string, license: string]> = [
  ['Electron', 'MIT'],
  ['React', 'MIT'],
  ['zustand', 'MIT'],
  ['Recharts', 'MIT'],
  ['TanStack Virtual', 'MIT'],
  ['Cytoscape.js', 'MIT'],
  ['zod', 'MIT'],
  ['better-sqlite3 (SQLite: public domain)', 'MIT'],
  ['DuckDB (@duckdb/node-api)', 'MIT'],
  ['ws', 'MIT'],
  ['yaml', 'ISC'],
  ['markdown-it', 'MIT'],
  ['DOMPurify', 'MPL-2.0 OR Apache-2.0'],
  ['protobuf.js', 'BSD-3-Clause'],
  ['msgpackr', 'MIT'],
  ['fflate', 'MIT'],
  ['Ajv', 'MIT'],
  ['csv-parse', 'MIT'],
  ['@ts-evtx/core', 'MIT'],
]

export const AboutView = () => {
  const { version, licenses, load } = useAppStore(
    useShallow((s) => ({ version: s.info?.version, licenses: s.ruleLicenses, load: s.loadRuleLicenses })),
  )
  useEffect(() => void load(), [load])
  return (
    // Focusable so the keyboard can scroll it (axe: scrollable-region-focusable).
    <div className="scroll" tabIndex={0} role="region" aria-label="About">
      <div className="view-header">
        <h1>About</h1>
      </div>
      <section className="panel" aria-label="Outpost">
        <h2>Outpost {version && <span className="mono">v{version}</span>}</h2>
        <p>A SOC console for air-gapped sites: collector, Sigma detection, and the analyst’s workspace.</p>
      </section>
      <section className="panel" aria-label="Detection rules">
        <h2>Detection rules</h2>
        <p>
          Rules from the Sigma project are licensed under the{' '}
          <strong>Detection Rule License (DRL) 1.1</strong>, which requires crediting their authors wherever
          the rules or their matches are shown; Outpost shows each rule’s author and license beside its
          matches. Copyright for each rule stays with its authors.
        </p>
        {licenses === null ? (
          <p className="muted">loading…</p>
        ) : licenses.length === 0 ? (
          <p className="muted">No rules loaded.</p>
        ) : (
          <table className="table" aria-label="Rules by license">
            <thead>
              <tr>
                <th>License</th>
                <th className="num">Rules</th>
                <th>Authors</th>
              </tr>
            </thead>
            <tbody>
              {licenses.map((l) => (
                <tr key={l.license}>
                  <td>{l.license}</td>
                  <td className="num">{l.rules}</td>
                  <td>{l.authors.join(', ') || <span className="muted">none stated</span>}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="panel" aria-label="Third-party software">
        <h2>Third-party software</h2>
        <table className="table">
          <thead>
            <tr>
              <th>Component</th>
              <th>License</th>
            </tr>
          </thead>
          <tbody>
            {THIRD_PARTY.map(([name, license]) => (
              <tr key={name}>
                <td>{name}</td>
                <td>{license}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
    </div>
  )
}

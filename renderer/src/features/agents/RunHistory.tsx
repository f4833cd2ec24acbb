import type { AgentInfo, AgentRun } from '../../../../collector/contract'
import { formatTimeShort } from '../../components/format'
import { useAppStore } from '../../state/store'
import { durationText } from './format'

/** An agent's runs, newest first; each run's output folds out as JSON. */
export const RunHistory = ({ agent, runs, total }: { agent: AgentInfo; runs: AgentRun[]; total: number }) => {
  const loadOlder = useAppStore((s) => s.loadOlderAgentRuns)
  return (
    <section className="panel" aria-label={`Run history of ${agent.title}`}>
      <h2>
        Run history: {agent.title}{' '}
        <span className="muted">
          ({runs.length < total ? `newest ${runs.length} of ` : ''}
          {total} kept)
        </span>
      </h2>
      {runs.length === 0 ? (
        <p className="muted">No runs yet: it runs on its schedule, or now with Run now.</p>
      ) : (
        <table className="table" aria-label={`Runs of ${agent.title}`}>
          <thead>
            <tr>
              <th>Started</th>
              <th>Trigger</th>
              <th className="num">Duration</th>
              <th>Outcome</th>
              <th>Summary</th>
              <th className="num">Alerts</th>
              <th className="num">Actions</th>
              <th>Output</th>
            </tr>
          </thead>
          <tbody>
            {runs.map((run) => (
              <tr key={run.id}>
                <td className="mono">{formatTimeShort(run.started_at)}</td>
                <td>{run.trigger}</td>
                <td className="num mono">{run.duration_ms === null ? '—' : durationText(run.duration_ms)}</td>
                <td>
                  <span className="status-badge" data-outcome={run.outcome ?? 'running'}>
                    {run.outcome ?? 'running'}
                  </span>
                </td>
                <td className="wrap">{run.summary}</td>
                <td className="num">{run.alerts}</td>
                <td className="num">{run.actions}</td>
                <td>
                  <details>
                    <summary>
                      Output
                      <span className="visually-hidden">
                        {' '}
                        of the run at {formatTimeShort(run.started_at)}
                      </span>
                    </summary>
                    <pre className="mono agent-output">{JSON.stringify(run.output, null, 2)}</pre>
                  </details>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {runs.length > 0 && runs.length < total && (
        <button type="button" onClick={() => void loadOlder()}>
          Older runs
        </button>
      )}
    </section>
  )
}

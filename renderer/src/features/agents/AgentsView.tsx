import { useEffect } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useAppStore } from '../../state/store'
import { AgentOptions } from './AgentOptions'
import { AgentRow } from './AgentRow'
import { RunHistory } from './RunHistory'

/** The automation agents inside the core: their schedules, a run now, and each one's history. */
export const AgentsView = () => {
  const { agents, error, selected, runs, total, load, loadRuns } = useAppStore(
    useShallow((s) => ({
      agents: s.agents,
      error: s.agentsError,
      selected: s.agentSelected,
      runs: s.agentRuns,
      total: s.agentRunsTotal,
      load: s.loadAgents,
      loadRuns: s.loadAgentRuns,
    })),
  )
  useEffect(() => {
    void load()
    void loadRuns()
  }, [load, loadRuns])
  const shown = agents.find((a) => a.name === selected)
  return (
    <>
      <div className="view-header">
        <h1>Agents</h1>
      </div>
      <p className="muted panel">
        Automation agents run inside the collector on their schedules (also <code>outpost agents</code>).
        Alerts they raise appear in the Alerts view.
      </p>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <div className="panel">
        <table className="table agents-table" aria-label="Agents">
          <thead>
            <tr>
              <th>Agent</th>
              <th>Enabled</th>
              <th>Interval</th>
              <th>Last run</th>
              <th>Next run</th>
              <th>
                <span className="visually-hidden">Controls</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {agents.map((agent) => (
              <AgentRow key={agent.name} agent={agent} selected={agent.name === selected} />
            ))}
          </tbody>
        </table>
      </div>
      {shown && <AgentOptions key={shown.name} agent={shown} />}
      {shown && <RunHistory agent={shown} runs={runs} total={total} />}
    </>
  )
}

import { useState } from 'react'
import type { AgentInfo } from '../../../../collector/contract'
import { FieldError } from '../../components/FieldError'
import { formatTimeShort } from '../../components/format'
import { useAppStore } from '../../state/store'
import { durationText } from './format'

/** One agent: enabled toggle, interval editor, run now, last outcome and next run. */
export const AgentRow = ({ agent, selected }: { agent: AgentInfo; selected: boolean }) => {
  const error = useAppStore((s) => s.agentErrors[agent.name])
  const setEnabled = useAppStore((s) => s.setAgentEnabled)
  const setInterval = useAppStore((s) => s.setAgentInterval)
  const run = useAppStore((s) => s.runAgent)
  const select = useAppStore((s) => s.selectAgent)
  const [interval, setText] = useState(String(agent.interval_s))
  const [saving, setSaving] = useState(false)
  // A change saved elsewhere (another window, another analyst) replaces what the field shows.
  const [shown, setShown] = useState(agent.interval_s)
  if (shown !== agent.interval_s) {
    setShown(agent.interval_s)
    setText(String(agent.interval_s))
  }

  const errorId = `agent-${agent.name}-error`
  const last = agent.last_run
  return (
    <tr aria-selected={selected}>
      <th scope="row">
        <div>{agent.title}</div>
        <div className="muted agent-description">{agent.description}</div>
      </th>
      <td>
        <label className="agent-toggle">
          <input
            type="checkbox"
            checked={agent.enabled}
            onChange={(e) => void setEnabled(agent.name, e.target.checked)}
            aria-label={`${agent.title} enabled`}
          />
          {agent.enabled ? 'On' : 'Off'}
        </label>
      </td>
      <td>
        <form
          className="agent-interval"
          aria-label={`Interval of ${agent.title}`}
          onSubmit={(e) => {
            e.preventDefault()
            setSaving(true)
            void setInterval(agent.name, interval).finally(() => setSaving(false))
          }}
        >
          <input
            className="mono"
            inputMode="numeric"
            value={interval}
            onChange={(e) => setText(e.target.value)}
            aria-label={`${agent.title} interval in seconds`}
            aria-invalid={error !== undefined}
            aria-describedby={error ? errorId : undefined}
            size={7}
          />
          <span className="muted">s</span>
          <button type="submit" disabled={saving || interval === String(agent.interval_s)}>
            Save<span className="visually-hidden"> interval of {agent.title}</span>
          </button>
          <span className="muted">{durationText(agent.interval_s * 1000)}</span>
        </form>
        <FieldError id={errorId} label={`${agent.title} error`} message={error} />
      </td>
      <td>
        {last ? (
          <>
            <span className="status-badge" data-outcome={last.outcome ?? 'running'}>
              {last.outcome ?? 'running'}
            </span>{' '}
            <span className="mono">{formatTimeShort(last.started_at)}</span>
            <div className="muted agent-summary">{last.summary}</div>
          </>
        ) : (
          <span className="muted">never run</span>
        )}
      </td>
      <td className="mono">{agent.next_run_at ? formatTimeShort(agent.next_run_at) : 'disabled'}</td>
      <td>
        <div className="toolbar">
          <button
            type="button"
            className="primary"
            disabled={agent.running}
            onClick={() => void run(agent.name)}
          >
            {agent.running ? 'Running…' : 'Run now'}
            <span className="visually-hidden"> {agent.title}</span>
          </button>
          <button
            type="button"
            aria-pressed={selected}
            onClick={() => void select(agent.name)}
            aria-label={`History of ${agent.title}`}
          >
            History
          </button>
        </div>
      </td>
    </tr>
  )
}

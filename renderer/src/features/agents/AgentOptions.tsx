import { useState } from 'react'
import type { AgentInfo } from '../../../../collector/contract'
import { FieldError } from '../../components/FieldError'
import { useAppStore } from '../../state/store'

const pretty = (options: Record<string, unknown>): string => JSON.stringify(options, null, 2)

/** An agent's thresholds as JSON: the core validates each one and names what is wrong. */
export const AgentOptions = ({ agent }: { agent: AgentInfo }) => {
  const error = useAppStore((s) => s.agentOptionErrors[agent.name])
  const save = useAppStore((s) => s.setAgentOptions)
  const [text, setText] = useState(pretty(agent.options))
  const [shown, setShown] = useState(agent.options)
  const [saving, setSaving] = useState(false)
  // Saved elsewhere (or here): the field shows what is stored.
  if (shown !== agent.options) {
    setShown(agent.options)
    setText(pretty(agent.options))
  }
  if (Object.keys(agent.options).length === 0) return null
  const errorId = `agent-${agent.name}-options-error`
  return (
    <form
      className="panel agent-options"
      aria-label={`Options of ${agent.title}`}
      onSubmit={(e) => {
        e.preventDefault()
        setSaving(true)
        void save(agent.name, text).finally(() => setSaving(false))
      }}
    >
      <h2>Options: {agent.title}</h2>
      <textarea
        className="mono"
        value={text}
        onChange={(e) => setText(e.target.value)}
        rows={Math.min(14, text.split('\n').length + 1)}
        spellCheck={false}
        aria-label={`${agent.title} options (JSON)`}
        aria-invalid={error !== undefined}
        aria-describedby={error ? errorId : undefined}
      />
      <FieldError id={errorId} label={`${agent.title} options error`} message={error} />
      <div className="toolbar">
        <button type="submit" disabled={saving || text === pretty(agent.options)}>
          Save options<span className="visually-hidden"> of {agent.title}</span>
        </button>
      </div>
    </form>
  )
}

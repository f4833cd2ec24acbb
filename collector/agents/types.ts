/**
 * What every automation agent (monitor, analyzer, executor) reports for one run. The scheduler
 * stores it in the run history and the Agents view shows it.
 */
export type AgentName = 'monitor' | 'analyzer' | 'executor'

export type AgentOutcome = 'ok' | 'warning' | 'failed'

export type AgentRunResult = {
  outcome: AgentOutcome
  /** One line for the run history: "3 sources silent", "2 actions completed". */
  summary: string
  /** What the run found or did, shown as JSON in the run's detail. */
  output: Record<string, unknown>
  /** Alerts this run raised. */
  alerts: number
  /** Response actions this run proposed or carried out. */
  actions: number
}

/** One run of an agent; `signal` aborts it (the core stopping, or a run past its time budget). */
export type AgentRunner = (signal: AbortSignal) => Promise<AgentRunResult>

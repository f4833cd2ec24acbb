import type { AgentInfo, AgentRun } from '../contract'
import { ContractError } from '../contract'
import type { Audited } from '../detect/rule-calls'
import type { Logger } from '../host/log'
import type { AgentSettings, AgentsRepo } from '../store/sqlite/agents-repo'
import type { AgentName, AgentRunner, AgentRunResult } from './types'

/** Time as the scheduler sees it: tests pass a fake one and move it by hand. */
export type Clock = {
  now(): number
  setTimer(run: () => void, ms: number): unknown
  clearTimer(timer: unknown): void
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (run, ms) => {
    // Node caps timers at 2^31-1 ms (~24.8 days); intervals here are at most 7 days.
    const timer = setTimeout(run, ms)
    timer.unref()
    return timer
  },
  clearTimer: (timer) => clearTimeout(timer as NodeJS.Timeout),
}

export type AgentDefinition = {
  name: AgentName
  title: string
  description: string
  defaults: AgentSettings
  /** Gets the agent's current options when it runs (the scheduler's `options(name)`). */
  runner: AgentRunner
  /** A run longer than this is aborted; default: its interval, at most 10 minutes. */
  budgetMs?: number
  /** Called when a run is aborted, to stop work its signal cannot reach (a DuckDB query). */
  onAbort?: () => void
}

type Slot = {
  definition: AgentDefinition
  timer: unknown
  nextRunAt: number | null
  running: Promise<AgentRun> | null
  controller: AbortController | null
  /** The runner's own promise, settled or not: an aborted runner may still be winding down. */
  work: Promise<void>
}

const MAX_BUDGET_MS = 10 * 60_000

class BudgetExceeded extends Error {}

/**
 * Runs each agent on its schedule, one run at a time per agent. The next run is due an interval
 * after the last one started (stored, so a restart keeps the rhythm); an agent never run is due an
 * interval after the start. Settings changes are audited, and every change of state is pushed.
 */
export class AgentScheduler {
  private readonly slots = new Map<AgentName, Slot>()
  /** When start() ran: an agent never run is first due an interval after it. */
  private startedAt: number | null = null
  private stopped = false

  constructor(
    private readonly deps: {
      repo: AgentsRepo
      audited: Audited
      /** Called with the agent whenever its settings, schedule or running state change. */
      changed: (agent: AgentInfo) => void
      log: Logger
      clock?: Clock
    },
    definitions: readonly AgentDefinition[],
  ) {
    for (const definition of definitions)
      this.slots.set(definition.name, {
        definition,
        timer: null,
        nextRunAt: null,
        running: null,
        controller: null,
        work: Promise.resolve(),
      })
  }

  private get clock(): Clock {
    return this.deps.clock ?? systemClock
  }

  private slot(name: AgentName): Slot {
    const slot = this.slots.get(name)
    if (!slot)
      throw new ContractError('not_found', `no agent named ${name}: use monitor, analyzer or executor`)
    return slot
  }

  settings(name: AgentName): AgentSettings {
    const { defaults } = this.slot(name).definition
    const stored = this.deps.repo.settings(name)
    // Options added in a later version take their default until changed.
    return stored ? { ...stored, options: { ...defaults.options, ...stored.options } } : defaults
  }

  options(name: AgentName): Record<string, unknown> {
    return this.settings(name).options
  }

  /** Plans every enabled agent; runs left unfinished by a crash are closed as failed first. */
  start(): void {
    this.startedAt = this.clock.now()
    this.deps.repo.closeUnfinished(this.startedAt)
    for (const name of this.slots.keys()) this.plan(name)
  }

  info(name: AgentName): AgentInfo {
    const slot = this.slot(name)
    const settings = this.settings(name)
    return {
      name,
      title: slot.definition.title,
      description: slot.definition.description,
      enabled: settings.enabled,
      interval_s: settings.interval_s,
      options: settings.options,
      last_run: this.deps.repo.lastRun(name) ?? null,
      next_run_at: slot.nextRunAt === null ? null : new Date(slot.nextRunAt).toISOString(),
      running: slot.running !== null,
    }
  }

  list(): AgentInfo[] {
    return [...this.slots.keys()].map((name) => this.info(name))
  }

  /** When the agent is next due (ms), from its last stored run; null when disabled. */
  dueAt(name: AgentName, from = this.clock.now()): number | null {
    const settings = this.settings(name)
    if (!settings.enabled) return null
    const last = this.deps.repo.lastStarted(name)
    return (last ?? from) + settings.interval_s * 1000
  }

  private plan(name: AgentName): void {
    const slot = this.slot(name)
    if (slot.timer !== null) this.clock.clearTimer(slot.timer)
    slot.timer = null
    slot.nextRunAt = null
    if (this.startedAt === null || this.stopped) return
    const due = this.dueAt(name, this.startedAt)
    if (due === null) return
    slot.nextRunAt = due
    // Running already: it plans the next one when it finishes.
    if (slot.running) return
    slot.timer = this.clock.setTimer(
      () => {
        slot.timer = null
        void this.run(name, 'schedule').catch((error: Error) =>
          this.deps.log.error('scheduled agent run failed', { agent: name, error: error.message }),
        )
      },
      Math.max(0, due - this.clock.now()),
    )
  }

  /** Changes settings (audited, in one transaction) and re-plans the next run. */
  update(
    name: AgentName,
    patch: {
      enabled?: boolean | undefined
      interval_s?: number | undefined
      options?: Record<string, unknown> | undefined
    },
  ): AgentInfo {
    const current = this.settings(name)
    const next: AgentSettings = {
      enabled: patch.enabled ?? current.enabled,
      interval_s: patch.interval_s ?? current.interval_s,
      // Only options ever set are stored: the others follow the defaults of the running version.
      options: { ...this.deps.repo.settings(name)?.options, ...patch.options },
    }
    this.deps.audited(
      {
        action: 'update',
        object_type: 'agent',
        object_id: name,
        details: { ...patch, before: { enabled: current.enabled, interval_s: current.interval_s } },
      },
      () => this.deps.repo.saveSettings(name, next, this.clock.now()),
    )
    this.plan(name)
    const info = this.info(name)
    this.deps.changed(info)
    return info
  }

  /** Runs the agent now (audited); refused while it is running. Resolves with the finished run. */
  runNow(name: AgentName): Promise<AgentRun> {
    const slot = this.slot(name)
    if (slot.running)
      throw new ContractError('conflict', `the ${name} agent is running already; wait for it to finish`)
    if (this.stopped) throw new ContractError('unavailable', 'the agents are stopping')
    return this.run(name, 'manual')
  }

  private run(name: AgentName, trigger: AgentRun['trigger']): Promise<AgentRun> {
    const slot = this.slot(name)
    if (slot.running) return slot.running
    const startedAt = this.clock.now()
    const id =
      trigger === 'manual'
        ? this.deps.audited({ action: 'run', object_type: 'agent', object_id: name }, () =>
            this.deps.repo.startRun(name, trigger, startedAt),
          )
        : this.deps.repo.startRun(name, trigger, startedAt)
    const controller = new AbortController()
    slot.controller = controller
    const budgetMs = Math.min(
      slot.definition.budgetMs ?? this.settings(name).interval_s * 1000,
      slot.definition.budgetMs ?? MAX_BUDGET_MS,
    )
    const running = this.execute(slot, controller, budgetMs).then((result) => {
      const run = this.deps.repo.finishRun(id, result, this.clock.now())
      slot.running = null
      slot.controller = null
      if (result.outcome === 'failed')
        this.deps.log.error('agent run failed', { agent: name, summary: result.summary })
      this.plan(name)
      this.deps.changed(this.info(name))
      return run
    })
    slot.running = running
    if (slot.timer !== null) this.clock.clearTimer(slot.timer)
    slot.timer = null
    this.deps.changed(this.info(name))
    return running
  }

  /** The runner's result; a throw, an abort or the budget running out is a failed run saying why. */
  private async execute(slot: Slot, controller: AbortController, budgetMs: number): Promise<AgentRunResult> {
    const aborted = new Promise<never>((_, reject) => {
      const onAbort = (): void => {
        reject(controller.signal.reason as Error)
        try {
          slot.definition.onAbort?.()
        } catch (error) {
          this.deps.log.error('agent abort hook failed', { error: (error as Error).message })
        }
      }
      if (controller.signal.aborted) onAbort()
      else controller.signal.addEventListener('abort', onAbort, { once: true })
    })
    // Raced below, or never looked at when the run is aborted before its runner starts.
    aborted.catch(() => undefined)
    const timer = this.clock.setTimer(
      () =>
        controller.abort(
          new BudgetExceeded(`aborted: ran past its time budget of ${Math.round(budgetMs / 1000)} s`),
        ),
      budgetMs,
    )
    try {
      // A runner that ignores its signal is left behind: the run ends when the signal fires.
      // The previous run's leftovers (an aborted runner winding down) finish first.
      await slot.work
      controller.signal.throwIfAborted()
      const work = slot.definition.runner(controller.signal)
      slot.work = work.then(
        () => undefined,
        () => undefined,
      )
      return await Promise.race([work, aborted])
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error)
      return {
        outcome: 'failed',
        summary:
          error instanceof BudgetExceeded || controller.signal.aborted ? message : `failed: ${message}`,
        output: { error: message },
        alerts: 0,
        actions: 0,
      }
    } finally {
      this.clock.clearTimer(timer)
    }
  }

  runs(name: AgentName, limit: number, beforeId?: number): { runs: AgentRun[]; total: number } {
    this.slot(name)
    return this.deps.repo.runs(name, limit, beforeId)
  }

  /**
   * Clears the timers, aborts running runs and waits until they are recorded, and up to `graceMs`
   * for aborted runners to wind down (the stores close after this).
   */
  async stop(graceMs = 5_000): Promise<void> {
    this.stopped = true
    const running: Array<Promise<unknown>> = []
    for (const slot of this.slots.values()) {
      if (slot.timer !== null) this.clock.clearTimer(slot.timer)
      slot.timer = null
      slot.nextRunAt = null
      slot.controller?.abort(new Error('aborted: Outpost is stopping'))
      if (slot.running) running.push(slot.running.catch(() => undefined))
    }
    await Promise.all(running)
    let timer: unknown = null
    await Promise.race([
      Promise.all([...this.slots.values()].map((slot) => slot.work)),
      new Promise<void>((resolve) => (timer = this.clock.setTimer(resolve, graceMs))),
    ])
    this.clock.clearTimer(timer)
  }
}

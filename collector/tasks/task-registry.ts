import { randomUUID } from 'node:crypto'
import type { Task, TaskKind } from '../contract'

/** At most 4 progress pushes a second per task: a bar needs no more. Starts and ends go at once. */
export const TASK_PUSH_INTERVAL_MS = 250
/** Finished tasks `tasks:list` remembers (the tray shows them briefly; toasts say the result). */
export const MAX_FINISHED_KEPT = 20

export type TaskSpec = {
  kind: TaskKind
  title: string
  /** false: the operation cannot stop part-way (one short transaction); no Cancel button. */
  cancellable?: boolean
  phase?: string
  /** Called once when cancelled, besides the signal aborting (e.g. interrupt a DuckDB query). */
  onCancel?: () => void
}

/** What a running operation holds: its signal, and how it says progress and its end. */
export type TaskHandle = {
  readonly id: string
  readonly signal: AbortSignal
  /** `fraction` 0–1, or null when it cannot tell; `phase` says what it does now. */
  progress(fraction: number | null, phase?: string): void
  done(message: string): void
  fail(message: string): void
  cancelled(message: string): void
}

export type TaskRegistryOptions = {
  publish: (task: Task) => void
  intervalMs?: number
  now?: () => number
}

type Entry = {
  task: Task
  controller: AbortController
  onCancel: (() => void) | undefined
  lastPush: number
  timer: NodeJS.Timeout | undefined
}

/** Cancelled by the operator (`tasks:cancel`), as an operation sees it when its signal aborts. */
export class TaskCancelledError extends Error {
  constructor(title: string) {
    super(`${title}: cancelled`)
    this.name = 'TaskCancelledError'
  }
}

/**
 * The core's long operations, host-agnostic: each registers a task, reports progress (pushed at
 * most every `intervalMs`, the latest value always arriving), and is cancelled through its
 * AbortSignal. The operation decides what a clean stop is; the registry only records the end.
 */
export class TaskRegistry {
  private readonly entries = new Map<string, Entry>()
  private readonly intervalMs: number
  private readonly now: () => number

  constructor(private readonly options: TaskRegistryOptions) {
    this.intervalMs = options.intervalMs ?? TASK_PUSH_INTERVAL_MS
    this.now = options.now ?? Date.now
  }

  start(spec: TaskSpec): TaskHandle {
    const task: Task = {
      id: randomUUID(),
      kind: spec.kind,
      title: spec.title,
      state: 'running',
      progress: null,
      phase: spec.phase ?? 'starting',
      cancellable: spec.cancellable ?? true,
      started_at: new Date(this.now()).toISOString(),
      ended_at: null,
      message: null,
    }
    const entry: Entry = {
      task,
      controller: new AbortController(),
      onCancel: spec.onCancel,
      lastPush: 0,
      timer: undefined,
    }
    this.entries.set(task.id, entry)
    this.push(entry)
    const end = (state: Task['state'], message: string): void => this.end(entry, state, message)
    return {
      id: task.id,
      signal: entry.controller.signal,
      progress: (fraction, phase) => {
        if (task.state !== 'running') return
        task.progress = fraction === null ? null : Math.min(1, Math.max(0, fraction))
        if (phase !== undefined) task.phase = phase
        this.throttled(entry)
      },
      done: (message) => end('done', message),
      fail: (message) => end('failed', message),
      cancelled: (message) => end('cancelled', message),
    }
  }

  /**
   * Runs `work` as a task: its end is recorded from how `work` settles (an error after cancel
   * counts as cancelled), and the value or error passes through.
   */
  async run<T>(
    spec: TaskSpec,
    work: (handle: TaskHandle) => Promise<T>,
    said: (value: T) => string,
  ): Promise<T> {
    const handle = this.start(spec)
    try {
      const value = await work(handle)
      if (handle.signal.aborted) {
        handle.cancelled(`${spec.title}: cancelled`)
        throw new TaskCancelledError(spec.title)
      }
      handle.done(said(value))
      return value
    } catch (error) {
      if (handle.signal.aborted) handle.cancelled(`${spec.title}: cancelled`)
      else handle.fail(`${spec.title} failed: ${(error as Error).message}`)
      throw handle.signal.aborted && !(error instanceof TaskCancelledError)
        ? new TaskCancelledError(spec.title)
        : error
    }
  }

  /** Aborts a running task. Unknown: undefined; finished or not cancellable: answered as it is. */
  cancel(id: string): Task | undefined {
    const entry = this.entries.get(id)
    if (!entry) return undefined
    if (entry.task.state === 'running' && entry.task.cancellable && !entry.controller.signal.aborted) {
      entry.task.phase = 'cancelling'
      entry.controller.abort()
      try {
        entry.onCancel?.()
      } finally {
        this.push(entry)
      }
    }
    return { ...entry.task }
  }

  get(id: string): Task | undefined {
    const entry = this.entries.get(id)
    return entry ? { ...entry.task } : undefined
  }

  /** Running tasks first, then finished ones; newest first in each. */
  list(): Task[] {
    const tasks = [...this.entries.values()].map((e) => ({ ...e.task })).reverse()
    return [...tasks.filter((t) => t.state === 'running'), ...tasks.filter((t) => t.state !== 'running')]
  }

  /** Cancels every running task (shutdown). */
  cancelAll(): void {
    for (const entry of this.entries.values()) if (entry.task.state === 'running') this.cancel(entry.task.id)
  }

  private end(entry: Entry, state: Task['state'], message: string): void {
    if (entry.task.state !== 'running') return
    clearTimeout(entry.timer)
    entry.timer = undefined
    Object.assign(entry.task, {
      state,
      message,
      phase: state,
      ended_at: new Date(this.now()).toISOString(),
      progress: state === 'done' ? 1 : entry.task.progress,
    })
    this.push(entry)
    this.forgetOld()
  }

  private throttled(entry: Entry): void {
    const wait = entry.lastPush + this.intervalMs - this.now()
    if (wait <= 0) this.push(entry)
    else
      entry.timer ??= setTimeout(() => {
        entry.timer = undefined
        if (entry.task.state === 'running') this.push(entry)
      }, wait).unref()
  }

  private push(entry: Entry): void {
    entry.lastPush = this.now()
    this.options.publish({ ...entry.task })
  }

  private forgetOld(): void {
    const finished = [...this.entries.values()].filter((e) => e.task.state !== 'running')
    for (const old of finished.slice(0, Math.max(0, finished.length - MAX_FINISHED_KEPT)))
      this.entries.delete(old.task.id)
  }
}

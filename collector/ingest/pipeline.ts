import type { EventKind } from '../contract'
import type { CommittedRow, EventsRepo, NewEvent } from '../store/sqlite/events-repo'

type Pending = {
  events: readonly NewEvent[]
  key: { key: string; listener: string } | null
  kind: EventKind
  resolve: (result: SubmitResult) => void
  reject: (error: Error) => void
}
/** `duplicate`: the submission's idempotency key was already committed, so nothing was stored again. */
export type SubmitResult = { duplicate: boolean }
/** `alerts`: how many alerts the batch raised (events that are detections themselves). */
export type CommittedBatch = {
  first: number
  last: number
  count: number
  inserted: number
  alerts: number
  /** The rows written, in seq order: the live engine evaluates them without reading them back. */
  events: CommittedRow[]
}

/**
 * Storage is behind: more events are waiting for their commit than the bound allows. Nothing of
 * the submission was taken; HTTP answers 503 with Retry-After (HEC: code 9), stream listeners wait
 * and submit again (see submitPatiently), UDP drops and counts.
 */
export class BusyError extends Error {
  constructor(waiting: number) {
    super(`storage is behind (${waiting} events waiting to be committed); retry shortly`)
    this.name = 'BusyError'
  }
}

/**
 * Group commit: every submission made in the same turn of the event loop is written in one
 * SQLite transaction, and each submitter hears back only after that commit. Listeners
 * acknowledge to forwarders on that promise, never before.
 */
export class IngestPipeline {
  private pending: Pending[] = []
  private pendingEvents = 0
  private scheduled = false
  private closed = false

  constructor(
    private readonly repo: EventsRepo,
    private readonly onCommitted: (batch: CommittedBatch) => void,
    /** Bound on events queued for the next commit: memory stays bounded when the disk lags. */
    private readonly maxPendingEvents = 200_000,
  ) {}

  /** Events waiting for the next commit (the monitor agent's queue depth). */
  get depth(): number {
    return this.pendingEvents
  }

  submit(
    events: readonly NewEvent[],
    options: { idempotency?: { key: string; listener: string }; kind?: EventKind } = {},
  ): Promise<SubmitResult> {
    if (this.closed) return Promise.reject(new Error('the collector is shutting down'))
    if (events.length === 0) return Promise.resolve({ duplicate: false })
    if (this.pendingEvents > 0 && this.pendingEvents + events.length > this.maxPendingEvents) {
      return Promise.reject(new BusyError(this.pendingEvents))
    }
    this.pendingEvents += events.length
    return new Promise((resolve, reject) => {
      this.pending.push({
        events,
        key: options.idempotency ?? null,
        kind: options.kind ?? 'event',
        resolve,
        reject,
      })
      if (!this.scheduled) {
        this.scheduled = true
        setImmediate(() => this.flush())
      }
    })
  }

  /** Writes whatever is queued now. Also called on shutdown so nothing submitted is dropped. */
  flush(): void {
    this.scheduled = false
    const batch = this.pending
    if (batch.length === 0) return
    this.pending = []
    this.pendingEvents = 0
    let result: ReturnType<EventsRepo['commit']>
    try {
      result = this.repo.commit(batch)
    } catch (error) {
      const count = batch.reduce((n, p) => n + p.events.length, 0)
      const failure = new Error(`storing ${count} events failed: ${(error as Error).message}`)
      for (const p of batch) p.reject(failure)
      return
    }
    batch.forEach((p, i) => p.resolve({ duplicate: result.duplicates[i] ?? false }))
    const { range } = result
    if (range.inserted > 0)
      this.onCommitted({ ...range, count: range.inserted, alerts: result.alerts, events: result.committed })
  }

  close(): void {
    this.flush()
    this.closed = true
  }
}

/**
 * For stream listeners, which cannot answer "busy": waits while storage is behind (the connection
 * stays paused, so the sender is slowed by TCP itself) and submits again. Other errors reject.
 */
export const submitPatiently = async (
  pipeline: IngestPipeline,
  events: readonly NewEvent[],
  options: Parameters<IngestPipeline['submit']>[1] = {},
): Promise<SubmitResult> => {
  for (let delay = 10; ; delay = Math.min(delay * 2, 1000)) {
    try {
      return await pipeline.submit(events, options)
    } catch (error) {
      if (!(error instanceof BusyError)) throw error
      await new Promise((resolve) => setTimeout(resolve, delay))
    }
  }
}

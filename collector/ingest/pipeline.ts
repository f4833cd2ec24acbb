import type { EventKind } from '../contract'
import type { EventsRepo, NewEvent } from '../store/sqlite/events-repo'

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
export type CommittedBatch = { first: number; last: number; count: number; inserted: number; alerts: number }

/**
 * Group commit: every submission made in the same turn of the event loop is written in one
 * SQLite transaction, and each submitter hears back only after that commit. Listeners
 * acknowledge to forwarders on that promise, never before.
 */
export class IngestPipeline {
  private pending: Pending[] = []
  private scheduled = false
  private closed = false

  constructor(
    private readonly repo: EventsRepo,
    private readonly onCommitted: (batch: CommittedBatch) => void,
  ) {}

  submit(
    events: readonly NewEvent[],
    options: { idempotency?: { key: string; listener: string }; kind?: EventKind } = {},
  ): Promise<SubmitResult> {
    if (this.closed) return Promise.reject(new Error('the collector is shutting down'))
    if (events.length === 0) return Promise.resolve({ duplicate: false })
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
    if (range.inserted > 0) this.onCommitted({ ...range, count: range.inserted, alerts: result.alerts })
  }

  close(): void {
    this.flush()
    this.closed = true
  }
}

import type { EventsRepo, NewEvent } from '../store/sqlite/events-repo'

type Pending = { events: readonly NewEvent[]; resolve: () => void; reject: (error: Error) => void }
export type CommittedBatch = { first: number; last: number; count: number }

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

  submit(events: readonly NewEvent[]): Promise<void> {
    if (this.closed) return Promise.reject(new Error('the collector is shutting down'))
    if (events.length === 0) return Promise.resolve()
    return new Promise((resolve, reject) => {
      this.pending.push({ events, resolve, reject })
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
    const all = batch.length === 1 ? batch[0]!.events : batch.flatMap((p) => p.events)
    let range: { first: number; last: number }
    try {
      range = this.repo.insertBatch(all)
    } catch (error) {
      const failure = new Error(`storing ${all.length} events failed: ${(error as Error).message}`)
      for (const p of batch) p.reject(failure)
      return
    }
    for (const p of batch) p.resolve()
    this.onCommitted({ ...range, count: all.length })
  }

  close(): void {
    this.flush()
    this.closed = true
  }
}

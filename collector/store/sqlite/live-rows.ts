/**
 * What consumers of the event stream share (the live Sigma engine, the asset indexer): each reads
 * the stored events in seq order from a cursor of its own, and the rows the pipeline has just
 * committed are handed to it so it need not read them back.
 */
import type { CommittedEvent } from './events-repo'

/** Committed rows held for a consumer at most, by default; past it they are read back from the store. */
const LIVE_MAX = 20_000

/**
 * Rows the pipeline committed, not yet consumed. They are used when they continue the cursor;
 * anything else (a backlog, rows another process wrote) is read from the store by `readChunk`,
 * so the queue is only ever a shortcut.
 */
export class LiveRows<T extends { seq: number } = CommittedEvent> {
  private live: T[] = []
  private head = 0

  constructor(
    private readonly readChunk: (cursor: number, limit: number) => T[],
    private readonly max = LIVE_MAX,
  ) {}

  offer(rows: readonly T[]): void {
    if (this.live.length - this.head + rows.length > this.max) this.clear()
    else for (const row of rows) this.live.push(row)
  }

  clear(): void {
    this.live = []
    this.head = 0
  }

  /** Rows offered and not yet taken. */
  get queued(): number {
    return this.live.length - this.head
  }

  /** Up to `limit` rows after `cursor`: from the queue when it continues the cursor, else the store. */
  next(cursor: number, limit: number): T[] {
    const live = this.live
    let head = this.head
    while (head < live.length && live[head]!.seq <= cursor) head++
    let end = head
    if (head < live.length && live[head]!.seq === cursor + 1) {
      end++
      while (end - head < limit && end < live.length && live[end]!.seq === live[end - 1]!.seq + 1) end++
    }
    // An array with a moving head, compacted once drained or mostly consumed.
    this.head = end
    if (end === live.length) this.clear()
    else if (end > 4096 && end * 2 > live.length) {
      this.live = live.slice(end)
      this.head = 0
    }
    return end > head ? live.slice(head, end) : this.readChunk(cursor, limit)
  }
}

/**
 * One run of `task` at a time: a kick while it runs asks for one more run after it, so whatever
 * arrived meanwhile is seen. A failed run is logged by `failed`; the next kick tries again.
 */
export class Rerun {
  private running: Promise<void> | null = null
  private again = false

  constructor(
    private readonly task: () => Promise<void>,
    private readonly failed: (error: Error) => void,
    private readonly allowed: () => boolean,
  ) {}

  kick(): void {
    if (!this.allowed()) return
    if (this.running) {
      this.again = true
      return
    }
    this.running = this.task()
      .catch((error: unknown) => this.failed(error as Error))
      .finally(() => {
        this.running = null
        if (this.again) {
          this.again = false
          this.kick()
        }
      })
  }

  /** Resolves once no run is under way or asked for. */
  async idle(): Promise<void> {
    while (this.running) await this.running
  }
}

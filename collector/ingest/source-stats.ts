/**
 * Per-source counters for every listener: what arrived, what was stored, what was refused or
 * dropped and why, and when the source was last heard from. In memory; cheap enough for the
 * hot path (a map lookup and a few additions per batch).
 */
export type SourceCounters = {
  listener: string
  source: string
  bytes: number
  events: number
  errors: number
  drops: number
  last_seen: number // ms since the epoch
  last_error: string | null
  /** Events stored per second, over the last RATE_WINDOW_S seconds. */
  events_per_s: number
}

const RATE_WINDOW_S = 10

type Entry = Omit<SourceCounters, 'events_per_s'> & { buckets: Float64Array; bucketSecond: number }

export class SourceStats {
  private readonly entries = new Map<string, Entry>()

  constructor(
    /** Where refused input is kept (the dead-letter table). */
    private readonly onReject: (
      listener: string,
      source: string,
      reason: string,
      payload: Buffer | string | null,
    ) => void = () => {},
    private readonly now: () => number = Date.now,
  ) {}

  private entry(listener: string, source: string): Entry {
    const key = `${listener}\u0000${source}`
    let entry = this.entries.get(key)
    if (!entry) {
      entry = {
        listener,
        source,
        bytes: 0,
        events: 0,
        errors: 0,
        drops: 0,
        last_seen: 0,
        last_error: null,
        buckets: new Float64Array(RATE_WINDOW_S),
        bucketSecond: Math.floor(this.now() / 1000),
      }
      this.entries.set(key, entry)
    }
    return entry
  }

  private advance(entry: Entry, second: number): void {
    const gap = second - entry.bucketSecond
    if (gap <= 0) return
    for (let i = 1; i <= Math.min(gap, RATE_WINDOW_S); i++)
      entry.buckets[(entry.bucketSecond + i) % RATE_WINDOW_S] = 0
    entry.bucketSecond = second
  }

  received(listener: string, source: string, bytes: number): void {
    const entry = this.entry(listener, source)
    entry.bytes += bytes
    entry.last_seen = this.now()
  }

  stored(listener: string, source: string, events: number): void {
    const entry = this.entry(listener, source)
    const now = this.now()
    const second = Math.floor(now / 1000)
    this.advance(entry, second)
    entry.buckets[second % RATE_WINDOW_S]! += events
    entry.events += events
    entry.last_seen = now
  }

  /** Input refused with a reason: counted, and kept with its payload for inspection. */
  rejected(listener: string, source: string, reason: string, payload: Buffer | string | null = null): void {
    this.onReject(listener, source, reason, payload)
    const entry = this.entry(listener, source)
    entry.errors++
    entry.last_error = reason
    entry.last_seen = this.now()
  }

  dropped(listener: string, source: string, count: number, reason: string): void {
    const entry = this.entry(listener, source)
    entry.drops += count
    entry.last_error = reason
  }

  snapshot(): SourceCounters[] {
    const second = Math.floor(this.now() / 1000)
    const out: SourceCounters[] = []
    for (const entry of this.entries.values()) {
      this.advance(entry, second)
      // The current second is still filling: average over the complete ones.
      let sum = 0
      for (let i = 1; i < RATE_WINDOW_S; i++) sum += entry.buckets[(second - i) % RATE_WINDOW_S]!
      const { buckets: _buckets, bucketSecond: _second, ...counters } = entry
      out.push({ ...counters, events_per_s: sum / (RATE_WINDOW_S - 1) })
    }
    return out
  }
}

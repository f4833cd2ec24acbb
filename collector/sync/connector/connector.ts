import type { Database } from 'better-sqlite3'
import { isMergedKind, MERGED_KINDS } from '../merge'
import { PULL_KINDS, resolveConflict, type SyncKind, type SyncRecord } from '../records'
import { syncJson, syncRequest, SyncRequestError, type SyncEndpoint } from './http-client'
import type { SyncStore } from './sync-store'

export type Hello = {
  api_version: string
  core_id: string
  console_id: string
  role: 'viewer' | 'analyst' | 'admin'
  head: number
}
type PushResult = { key: string; outcome: 'applied' | 'duplicate' | 'conflict'; winner: SyncRecord }
type PullPage = { records: Array<{ seq: number; record: SyncRecord }>; next: number; head: number }

export type ConnectorStatus = {
  configured: boolean
  url: string | null
  console_id: string | null
  role: string | null
  queue_depth: number
  conflicts: number
  last_success: string | null
  last_error: string | null
  next_retry: string | null
  cursor: number
  running: boolean
}

export type ConnectorDeps = {
  db: Database
  store: SyncStore
  /** The current local version of an object as a record (for conflicts), or null. */
  localRecord: (kind: SyncKind, id: string) => SyncRecord | null
  /** Writes a pulled record into the local tables; false: kept in the inbox for its engine. */
  applyPulled: (record: SyncRecord) => boolean
  /** Path of an evidence file stored here, or null. */
  evidenceFile?: (sha256: string) => Promise<Buffer | null>
  changed?: () => void
  now?: () => number
  random?: () => number
  /** First retry after about this long, doubling per attempt up to maxDelayMs. */
  baseDelayMs?: number
  maxDelayMs?: number
  batchSize?: number
  log?: (message: string, fields?: Record<string, string | number | boolean | null | undefined>) => void
}

const sameVersion = (a: SyncRecord, b: SyncRecord): boolean =>
  a.version === b.version && a.updated_at === b.updated_at && a.origin === b.origin

/**
 * Exponential backoff with jitter: attempt n waits between half and all of base·2ⁿ (capped), so
 * consoles that lost the core together do not come back in lockstep.
 */
export const backoffMs = (attempts: number, base: number, max: number, random: () => number): number => {
  const full = Math.min(max, base * 2 ** Math.min(attempts, 30))
  return Math.round(full / 2 + (random() * full) / 2)
}

/**
 * The console's connector: pushes the outbox to the core in order (batches, idempotency keys,
 * backoff with jitter; the outbox is in SQLite, so a restart resumes where it stopped), pulls with
 * a stored cursor, and logs conflicts for review. Nothing here runs on the UI's path: calls only
 * wake it. It opens no socket until an endpoint is configured.
 */
export class Connector {
  private endpoint: SyncEndpoint | null = null
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> | null = null
  private stopped = false
  private looping = true
  private lock: Promise<void> = Promise.resolve()
  private intervalMs = 60_000
  /** When the last loop run ended (or the loop was configured): the next one is due an interval later. */
  private lastRun = 0
  private readonly now: () => number
  private readonly random: () => number

  constructor(private readonly deps: ConnectorDeps) {
    this.now = deps.now ?? Date.now
    this.random = deps.random ?? Math.random
  }

  get configured(): boolean {
    return this.endpoint !== null
  }

  /** Sets (or clears) the core to sync with, and restarts the loop. */
  configure(endpoint: SyncEndpoint | null, intervalMs = this.intervalMs, loop = true): void {
    this.endpoint = endpoint
    this.intervalMs = intervalMs
    this.looping = loop
    this.lastRun = this.now()
    if (loop) this.schedule(0)
    else clearTimeout(this.timer)
  }

  /**
   * A new interval on a running loop: the next run comes one new interval after the last (at
   * once if that is past), or sooner when the outbox head is due for a retry.
   */
  retime(intervalMs: number): void {
    this.intervalMs = intervalMs
    if (this.running) return // the run under way schedules the next with the new interval
    this.schedule(this.nextWait(this.lastRun + intervalMs - this.now()))
  }

  stop(): Promise<void> {
    this.stopped = true
    clearTimeout(this.timer)
    return this.running ?? Promise.resolve()
  }

  /** Asks the loop to run soon (a change was queued). Never waits for the network. */
  wake(): void {
    if (this.endpoint && this.looping && !this.running) this.schedule(50)
  }

  async hello(endpoint = this.endpoint): Promise<Hello> {
    if (!endpoint) throw new SyncRequestError(0, 'no core configured: outpost sync connect URL --token T')
    return syncJson<Hello>(endpoint, 'GET', '/sync/v1/hello')
  }

  status(): ConnectorStatus {
    const { store } = this.deps
    const head = store.head()
    const nextAt = head && head.next_attempt_at > this.now() ? head.next_attempt_at : null
    return {
      configured: this.endpoint !== null,
      url: this.endpoint?.url ?? null,
      console_id: store.state('console_id'),
      role: store.state('role'),
      queue_depth: store.depth(),
      conflicts: store.openConflicts(),
      last_success: store.state('last_success'),
      last_error: store.state('last_error'),
      next_retry: nextAt === null ? null : new Date(nextAt).toISOString(),
      cursor: Number(store.state('pull_cursor') ?? 0),
      running: this.running !== null,
    }
  }

  /** One push and one pull now (waiting for a run under way first). */
  async syncNow(): Promise<{ pushed: number; pulled: number }> {
    await this.running
    const pushed = await this.pushNow(true)
    const pulled = await this.pullNow()
    return { pushed: pushed.pushed, pulled: pulled.pulled }
  }

  /**
   * Pushes the outbox in order until it is empty or a batch fails. `force` ignores the retry
   * time (Push now). Returns what was sent; a failure is recorded and rethrown.
   */
  pushNow(force = false): Promise<{ pushed: number; conflicts: number }> {
    return this.exclusive(() => this.push(force))
  }

  /** Pulls every page after the stored cursor, applying each record in the cursor's transaction. */
  pullNow(): Promise<{ pulled: number; conflicts: number }> {
    return this.exclusive(() => this.pull())
  }

  /** One push or pull at a time (the loop's and Push now's), so a batch is never sent twice at once. */
  private exclusive<T>(run: () => Promise<T>): Promise<T> {
    const result = this.lock.then(run)
    this.lock = result.then(
      () => undefined,
      () => undefined,
    )
    return result
  }

  private async push(force: boolean): Promise<{ pushed: number; conflicts: number }> {
    const endpoint = this.requireEndpoint()
    const { store, db } = this.deps
    let pushed = 0
    let conflicts = 0
    let limit = this.deps.batchSize ?? 100
    for (;;) {
      const batch = store.due(force ? Number.MAX_SAFE_INTEGER : this.now(), limit)
      if (batch.length === 0) break
      let results: PushResult[]
      try {
        const value = await syncJson<{ results: PushResult[] }>(endpoint, 'POST', '/sync/v1/push', {
          records: batch.map((row) => ({ key: row.key, record: row.record })),
        })
        results = value.results
      } catch (error) {
        // Too big for the core (large incidents): the same records again in smaller batches.
        if (error instanceof SyncRequestError && error.status === 413 && batch.length > 1) {
          limit = Math.max(1, Math.floor(batch.length / 2))
          continue
        }
        const attempts = batch[0]!.attempts
        const delay = backoffMs(
          attempts,
          this.deps.baseDelayMs ?? 1000,
          this.deps.maxDelayMs ?? 300_000,
          this.random,
        )
        const message = (error as Error).message
        store.failed(
          batch.map((row) => row.seq),
          message,
          this.now() + delay,
        )
        store.setState('last_error', message)
        this.deps.changed?.()
        throw error
      }
      db.transaction(() => {
        for (const [i, row] of batch.entries()) {
          const result = results[i]
          if (!result || result.key !== row.key)
            throw new Error(`the core answered out of order at ${row.key}`)
          store.delivered(row.seq)
          const mine = row.record
          if (isMergedKind(mine.kind)) {
            if (this.pushedMerged(mine, result)) conflicts++
            continue
          }
          if (result.outcome === 'conflict' && !sameVersion(result.winner, mine)) {
            // Another version won on the core: keep ours for review, and let the next change
            // here be above the winner's version.
            store.addConflict(mine, result.winner, 'remote')
            const current = store.version(mine.kind, mine.id)
            store.setSynced(mine.kind, mine.id, Math.max(current?.version ?? 0, result.winner.version))
            conflicts++
          } else store.markSynced(mine.kind, mine.id, mine.version)
        }
        store.setState('last_success', new Date(this.now()).toISOString())
        store.clearState('last_error')
      })()
      pushed += batch.length
      for (const row of batch) await this.pushEvidence(endpoint, row.record)
      this.deps.changed?.()
    }
    return { pushed, conflicts }
  }

  private async pull(): Promise<{ pulled: number; conflicts: number }> {
    const endpoint = this.requireEndpoint()
    const { store, db } = this.deps
    let pulled = 0
    let conflicts = 0
    for (;;) {
      const cursor = Number(store.state('pull_cursor') ?? 0)
      let page: PullPage
      try {
        page = await syncJson<PullPage>(
          endpoint,
          'GET',
          `/sync/v1/pull?cursor=${cursor}&kinds=${[...PULL_KINDS, ...MERGED_KINDS].join(',')}&limit=200`,
        )
      } catch (error) {
        store.setState('last_error', (error as Error).message)
        this.deps.changed?.()
        throw error
      }
      if (page.records.length === 0) break
      db.transaction(() => {
        for (const { record } of page.records) if (this.applyOne(record)) conflicts++
        store.setState('pull_cursor', String(page.next))
        store.setState('last_success', new Date(this.now()).toISOString())
        store.clearState('last_error')
      })()
      pulled += page.records.length
      this.deps.changed?.()
      if (page.next >= page.head) break
    }
    return { pulled, conflicts }
  }

  /** Applies one pulled record; true when it met a local change (a conflict logged). */
  private applyOne(remote: SyncRecord): boolean {
    const { store } = this.deps
    if (isMergedKind(remote.kind)) {
      this.pulledMerged(remote)
      return false
    }
    const local = store.version(remote.kind, remote.id)
    const unsynced = local !== null && local.version > local.synced_version
    const mine = unsynced ? this.deps.localRecord(remote.kind, remote.id) : null
    if (mine && remote.origin !== store.nodeId()) {
      const winner = resolveConflict(mine, remote) === mine ? 'local' : 'remote'
      store.addConflict(mine, remote, winner)
      if (winner === 'remote') this.take(remote)
      return true
    }
    this.take(remote)
    return false
  }

  /**
   * The core's answer to a pushed incident or alert. Another version than ours (the core merged
   * ours with its own) is applied here at once, so our next edit builds on it; scalar fields both
   * sides changed are logged as a conflict. True when one was logged.
   */
  private pushedMerged(mine: SyncRecord, result: PushResult): boolean {
    const { store } = this.deps
    if (result.outcome === 'duplicate' || sameVersion(result.winner, mine)) {
      store.markSynced(mine.kind, mine.id, mine.version)
      return false
    }
    const winner = result.winner
    const current = store.version(mine.kind, mine.id)
    if (winner.version > (current?.synced_version ?? 0)) {
      const { clashes: _clashes, ...record } = winner
      this.deps.applyPulled(record)
      store.setSynced(mine.kind, mine.id, Math.max(current?.version ?? 0, winner.version))
    }
    if (result.outcome !== 'conflict') return false
    // One open conflict per object: a later clash (the next queued edit, built on the same base)
    // updates it, with every field that clashed.
    const open = store.openConflict(mine.kind, mine.id)
    if (!open) store.addConflict(mine, winner, 'remote')
    else {
      const clashes = [...new Set([...(open.remote.clashes ?? []), ...(winner.clashes ?? [])])]
      store.reviseConflict(open.id, mine, { ...winner, clashes })
    }
    return true
  }

  /**
   * A pulled incident or alert: applied when it is one of ours (pushed or pulled here before) and
   * newer than what we agreed on. While we have a change not pushed yet it waits: the core merges
   * ours with it when the push arrives and the merge comes back. Our own versions echoing back
   * are skipped, so nothing is queued again (no ping-pong).
   */
  private pulledMerged(remote: SyncRecord): void {
    const { store } = this.deps
    const local = store.version(remote.kind, remote.id)
    if (!local || remote.origin === store.nodeId() || remote.version <= local.synced_version) return
    if (local.version > local.synced_version) return
    this.deps.applyPulled(remote)
    store.setSynced(remote.kind, remote.id, remote.version)
  }

  /** Makes a remote version the local one. */
  take(remote: SyncRecord): void {
    const { store } = this.deps
    if (this.deps.applyPulled(remote)) store.dropInboxBelow(remote.kind, remote.id, remote.version)
    else store.putInbox(remote)
    store.dropQueued(remote.kind, remote.id)
    store.setSynced(remote.kind, remote.id, remote.version)
  }

  private async pushEvidence(endpoint: SyncEndpoint, record: SyncRecord): Promise<void> {
    if (record.kind !== 'incident' || !this.deps.evidenceFile) return
    const evidence = (record.body.evidence ?? []) as Array<{ sha256?: unknown }>
    for (const item of evidence) {
      const sha = typeof item.sha256 === 'string' ? item.sha256 : null
      if (!sha || this.deps.store.state(`evidence:${sha}`)) continue
      const bytes = await this.deps.evidenceFile(sha)
      if (!bytes) continue
      try {
        await syncRequest(endpoint, 'PUT', `/sync/v1/evidence/${sha}`, bytes, 'application/octet-stream')
        this.deps.store.setState(`evidence:${sha}`, new Date(this.now()).toISOString())
      } catch (error) {
        // The record is on the core; the file goes with the next push of this incident.
        this.deps.log?.('evidence push failed', { sha256: sha, error: (error as Error).message })
      }
    }
  }

  private requireEndpoint(): SyncEndpoint {
    if (!this.endpoint)
      throw new SyncRequestError(
        0,
        'no core configured: outpost sync connect URL --token T (or the Sync view)',
      )
    return this.endpoint
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer)
    if (!this.endpoint || this.stopped || !this.looping) return
    this.timer = setTimeout(() => void this.tick(), delayMs)
    this.timer.unref()
  }

  private async tick(): Promise<void> {
    if (this.running || !this.endpoint || this.stopped) return
    const wait = this.intervalMs
    this.running = (async () => {
      try {
        await this.pushNow()
        await this.pullNow()
      } catch (error) {
        this.deps.log?.('sync failed', { error: (error as Error).message })
      }
    })()
    await this.running
    this.running = null
    this.lastRun = this.now()
    this.schedule(this.nextWait(wait))
  }

  /** `wait`, or less when the outbox head is due for a retry sooner. */
  private nextWait(wait: number): number {
    const head = this.deps.store.head()
    const retry = head ? Math.max(50, head.next_attempt_at - this.now()) : Infinity
    return Math.max(0, Math.min(wait, retry))
  }
}

/**
 * The asset indexer: reads every stored event once, in seq order, from its own cursor, and counts
 * what the events name (extract.ts) into assets, asset_links and asset_events. Like the Sigma
 * engine (detector.ts) it never holds up ingest: committed batches only wake it, it works in
 * slices of a few milliseconds yielding to I/O, and it reads back from the store what it was not
 * handed. Slices aggregate in memory; a flush writes the sums and the cursor in one transaction,
 * so a crash neither double-counts nor loses (events after the cursor are read again).
 * It runs whether detection is enabled or not.
 */
import type { Database, Statement } from 'better-sqlite3'
import type { AssetKind, AssetRelation } from '../contract'
import type { Logger } from '../host/log'
import type { CommittedEvent } from '../store/sqlite/events-repo'
import type { RulesRepo } from '../store/sqlite/rules-repo'
import { createRecordView } from '../detect/record'
import type { EventRecord } from '../detect/sigma/compile'
import type { FieldAlias } from '../detect/sigma/field-aliases'
import { extractAssets } from './extract'
import { LiveRows, Rerun } from '../store/sqlite/live-rows'

/** The indexer's row in detect_cursor: the last event seq counted. */
export const ASSETS_CURSOR = 'assets'
/** Recent event seqs kept per asset (asset_events), for its page. */
export const EVENTS_PER_ASSET = 50

const MIN_CHUNK = 50
const MAX_CHUNK = 10_000
const SLICE_MS = 6
const FLUSH_EVENTS = 20_000
const FLUSH_MS = 500
/** assets:changed at most this often. */
const PUSH_MS = 500

type EntitySum = {
  kind: AssetKind
  key: string
  value: string
  first: number
  last: number
  events: number
  /** The newest seqs naming it in this flush, at most EVENTS_PER_ASSET (a ring, oldest overwritten). */
  seqs: number[]
}
type LinkSum = { a: string; b: string; relation: AssetRelation; first: number; last: number; events: number }

type Pending = {
  entities: Map<string, EntitySum>
  links: Map<string, LinkSum>
  /** The last event counted: the cursor once flushed. */
  last: number
  events: number
  since: number
}

export type AssetCounts = { assets: number; links: number }

export type AssetIndexerDeps = {
  db: Database
  rules: RulesRepo
  /** resources/sigma/fields.yaml, so records look as they do to rules (4688's Image…). */
  aliases: readonly FieldAlias[]
  /** After a flush, throttled to one call per PUSH_MS. */
  changed?: (counts: AssetCounts) => void
  /** Inside each flush's transaction: the ids of the assets whose counts changed. */
  counted?: (assetIds: readonly string[]) => void
  log: Logger
}

const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

export class AssetIndexer {
  private readonly db: Database
  private readonly rules: RulesRepo
  private readonly changed: ((counts: AssetCounts) => void) | undefined
  private readonly counted: ((assetIds: readonly string[]) => void) | undefined
  private readonly log: Logger
  private readonly view: (fields: Record<string, unknown>) => EventRecord
  private readonly liveRows: LiveRows
  private readonly runs: Rerun
  private readonly upsertAsset: Statement<Record<string, unknown>>
  private readonly upsertLink: Statement<Record<string, unknown>>
  private readonly insertEvent: Statement<{ asset: number; seq: number }>
  private readonly pruneEvents: Statement<{ asset: number; keep: number }>
  private chunk = 1000
  private stopped = false
  private lastPush = -Infinity
  private pushTimer: NodeJS.Timeout | null = null
  /** Counted, not yet flushed; its `last` is ahead of the stored cursor. */
  private pending: Pending | null = null
  private flushTimer: NodeJS.Timeout | null = null
  /** Set when a flush failed: a running catch-up re-reads from the stored cursor. */
  private resync = false

  constructor(deps: AssetIndexerDeps) {
    this.db = deps.db
    this.rules = deps.rules
    this.changed = deps.changed
    this.counted = deps.counted
    this.log = deps.log
    this.view = createRecordView(deps.aliases)
    const db = this.db
    const readChunk = db.prepare<{ cursor: number; limit: number }, CommittedEvent>(
      'SELECT seq, id, kind, ts, host, fields FROM events WHERE seq > @cursor ORDER BY seq LIMIT @limit',
    )
    this.liveRows = new LiveRows((cursor, limit) => readChunk.all({ cursor, limit }))
    this.runs = new Rerun(
      () => this.catchUp(),
      (error) => this.log.error('asset indexing stopped on an error', { error: error.message }),
      () => !this.stopped,
    )
    this.upsertAsset = db.prepare(
      `INSERT INTO assets (kind, key, value, first_seen, last_seen, events)
       VALUES (@kind, @key, @value, @first, @last, @events)
       ON CONFLICT (kind, key) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen),
         last_seen = max(last_seen, excluded.last_seen), events = events + excluded.events
       RETURNING id`,
    )
    this.upsertLink = db.prepare(
      `INSERT INTO asset_links (a, b, relation, first_seen, last_seen, events)
       VALUES (@a, @b, @relation, @first, @last, @events)
       ON CONFLICT (a, b, relation) DO UPDATE SET first_seen = min(first_seen, excluded.first_seen),
         last_seen = max(last_seen, excluded.last_seen), events = events + excluded.events`,
    )
    this.insertEvent = db.prepare(
      'INSERT INTO asset_events (asset, seq) VALUES (@asset, @seq) ON CONFLICT DO NOTHING',
    )
    // Everything older than the asset's keep-th newest seq.
    this.pruneEvents = db.prepare(
      `DELETE FROM asset_events WHERE asset = @asset AND seq < (
         SELECT seq FROM asset_events WHERE asset = @asset ORDER BY seq DESC LIMIT 1 OFFSET @keep - 1)`,
    )
  }

  /** Rows the pipeline just committed: counted from memory when they follow the cursor. */
  offer(rows: readonly CommittedEvent[]): void {
    if (this.stopped) return
    this.liveRows.offer(rows)
    this.kick()
  }

  /** Wakes the indexer: it counts every event stored after its cursor. */
  kick(): void {
    this.runs.kick()
  }

  /** Resolves once everything stored so far is counted and flushed (tests, benches, shutdown). */
  async idle(): Promise<void> {
    await this.runs.idle()
    this.flushQuietly()
  }

  /** Flushes what was counted and stops; call before the database closes. */
  async stop(): Promise<void> {
    this.stopped = true
    await this.idle()
    if (this.pushTimer) clearTimeout(this.pushTimer)
    this.pushTimer = null
  }

  /** Rows offered and not yet counted. */
  get queued(): number {
    return this.liveRows.queued
  }

  counts(): AssetCounts {
    return {
      assets: (this.db.prepare('SELECT count(*) AS n FROM assets').get() as { n: number }).n,
      links: (this.db.prepare('SELECT count(*) AS n FROM asset_links').get() as { n: number }).n,
    }
  }

  private fresh(cursor: number): Pending {
    return { entities: new Map(), links: new Map(), last: cursor, events: 0, since: performance.now() }
  }

  /**
   * Counts the stored events after the cursor in slices of about SLICE_MS, yielding to I/O
   * between them. Sums are flushed every FLUSH_EVENTS events or FLUSH_MS; once caught up, what
   * is left waits at most FLUSH_MS (a timer), so a steady stream of small batches costs one
   * flush per FLUSH_MS rather than one per batch.
   */
  private async catchUp(): Promise<void> {
    let cursor = this.pending?.last ?? this.rules.cursor(ASSETS_CURSOR)
    for (;;) {
      if (this.resync) {
        this.resync = false
        cursor = this.pending?.last ?? this.rules.cursor(ASSETS_CURSOR)
      }
      const rows = this.stopped ? [] : this.liveRows.next(cursor, this.chunk)
      if (rows.length > 0) {
        const pending = (this.pending ??= this.fresh(cursor))
        const started = performance.now()
        this.count(rows, pending)
        cursor = pending.last
        const perEvent = (performance.now() - started) / rows.length
        if (rows.length === this.chunk)
          this.chunk = Math.max(
            MIN_CHUNK,
            Math.min(MAX_CHUNK, Math.round(SLICE_MS / Math.max(perEvent, 1e-4))),
          )
        if (pending.events >= FLUSH_EVENTS || performance.now() - pending.since >= FLUSH_MS)
          this.flushPending()
      }
      if (rows.length < this.chunk) {
        if (this.pending && !this.flushTimer) {
          this.flushTimer = setTimeout(() => {
            this.flushTimer = null
            // Timers run between slices only (a slice never awaits mid-way): sums and cursor agree.
            this.flushQuietly()
          }, FLUSH_MS)
          this.flushTimer.unref()
        }
        if (rows.length === 0) return
      }
      await yieldToIo()
    }
  }

  /** flushPending outside a run (timer, idle, stop): a failure is logged, not thrown. */
  private flushQuietly(): void {
    try {
      this.flushPending()
    } catch (error) {
      this.log.error('asset flush failed; the events will be counted again', {
        error: (error as Error).message,
      })
    }
  }

  /**
   * Writes what was counted, if anything, and forgets it. When the write fails nothing of it is
   * stored (one transaction): the next run counts those events again from the stored cursor.
   */
  private flushPending(): void {
    if (this.flushTimer) clearTimeout(this.flushTimer)
    this.flushTimer = null
    const pending = this.pending
    if (!pending || pending.events === 0) return
    this.pending = null
    try {
      this.flush(pending)
    } catch (error) {
      // A run in progress is ahead of the stored cursor now: it must go back to it.
      this.resync = true
      throw error
    }
  }

  /** Counts rows into `pending` (memory only). */
  private count(rows: readonly CommittedEvent[], pending: Pending): void {
    const { entities, links } = pending
    for (const row of rows) {
      pending.last = row.seq
      pending.events++
      if (row.kind !== 'event') continue
      let record: EventRecord
      try {
        const fields = row.record ?? (JSON.parse(row.fields) as unknown)
        if (typeof fields !== 'object' || fields === null || Array.isArray(fields)) continue
        record = this.view(fields as Record<string, unknown>)
      } catch {
        continue
      }
      const found = extractAssets(record, row.host)
      if (found.entities.length === 0) continue
      const ids: string[] = []
      for (const entity of found.entities) {
        const id = `${entity.kind}:${entity.key}`
        ids.push(id)
        const sum = entities.get(id)
        if (sum === undefined) {
          entities.set(id, { ...entity, first: row.ts, last: row.ts, events: 1, seqs: [row.seq] })
          continue
        }
        sum.events++
        if (row.ts < sum.first) sum.first = row.ts
        if (row.ts > sum.last) sum.last = row.ts
        if (sum.seqs.length < EVENTS_PER_ASSET) sum.seqs.push(row.seq)
        else sum.seqs[(sum.events - 1) % EVENTS_PER_ASSET] = row.seq
      }
      for (const link of found.links) {
        const a = ids[link.from]!
        const b = ids[link.to]!
        const id = `${a}\n${b}\n${link.relation}`
        const sum = links.get(id)
        if (sum === undefined) {
          links.set(id, { a, b, relation: link.relation, first: row.ts, last: row.ts, events: 1 })
          continue
        }
        sum.events++
        if (row.ts < sum.first) sum.first = row.ts
        if (row.ts > sum.last) sum.last = row.ts
      }
    }
  }

  /** One transaction: the assets, their links, their recent events and the cursor. */
  private flush(pending: Pending): void {
    this.db.transaction(() => {
      const rowIds = new Map<string, number>()
      for (const [id, sum] of pending.entities) {
        const row = this.upsertAsset.get({
          kind: sum.kind,
          key: sum.key,
          value: sum.value,
          first: sum.first,
          last: sum.last,
          events: sum.events,
        }) as { id: number }
        rowIds.set(id, row.id)
        for (const seq of sum.seqs) this.insertEvent.run({ asset: row.id, seq })
        if (sum.seqs.length > 0) this.pruneEvents.run({ asset: row.id, keep: EVENTS_PER_ASSET })
      }
      for (const link of pending.links.values())
        this.upsertLink.run({
          a: rowIds.get(link.a)!,
          b: rowIds.get(link.b)!,
          relation: link.relation,
          first: link.first,
          last: link.last,
          events: link.events,
        })
      this.rules.setCursor(ASSETS_CURSOR, pending.last)
      if (this.counted && pending.entities.size > 0) this.counted([...pending.entities.keys()])
    })()
    if (pending.entities.size > 0) this.schedulePush()
  }

  private schedulePush(): void {
    if (!this.changed || this.pushTimer) return
    const wait = this.lastPush + PUSH_MS - performance.now()
    const push = (): void => {
      this.pushTimer = null
      this.lastPush = performance.now()
      try {
        this.changed?.(this.counts())
      } catch (error) {
        this.log.error('assets:changed failed', { error: (error as Error).message })
      }
    }
    if (wait <= 0 && !this.stopped) push()
    else if (!this.stopped) {
      this.pushTimer = setTimeout(push, Math.max(0, wait))
      this.pushTimer.unref()
    }
  }
}

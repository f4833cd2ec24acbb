/**
 * The live engine: runs the rule book's enabled rules, and the IOC watchlist (ioc/), over every
 * stored event, in seq order, from a cursor kept in SQLite. Detection never holds up ingest:
 * committed batches only wake it, and it works through what is stored in chunks, yielding between
 * them. A chunk's alerts, hit counts and the cursor commit in one transaction, so a crash neither
 * loses nor repeats alerts.
 */
import type { Database, Statement } from 'better-sqlite3'
import type { Alert, RuleProblem, RuleTest } from '../contract'
import type { Config } from '../host/config'
import type { Logger } from '../host/log'
import type { CommittedEvent } from '../store/sqlite/events-repo'
import {
  foldMatches,
  levelRank,
  type AlertsRepo,
  type Grouping,
  type NewAlert,
} from '../store/sqlite/alerts-repo'
import { type RulesRepo, type RuleState } from '../store/sqlite/rules-repo'
import { newEventId } from '../ingest/event-id'
import { attackFromTags, createRecordView, eventHost, eventUser } from './record'
import {
  buildRuleBook,
  createCompileCache,
  type CorrelationEntry,
  type BookEntry,
  type DetectionEntry,
  type RuleBook,
} from './rule-book'
import { loadSigmaFile, type CompiledRule, type EventRecord } from './sigma/compile'
import type { FieldAlias } from './sigma/field-aliases'
import {
  createCorrelator,
  linkCorrelations,
  type CorrelationHit,
  type Correlator,
  type SigmaCorrelation,
} from './sigma/correlation'
import type { LogsourceMapping } from './sigma/logsource'
import { createMatcher } from './sigma/matcher'
import { LiveRows, Rerun } from '../store/sqlite/live-rows'
import type { HistoryReader } from '../archive/history'
import { iocDraft, loadWatchlist } from './ioc/ioc-alert'
import { IocIndex, type WatchlistRow } from './ioc/ioc-index'

type DetectionConfig = Config['detection']

/** What evaluated slices found and have not committed yet. */
type Pending = {
  drafts: NewAlert[]
  hits: Map<string, { count: number; last: number }>
  /** Watchlist matches per indicator (IocIndicator.key), written with the alerts. */
  iocHits: Map<string, { count: number; last: number }>
  /** The last event evaluated: the cursor once committed. */
  last: number
  events: number
  since: number
}

/** Nothing evaluated yet after `cursor`. */
const freshPending = (cursor: number): Pending => ({
  drafts: [],
  hits: new Map(),
  iocHits: new Map(),
  last: cursor,
  events: 0,
  since: performance.now(),
})

type EventRow = CommittedEvent

/** Events per chunk (one transaction each), between these bounds; see catchUp. */
const MIN_CHUNK = 20
const MAX_CHUNK = 5000
/** Time the engine holds the event loop at most, about: ingest runs between its slices. */
const SLICE_MS = 4
/** Evaluated events are committed at least this often (count, time) while catching up. */
const COMMIT_EVENTS = 5000
const COMMIT_MS = 250
const CURSOR = 'sigma'
const TEST_RESULTS = 200

export type DetectorEvents = {
  alerts(alerts: Alert[]): void
  rulesChanged(counts: { rules: number; enabled: number }): void
  /** The IOC watchlist was (re)loaded: indicators held, and values that are no indicator. */
  watchlistLoaded?(counts: { indicators: number; rejected: number }): void
  testProgress(test: RuleTest): void
}

export type DetectorDeps = {
  db: Database
  rules: RulesRepo
  alerts: AlertsRepo
  config: DetectionConfig
  /** resources/sigma/logsources.yaml: which rules see which events. */
  mapping: LogsourceMapping
  /** resources/sigma/fields.yaml: Sigma names for fields some sources store under others. */
  aliases: readonly FieldAlias[]
  emit: DetectorEvents
  log: Logger
  /** Where rule tests read history (the archive, then SQLite); default: SQLite only. */
  history?: HistoryReader | undefined
}

/** Rules -> the rules that match one record. */
type Evaluate = (record: EventRecord) => CompiledRule[]

/** Routed by logsource, prefiltered by the rules' literals (matcher.ts); a rule that throws is no match. */
const evaluator = (rules: CompiledRule[], mapping: LogsourceMapping): Evaluate => {
  const matcher = createMatcher(rules, mapping)
  return (record) => matcher.match(record)
}

/** What an alert says of its rule: the rule's metadata, with ATT&CK from its tags. */
const ruleAlert = (entry: BookEntry) => {
  const { techniques, tactics } = attackFromTags(entry.tags)
  return {
    origin: 'sigma',
    rule_id: entry.id,
    rule_key: entry.key,
    title: entry.title,
    level: entry.level ?? 'medium',
    tags: entry.tags,
    techniques,
    tactics,
    author: entry.author,
    license: entry.license,
  } satisfies Partial<NewAlert>
}

const yieldToIo = (): Promise<void> => new Promise((resolve) => setImmediate(resolve))

export class Detector {
  private book: RuleBook = buildRuleBook([])
  private states = new Map<string, RuleState>()
  private evaluate: Evaluate = () => []
  /** Rules evaluated -> their entry; `alert` false for inputs only correlations see. */
  private entryOf = new Map<CompiledRule, { entry: DetectionEntry; alert: boolean }>()
  private correlator: Correlator | null = null
  private correlationEntry = new Map<SigmaCorrelation, { entry: CorrelationEntry; alert: boolean }>()
  /** The stored event behind each record correlations hold (records live as long as windows do). */
  private readonly storedOf = new WeakMap<
    EventRecord,
    { id: string; host: string | null; user: string | null }
  >()
  private readonly readChunk: Statement<[number, number]>
  /** Rows committed by the pipeline, not yet evaluated (see offer). */
  private readonly liveRows: LiveRows
  private readonly history: HistoryReader | undefined
  private readonly runs: Rerun
  /** Events evaluated per slice, adapted to their measured cost. */
  private chunk = 500
  private stopped = false
  private readonly tests = new Map<string, { test: RuleTest; cancelled: boolean }>()
  /** What rules see of each stored event, in seq order (auditd records are joined across events). */
  private view: (fields: Record<string, unknown>) => EventRecord = (fields) => fields
  private readonly compiled = createCompileCache()
  /** The IOC watchlist in memory (ioc/): every event is matched against it with the rules. */
  private ioc = new IocIndex([], { matchSubdomains: true })
  /** The IOC matches counted since the last commit (catchUp's pending batch), by indicator key. */
  private pendingIocHits: Map<string, { count: number; last: number }> | undefined
  /** Adds one indicator's matches of a commit to watchlist_hits (migration 0029). */
  private readonly addIocHit: Statement

  private readonly db: Database
  private readonly rules: RulesRepo
  private readonly alerts: AlertsRepo
  private readonly config: DetectionConfig
  private readonly mapping: LogsourceMapping
  private readonly aliases: readonly FieldAlias[]
  private readonly emit: DetectorEvents
  private readonly log: Logger

  constructor(deps: DetectorDeps) {
    this.db = deps.db
    this.rules = deps.rules
    this.alerts = deps.alerts
    this.config = deps.config
    this.mapping = deps.mapping
    this.aliases = deps.aliases
    this.emit = deps.emit
    this.log = deps.log
    this.history = deps.history
    this.view = createRecordView(deps.aliases)
    const db = this.db
    this.addIocHit = db.prepare(
      `INSERT INTO watchlist_hits (list, type, value, hits, last_hit_at) VALUES (@list, @type, @value, @count, @last)
       ON CONFLICT (list, type, value) DO UPDATE SET hits = hits + excluded.hits,
         last_hit_at = max(coalesce(last_hit_at, excluded.last_hit_at), excluded.last_hit_at)`,
    )
    this.readChunk = db.prepare(
      'SELECT seq, id, kind, ts, host, fields FROM events WHERE seq > ? ORDER BY seq LIMIT ?',
    )
    this.liveRows = new LiveRows((cursor, limit) => this.readChunk.all(cursor, limit) as EventRow[])
    this.runs = new Rerun(
      () => this.catchUp(),
      (error) => this.log.error('detection stopped on an error', { error: error.message }),
      () => this.config.enabled && !this.stopped,
    )
    this.reload()
    this.reloadWatchlist()
  }

  /**
   * Loads the watchlist view again (after a TAXII pull, a bundle import or rollback, an analyst's
   * edit): events evaluated from now on are matched against it. Indicators expired by now are
   * left out; those expiring later are dropped at match time.
   */
  reloadWatchlist(): { indicators: number; rejected: number } {
    const { ioc } = this.config
    this.ioc = new IocIndex(ioc.enabled ? loadWatchlist(this.db) : [], {
      matchSubdomains: ioc.match_subdomains,
    })
    const counts = { indicators: this.ioc.size, rejected: this.ioc.rejected }
    this.emit.watchlistLoaded?.(counts)
    return counts
  }

  /**
   * One list reloaded (a TAXII source's after its pull, a list pulled from the team core): the
   * other lists stay as held. Falls back to a whole reload when IOC matching is off.
   */
  reloadWatchlistList(list: string): { indicators: number; rejected: number } {
    if (!this.config.ioc.enabled) return this.reloadWatchlist()
    this.ioc.replaceList(list, loadWatchlist(this.db, list))
    const counts = { indicators: this.ioc.size, rejected: this.ioc.rejected }
    this.emit.watchlistLoaded?.(counts)
    return counts
  }

  /**
   * One indicator added or edited (the analyst's list): held at once without reloading the rest;
   * the next events are matched against it. Returns the indicators held.
   */
  watchlistPut(row: WatchlistRow): number {
    if (this.config.ioc.enabled) this.ioc.upsert(row, true)
    return this.ioc.size
  }

  /** One indicator removed (the analyst's list), without a reload. Returns the indicators held. */
  watchlistDelete(list: string, type: string, value: string): number {
    const taken = this.ioc.take(list, type, value)
    // Its matches not committed yet go with it: added again, it counts afresh.
    if (taken) this.pendingIocHits?.delete(taken.key)
    return this.ioc.size
  }

  get watchlistSize(): number {
    return this.ioc.size
  }

  get ruleBook(): RuleBook {
    return this.book
  }

  get ruleStates(): ReadonlyMap<string, RuleState> {
    return this.states
  }

  /**
   * Rebuilds the book from the store, and the evaluator from the enabled rules: enabled detection
   * rules, enabled correlations and every rule or correlation they name (evaluated as inputs even
   * when disabled themselves; a rule only correlations with `generate: false` name raises nothing
   * of its own). Correlation windows start empty after a rebuild.
   */
  reload(): void {
    this.states = this.rules.states()
    const files = this.rules.files()
    this.book = buildRuleBook(files, this.states, {}, this.compiled.compile)
    this.compiled.keep(files.map((file) => file.path))
    const on = (key: string): boolean => this.states.get(key)?.enabled ?? false
    const { links } = this.book
    // The enabled correlations and, transitively, the correlations they chain on.
    const correlationEntries = new Map<SigmaCorrelation, CorrelationEntry>()
    for (const entry of this.book.entries)
      if (entry.kind === 'correlation') correlationEntries.set(entry.correlation, entry)
    const wanted = new Set<SigmaCorrelation>()
    const inputs = new Set<CompiledRule>()
    const want = (c: SigmaCorrelation): void => {
      if (wanted.has(c)) return
      wanted.add(c)
      for (const listed of links.sources.get(c) ?? [])
        for (const source of listed) {
          if ('timespanMs' in source) want(source)
          else inputs.add(source)
        }
    }
    for (const c of links.correlations) if (on(correlationEntries.get(c)?.key ?? '')) want(c)
    const correlations = links.correlations.filter((c) => wanted.has(c))
    this.correlator =
      correlations.length > 0
        ? createCorrelator(
            correlations,
            this.book.detections.map((e) => e.compiled),
          )
        : null
    const suppressed = this.correlator?.suppressedRules ?? new Set<CompiledRule>()
    this.correlationEntry = new Map(
      correlations.map((c) => {
        const entry = correlationEntries.get(c)!
        return [c, { entry, alert: on(entry.key) && !this.correlator!.suppressedCorrelations.has(c) }]
      }),
    )
    this.entryOf = new Map()
    for (const entry of this.book.detections) {
      const alert = on(entry.key) && !suppressed.has(entry.compiled)
      if (alert || inputs.has(entry.compiled)) this.entryOf.set(entry.compiled, { entry, alert })
    }
    this.evaluate = evaluator([...this.entryOf.keys()], this.mapping)
    this.emit.rulesChanged({
      rules: this.book.entries.length,
      enabled: this.book.entries.filter((e) => on(e.key)).length,
    })
  }

  /** Hit counts just stored, applied to the states in memory (the store has the same sums). */
  private countHits(hits: ReadonlyMap<string, { count: number; last: number }>): void {
    for (const [key, { count, last }] of hits) {
      const state = this.states.get(key) ?? { enabled: false, hits: 0, last_hit: null }
      this.states.set(key, {
        ...state,
        hits: state.hits + count,
        last_hit: Math.max(state.last_hit ?? 0, last),
      })
    }
  }

  get problems(): RuleProblem[] {
    return this.book.problems
  }

  /**
   * Rows the pipeline just committed: evaluated from memory when they follow the cursor, which
   * spares reading them back (see LiveRows).
   */
  offer(rows: readonly CommittedEvent[]): void {
    if (!this.config.enabled || this.stopped) return
    this.liveRows.offer(rows)
    this.kick()
  }

  /** Wakes the engine: it evaluates every event stored after its cursor. */
  kick(): void {
    this.runs.kick()
  }

  /** Resolves once everything stored so far is evaluated (tests, shutdown). */
  async idle(): Promise<void> {
    await this.runs.idle()
  }

  async stop(): Promise<void> {
    this.stopped = true
    for (const job of this.tests.values()) job.cancelled = true
    await this.idle()
  }

  /**
   * Works through the stored events in slices of about SLICE_MS, yielding to I/O between them, so
   * listeners stay responsive however many rules are enabled: the slice size follows the measured
   * cost per event. What the slices find is committed together (alerts, hit counts, cursor) every
   * COMMIT_EVENTS events or COMMIT_MS, and when caught up: a crash before a commit only means
   * those events are evaluated again.
   */
  private async catchUp(): Promise<void> {
    let cursor = this.rules.cursor(CURSOR)
    let pending = freshPending(cursor)
    for (;;) {
      const rows = this.stopped ? [] : this.liveRows.next(cursor, this.chunk)
      if (rows.length > 0) {
        const started = performance.now()
        this.evaluateRows(rows, pending)
        cursor = pending.last
        const perEvent = (performance.now() - started) / rows.length
        if (rows.length === this.chunk)
          this.chunk = Math.max(
            MIN_CHUNK,
            Math.min(MAX_CHUNK, Math.round(SLICE_MS / Math.max(perEvent, 1e-4))),
          )
      }
      const caughtUp = rows.length < this.chunk
      if (
        pending.events > 0 &&
        (caughtUp || pending.events >= COMMIT_EVENTS || performance.now() - pending.since >= COMMIT_MS)
      ) {
        // A stop mid-way still commits what was evaluated: its cursor and alerts go together.
        this.commit(pending)
        pending = freshPending(cursor)
      }
      if (rows.length === 0) return
      await yieldToIo()
    }
  }

  private evaluateRows(rows: EventRow[], pending: Pending): void {
    const { drafts, hits, iocHits: counted } = pending
    this.pendingIocHits = counted
    const hit = (key: string, ts: number): void => {
      const found = hits.get(key) ?? { count: 0, last: 0 }
      found.count++
      found.last = Math.max(found.last, ts)
      hits.set(key, found)
    }
    // An indicator counts once its valid_from has come, for every event (old ones too).
    const now = Date.now()
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
      const matched = this.evaluate(record)
      // Expiry is judged at the event's time (a late log matches what was listed back then).
      const iocHits = this.ioc.match(record, row.ts, now)
      if (matched.length === 0 && iocHits.length === 0) continue
      const host = eventHost(record, row.host)
      const user = eventUser(record)
      for (const found of iocHits) {
        for (const indicator of found.indicators) {
          const seen = counted.get(indicator.key)
          if (seen) {
            seen.count++
            if (row.ts > seen.last) seen.last = row.ts
          } else counted.set(indicator.key, { count: 1, last: row.ts })
        }
        drafts.push(
          iocDraft(found, { id: row.id, ts: row.ts, host, user }, this.config.ioc.default_level, levelRank),
        )
      }
      if (matched.length === 0) continue
      for (const compiled of matched) {
        const found = this.entryOf.get(compiled)
        if (!found?.alert) continue
        hit(found.entry.key, row.ts)
        drafts.push(this.draft(found.entry, row, host, user))
      }
      if (!this.correlator) continue
      this.storedOf.set(record, { id: row.id, host, user })
      for (const fired of this.correlator.observe(matched, record, row.ts)) {
        const found = this.correlationEntry.get(fired.rule)
        if (!found?.alert) continue
        hit(found.entry.key, fired.endMs)
        drafts.push(this.correlationDraft(found.entry, fired))
      }
    }
  }

  /** One transaction: the alerts (folded), the hit counts and the cursor. */
  private commit(pending: Pending): void {
    const suppression = this.config.suppression_window_s * 1000
    const raised = new Set<string>()
    this.db.transaction(() => {
      for (const draft of foldMatches(pending.drafts, suppression))
        raised.add(this.alerts.raise(draft, suppression, this.grouping(draft)).id)
      this.rules.addHits(pending.hits)
      for (const [key, { count, last }] of pending.iocHits) {
        const [list, type, value] = key.split('\u0000')
        this.addIocHit.run({ list, type, value, count, last })
      }
      this.rules.setCursor(CURSOR, pending.last)
    })()
    this.countHits(pending.hits)
    if (raised.size > 0)
      this.emit.alerts(
        [...raised]
          .map((id) => this.alerts.get(id))
          .filter((alert) => alert !== undefined)
          .sort((a, b) => b.seq - a.seq)
          .slice(0, 100),
      )
  }

  private correlationDraft(entry: CorrelationEntry, fired: CorrelationHit): NewAlert {
    const stored = fired.events.map((event) => this.storedOf.get(event)).filter((e) => e !== undefined)
    const lastStored = stored.at(-1)
    return {
      ...ruleAlert(entry),
      host: fired.group.host ?? fired.group.Computer ?? lastStored?.host ?? null,
      user: lastStored?.user ?? null,
      ts: fired.endMs,
      event_ids: [...new Set(stored.map((e) => e.id))],
      group: fired.group,
      dedup_key: `${entry.key}|${JSON.stringify(fired.group)}`,
    }
  }

  private draft(entry: DetectionEntry, row: EventRow, host: string | null, user: string | null): NewAlert {
    return {
      ...ruleAlert(entry),
      host,
      user,
      ts: row.ts,
      event_ids: [row.id],
      group: null,
      dedup_key: `${entry.key}|${host ?? ''}`,
    }
  }

  /** The dispatcher: which incident group an alert belongs to, if it is serious enough. */
  private grouping(alert: NewAlert): Grouping | null {
    const { min_level, group_by, window_s } = this.config.incidents
    if (levelRank(alert.level) < levelRank(min_level)) return null
    const group: Record<string, string | null> = {}
    for (const field of group_by)
      group[field] =
        field === 'host' ? alert.host : field === 'user' ? alert.user : (alert.tactics[0] ?? null)
    if (Object.values(group).every((value) => value === null)) return null
    return { group, key: JSON.stringify(group), windowMs: window_s * 1000 }
  }

  /**
   * Runs one rule (stored, or YAML not yet saved) over the newest `limit` stored events, oldest
   * first, pushing progress; nothing is stored. Returns the test id at once.
   */
  startTest(source: { key: string } | { text: string }, limit: number): string {
    let rules: CompiledRule[] = []
    let correlations: SigmaCorrelation[] = []
    if ('key' in source) {
      const entry = this.book.byKey.get(source.key)
      if (!entry) throw new RuleInputError(`no rule with key ${source.key} (see rules:list)`)
      if (entry.kind === 'filter') throw new RuleInputError('a filter is tested through the rules it names')
      if (entry.kind === 'detection') rules = [entry.compiled]
      else correlations = [entry.correlation]
    } else {
      const loaded = loadSigmaFile(source.text, 'test.yml')
      const problem = loaded.problems.find((p) => p.kind !== 'warning')
      if (problem) throw new RuleInputError(`the rule does not load: line ${problem.line}: ${problem.reason}`)
      if (loaded.compiled.length === 0 && loaded.correlations.length === 0)
        throw new RuleInputError('the text holds no rule')
      rules = loaded.compiled
      correlations = loaded.correlations
    }
    let correlator: Correlator | null = null
    if (correlations.length > 0) {
      // A correlation may name the text's own rules and any stored one.
      const base = [...rules, ...this.book.detections.map((e) => e.compiled)]
      const links = linkCorrelations([...correlations, ...this.book.links.correlations], base)
      const named = new Set<SigmaCorrelation>()
      const inputs = new Set<CompiledRule>()
      const walk = (c: SigmaCorrelation): void => {
        if (named.has(c)) return
        named.add(c)
        for (const listed of links.sources.get(c) ?? [])
          for (const source of listed) {
            if ('timespanMs' in source) walk(source)
            else inputs.add(source)
          }
      }
      for (const c of correlations) {
        if (!links.correlations.includes(c)) {
          const why = links.problems.find((p) => p.line === c.line)?.reason ?? 'its rules are not all known'
          throw new RuleInputError(`correlation ${c.title} cannot run: ${why}`)
        }
        walk(c)
      }
      correlator = createCorrelator(
        links.correlations.filter((c) => named.has(c)),
        base,
      )
      rules = [...inputs]
    }
    const id = newEventId()
    const newest = (this.db.prepare('SELECT max(seq) AS s FROM events').get() as { s: number | null }).s ?? 0
    const from = Math.max(0, newest - limit)
    const test: RuleTest = {
      test_id: id,
      state: 'running',
      scanned: 0,
      total: newest - from,
      matches: 0,
      results: [],
      error: null,
      seconds: 0,
    }
    const job = { test, cancelled: false }
    this.tests.set(id, job)
    void this.runTest(
      job,
      rules,
      correlator ? { correlator, report: new Set(correlations) } : null,
      from,
      newest,
    )
    return id
  }

  cancelTest(id: string): RuleTest {
    const job = this.tests.get(id)
    if (!job) throw new RuleInputError(`no rule test with id ${id}`)
    job.cancelled = true
    return job.test
  }

  private async runTest(
    job: { test: RuleTest; cancelled: boolean },
    rules: CompiledRule[],
    correlation: { correlator: Correlator; report: ReadonlySet<SigmaCorrelation> } | null,
    from: number,
    to: number,
  ): Promise<void> {
    const { test } = job
    const started = performance.now()
    const evaluate = evaluator(rules, this.mapping)
    const view = createRecordView(this.aliases)
    let cursor = from
    let lastPush = 0
    try {
      while (cursor < to) {
        if (job.cancelled) {
          test.state = 'cancelled'
          break
        }
        const rows = this.history
          ? await this.history(cursor, MAX_CHUNK)
          : (this.readChunk.all(cursor, MAX_CHUNK) as EventRow[])
        if (rows.length === 0) break
        for (const row of rows) {
          if (row.seq > to) break
          test.scanned++
          if (row.kind !== 'event') continue
          let record: EventRecord
          try {
            record = view(JSON.parse(row.fields) as Record<string, unknown>)
          } catch {
            continue
          }
          const matched = evaluate(record)
          if (matched.length === 0) continue
          const result = {
            event_id: row.id,
            timestamp: new Date(row.ts).toISOString(),
            host: eventHost(record, row.host),
          }
          if (correlation) {
            // A correlation's result is its last event, the one that made it fire.
            for (const fired of correlation.correlator.observe(matched, record, row.ts)) {
              if (!correlation.report.has(fired.rule)) continue
              test.matches++
              if (test.results.length < TEST_RESULTS)
                test.results.push({ ...result, title: fired.rule.title })
            }
            continue
          }
          test.matches++
          if (test.results.length < TEST_RESULTS)
            test.results.push({ ...result, title: matched[0]!.rule.title })
        }
        cursor = rows[rows.length - 1]!.seq
        test.seconds = Number(((performance.now() - started) / 1000).toFixed(3))
        if (performance.now() - lastPush > 200) {
          lastPush = performance.now()
          this.emit.testProgress({ ...test, results: [...test.results] })
        }
        await yieldToIo()
      }
      if (test.state === 'running') test.state = 'done'
    } catch (error) {
      test.state = 'failed'
      test.error = (error as Error).message
    }
    test.seconds = Number(((performance.now() - started) / 1000).toFixed(3))
    this.emit.testProgress({ ...test, results: [...test.results] })
    // Finished tests are kept a while for rules:test-cancel's answer, then forgotten.
    setTimeout(() => this.tests.delete(test.test_id), 10 * 60_000).unref()
  }
}

/** A rule call named something that is not there or not valid: the caller's to fix. */
export class RuleInputError extends Error {
  override name = 'RuleInputError'
}

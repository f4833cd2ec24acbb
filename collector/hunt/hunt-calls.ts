import type { Database } from 'better-sqlite3'
import { ContractError, type CallRes, type ParsedReq } from '../contract'
import type { HuntApi } from '../archive/archive-host'
import type { RetentionSettings } from '../archive/retention'
import type { Audited } from '../detect/rule-calls'
import type { Logger } from '../host/log'
import type { HuntsRepo } from '../store/sqlite/hunts-repo'
import { alertFigures } from './dashboard-alerts'
import { parseQuery, QuerySyntaxError } from './query'
import { parseTimeBound } from './time'
import { toSigma } from './to-sigma'

type HuntCall =
  | 'hunt:search'
  | 'hunt:histogram'
  | 'hunt:fields'
  | 'hunt:sql'
  | 'hunt:cancel'
  | 'hunt:export'
  | 'hunts:list'
  | 'hunts:save'
  | 'hunts:delete'
  | 'hunts:run'
  | 'hunts:to-sigma'
  | 'archive:status'
  | 'dashboard:summary'

type HuntHandlers = { [K in HuntCall]: (req: ParsedReq<K>) => CallRes<K> | Promise<CallRes<K>> }

const checkQuery = (call: string, query: string): ReturnType<typeof parseQuery> => {
  try {
    return parseQuery(query)
  } catch (error) {
    if (error instanceof QuerySyntaxError)
      throw new ContractError('invalid_request', `${call}: query: ${error.message}`)
    throw error
  }
}

const checkBound = (call: string, name: string, text: string | null): void => {
  if (text !== null && parseTimeBound(text) === null)
    throw new ContractError(
      'invalid_request',
      `${call}: ${name}: expected ISO-8601 or relative time like -24h, not ${JSON.stringify(text)}`,
    )
}

export const createHuntHandlers = (deps: {
  hunt: HuntApi
  hunts: HuntsRepo
  audited: Audited
  /** The archiver's state, as the archive worker last reported it. */
  archiver: {
    watermark: () => number
    rate: () => number
    error: () => string | null
    sqliteNewest: () => number
  }
  db: Database
  sqlitePath: string
  duckdbPath: string
  retention: RetentionSettings
  fileBytes: (path: string) => Promise<number>
  /** DuckDB's used blocks and WAL (the archive worker). */
  usedBytes: () => Promise<number>
}): HuntHandlers => {
  const { hunt, hunts, audited, archiver } = deps
  return {
    'hunt:search': (req) => hunt.search(req),
    'hunt:histogram': (req) => hunt.histogram(req),
    'hunt:fields': (req) => hunt.fields(req),
    'hunt:sql': (req) => hunt.sql(req),
    'hunt:cancel': async (req) => ({ cancelled: await hunt.cancel(req.query_id) }),
    'hunt:export': (req) => hunt.export(req),
    'hunts:list': () => ({ hunts: hunts.list() }),
    'hunts:save': (req) => {
      checkQuery('hunts:save', req.query)
      checkBound('hunts:save', 'from', req.from)
      checkBound('hunts:save', 'to', req.to)
      const saved = audited(
        (value) => ({
          action: req.id ? 'update' : 'create',
          object_type: 'hunt',
          object_id: value?.id ?? req.id ?? null,
          details: { name: req.name, query: req.query, schedule_minutes: req.schedule_minutes },
        }),
        () => {
          // Thrown inside the transaction: nothing is written or audited.
          const value = hunts.save(req.id, req)
          if (!value) throw new ContractError('not_found', `hunts:save: no saved hunt with id ${req.id}`)
          return value
        },
      )
      return { hunt: saved }
    },
    'hunts:delete': (req) => {
      const deleted = audited({ action: 'delete', object_type: 'hunt', object_id: req.id }, () =>
        hunts.delete(req.id),
      )
      if (!deleted) throw new ContractError('not_found', `hunts:delete: no saved hunt with id ${req.id}`)
      return { id: req.id }
    },
    'hunts:run': async (req) => {
      const saved = hunts.get(req.id)
      if (!saved) throw new ContractError('not_found', `hunts:run: no saved hunt with id ${req.id}`)
      // Counted as the scheduler counts, and recorded the same way: its last run and count.
      const count = await hunt.count(saved.query, saved.from, saved.to)
      hunts.recordRun(saved.id, count, Date.now())
      return { hunt: hunts.get(saved.id) ?? saved }
    },
    'hunts:to-sigma': (req) => {
      const node = checkQuery('hunts:to-sigma', req.query)
      return toSigma(node, req.title ?? `Hunt: ${req.query.slice(0, 80)}`)
    },
    'archive:status': async () => {
      const stats = await hunt.stats()
      const newest = archiver.sqliteNewest()
      return {
        events: stats.events,
        watermark_seq: archiver.watermark(),
        sqlite_newest_seq: newest,
        lag: Math.max(0, newest - archiver.watermark()),
        duckdb_bytes: await deps.fileBytes(deps.duckdbPath),
        duckdb_used_bytes: await deps.usedBytes(),
        sqlite_bytes: await deps.fileBytes(deps.sqlitePath),
        oldest: stats.oldest === null ? null : new Date(stats.oldest).toISOString(),
        newest: stats.newest === null ? null : new Date(stats.newest).toISOString(),
        events_per_s: archiver.rate(),
        error: archiver.error(),
        retention: {
          archive_max_age_days: deps.retention.archiveMaxAgeDays,
          archive_max_bytes: deps.retention.archiveMaxBytes,
          hot_days: deps.retention.hotDays,
        },
      }
    },
    'dashboard:summary': async (req) => {
      const started = performance.now()
      const events = await hunt.dashboard(req.from, req.to, req.buckets, req.top)
      return {
        ...events,
        ...alertFigures(deps.db, events.from, events.to, req.top),
        took_ms: performance.now() - started,
      }
    },
  }
}

/** Runs scheduled hunts when due (checked every minute) and stores their counts. */
export class HuntScheduler {
  private timer: NodeJS.Timeout | undefined
  private running: Promise<void> = Promise.resolve()

  constructor(
    private readonly hunts: HuntsRepo,
    private readonly hunt: Pick<HuntApi, 'count'>,
    private readonly log: Logger,
    private readonly everyMs = 60_000,
  ) {}

  start(): void {
    this.timer = setInterval(() => void this.tick(), this.everyMs)
    this.timer.unref()
  }

  /** Runs every due hunt once; resolves when they are done. */
  tick(now = Date.now()): Promise<void> {
    this.running = this.running.then(async () => {
      for (const saved of this.hunts.due(now)) {
        try {
          const count = await this.hunt.count(saved.query, saved.from, saved.to)
          this.hunts.recordRun(saved.id, count, Date.now())
        } catch (error) {
          // A hunt saved before a grammar change, say: recorded as run so it does not spin.
          this.hunts.recordRun(saved.id, -1, Date.now())
          this.log.error('scheduled hunt failed', { id: saved.id, error: (error as Error).message })
        }
      }
    })
    return this.running
  }

  async stop(): Promise<void> {
    clearInterval(this.timer)
    await this.running
  }
}

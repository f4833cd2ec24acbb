import Database from 'better-sqlite3'
import { ContractError } from '../contract'
import { duckQuery } from '../agents/duck-query'
import { HuntService } from '../hunt/hunt-service'
import { DuckArchive } from '../store/duckdb/archive'
import { MetricsStore } from '../store/duckdb/metrics-store'
import type { CommittedEvent } from '../store/sqlite/events-repo'
import { Archiver } from './archiver'
import { readArchived } from './history'
import { enforceArchiveRetention, usedBytes, type RetentionSettings } from './retention'
import type {
  ArchiveState,
  ArchiveTarget,
  ArchiveWorkerData,
  ExportProgress,
  FromArchive,
  ToArchive,
  WireError,
} from './worker-protocol'

/** The calls on the archive itself (hunts and metrics are their services' own methods). */
export type ArchiveCalls = {
  state(): ArchiveState
  /** Archived events with `cursor < seq <= watermark`, for rule back-tests. */
  history(cursor: number, watermark: number, limit: number): Promise<CommittedEvent[]>
  /** The archive's retention pass; returns the rows deleted. */
  retention(
    settings: Pick<RetentionSettings, 'archiveMaxAgeDays' | 'archiveMaxBytes'>,
    now?: number,
  ): Promise<number>
  /** Interrupts the analytics query running (an agent's run aborted at its time budget). */
  interruptQuery(): void
  /** DuckDB's used blocks and WAL: what archive.max_bytes limits. */
  usedBytes(): Promise<number>
  /** One parameterized read for agents' analytics, on a connection of its own; bigints come back as numbers. */
  query(
    sql: string,
    params: readonly (string | number | bigint | boolean | null)[],
  ): Promise<Record<string, unknown>[]>
}

/** Methods callable from the core's thread, per target: nothing else on those objects is. */
export const ARCHIVE_METHODS = {
  hunt: ['search', 'histogram', 'fields', 'sql', 'cancel', 'export', 'count', 'stats', 'dashboard'],
  metrics: ['write', 'flush', 'sources', 'series'],
  archive: ['state', 'history', 'retention', 'query', 'interruptQuery', 'usedBytes'],
} as const satisfies Record<ArchiveTarget, readonly string[]>

export type Port = {
  postMessage(message: FromArchive): void
  on(event: 'message', listener: (message: ToArchive) => void): unknown
  close(): void
}

const wireError = (error: unknown): WireError => {
  if (error instanceof ContractError) return { name: error.name, message: error.message, code: error.code }
  if (error instanceof Error) return { name: error.name, message: error.message }
  return { name: 'Error', message: String(error) }
}

/**
 * The archive worker: opens DuckDB, then serves calls and archives what SQLite commits until
 * told to stop. Everything DuckDB does runs on this thread, never on the core's.
 */
export const runArchiveWorker = async (port: Port, data: ArchiveWorkerData): Promise<void> => {
  let archive: DuckArchive
  try {
    archive = await DuckArchive.open(data.duckdbPath, { memoryLimitMb: data.memoryLimitMb })
  } catch (error) {
    port.postMessage({ type: 'fatal', message: (error as Error).message, startup: true })
    return
  }
  // Read-only: the core's thread is the only writer; WAL lets this read beside it.
  const sqlite = new Database(data.sqlitePath, {
    readonly: true,
    fileMustExist: true,
    ...(data.sqliteBinding ? { nativeBinding: data.sqliteBinding } : {}),
  })
  sqlite.pragma('busy_timeout = 5000')
  const progress = (p: ExportProgress): void => port.postMessage({ type: 'export-progress', progress: p })
  const metrics = await MetricsStore.open(archive)
  const hunt = await HuntService.open(archive, { progress })
  // `changed` runs only once batches do, after `state` below exists.
  const archiver = await Archiver.open(sqlite, archive, {
    aliases: data.aliases,
    ...(data.batchSize ? { batchSize: data.batchSize } : {}),
    changed: () => port.postMessage({ type: 'state', state: state() }),
  })
  const state = (): ArchiveState => ({
    watermark: archiver.watermark,
    rate: archiver.rate(),
    error: archiver.error,
  })
  const side = await archive.connect()
  const analytics = await archive.connect()
  const calls: ArchiveCalls = {
    state,
    history: (cursor, watermark, limit) => readArchived(side, cursor, watermark, limit),
    retention: (settings, now) =>
      enforceArchiveRetention(settings, { duck: side, duckFile: data.duckdbPath, now }),
    usedBytes: () => usedBytes(side, data.duckdbPath),
    query: duckQuery(analytics),
    interruptQuery: () => analytics.interrupt(),
  }
  const targets: Record<ArchiveTarget, object> = { hunt, metrics, archive: calls }
  let stopping: Promise<void> | undefined
  // Calls under way. DuckDB's async work must end before the thread does: a completion that
  // finds its thread gone aborts the whole process.
  const inflight = new Set<Promise<unknown>>()

  const stop = async (): Promise<void> => {
    hunt.close() // interrupts running SQL and exports
    await Promise.allSettled([...inflight])
    await archiver.stop()
    await metrics.close()
    side.closeSync()
    analytics.closeSync()
    archive.close()
    sqlite.close()
  }

  port.on('message', (message) => {
    if (message.type === 'kick') archiver.kick()
    else if (message.type === 'stop') {
      stopping ??= stop()
        .then(
          () => port.postMessage({ type: 'stopped' }),
          (error: Error) => port.postMessage({ type: 'fatal', message: error.message, startup: false }),
        )
        // Nothing is left running: the thread ends on its own once the port is closed.
        .finally(() => port.close())
    } else if (message.type === 'call') {
      const { id, target, method, args } = message
      const allowed: readonly string[] = ARCHIVE_METHODS[target]
      const object = targets[target] as Record<string, unknown>
      const fn = allowed.includes(method) ? object[method] : undefined
      if (typeof fn !== 'function' || stopping) {
        port.postMessage({
          type: 'result',
          id,
          ok: false,
          error: wireError(
            stopping
              ? new ContractError('unavailable', 'the archive is stopping')
              : new Error(`archive worker: no method ${target}.${method}`),
          ),
        })
        return
      }
      const call = Promise.resolve()
        .then(() => (fn as (...a: unknown[]) => unknown).apply(object, args))
        .then(
          (value) => port.postMessage({ type: 'result', id, ok: true, value }),
          (error: unknown) => port.postMessage({ type: 'result', id, ok: false, error: wireError(error) }),
        )
      inflight.add(call)
      void call.finally(() => inflight.delete(call))
    }
  })
  port.postMessage({ type: 'ready', state: state(), schemaVersion: archive.schemaVersion })
  // What SQLite holds beyond the watermark (written while Outpost was off, or before a crash).
  void archiver.drain()
}

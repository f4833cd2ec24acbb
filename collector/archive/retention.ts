import { stat } from 'node:fs/promises'
import type { DuckDBConnection } from '@duckdb/node-api'
import type { EventsRepo } from '../store/sqlite/events-repo'

export type RetentionSettings = {
  /** SQLite keeps archived events this many days; 0: forever. */
  hotDays: number
  /** The archive drops events older than this many days; 0: forever. */
  archiveMaxAgeDays: number
  /** The archive drops its oldest events while its file is larger; 0: no limit. */
  archiveMaxBytes: number
}

const DAY = 86_400_000
const CHUNK = 10_000
const MAX_SIZE_PASSES = 4

export type RetentionRun = { sqliteDeleted: number; archiveDeleted: number }

/**
 * One retention pass. SQLite only loses events at or below `safeSeq` (the archive watermark,
 * and the detection cursor when detection runs): an event not yet archived is never deleted.
 */
export const enforceRetention = async (
  settings: RetentionSettings,
  deps: {
    events: EventsRepo
    safeSeq: () => number
    duck: DuckDBConnection
    duckFile: string
    now?: number
  },
): Promise<RetentionRun> => ({
  sqliteDeleted: await enforceSqliteRetention(settings, deps),
  archiveDeleted: await enforceArchiveRetention(settings, deps),
})

/** SQLite's part (the core's thread): deletes go in chunks so ingest commits between them. */
export const enforceSqliteRetention = async (
  settings: Pick<RetentionSettings, 'hotDays'>,
  deps: { events: EventsRepo; safeSeq: () => number; now?: number },
): Promise<number> => {
  const now = deps.now ?? Date.now()
  let deleted = 0
  if (settings.hotDays > 0) {
    for (;;) {
      const n = deps.events.deleteOld(deps.safeSeq(), now - settings.hotDays * DAY, CHUNK)
      deleted += n
      if (n < CHUNK) break
      await new Promise((resolve) => setImmediate(resolve))
    }
  }
  return deleted
}

/** The archive's part (the archive worker): by age, then by the file's size. */
export const enforceArchiveRetention = async (
  settings: Pick<RetentionSettings, 'archiveMaxAgeDays' | 'archiveMaxBytes'>,
  deps: { duck: DuckDBConnection; duckFile: string; now?: number },
): Promise<number> => {
  const now = deps.now ?? Date.now()
  let deleted = 0
  if (settings.archiveMaxAgeDays > 0) {
    const result = await deps.duck.run('DELETE FROM events WHERE ts < make_timestamptz($1::BIGINT)', [
      BigInt(now - settings.archiveMaxAgeDays * DAY) * 1000n,
    ])
    deleted += Number(result.rowsChanged)
  }
  if (settings.archiveMaxBytes > 0) {
    // Measured as DuckDB's used blocks, not the file's length: deleted rows free blocks that new
    // rows reuse, and the file only gives back free space at its end, so its length lags far
    // behind (measuring it would delete again and again what is already gone).
    // Blocks are freed by whole row groups, so one pass can leave it a little over: a few more.
    for (let pass = 0; pass < MAX_SIZE_PASSES; pass++) {
      const size = await usedBytes(deps.duck, deps.duckFile)
      if (size <= settings.archiveMaxBytes) break
      // Drop the oldest share of rows by how far over the limit it is, plus a margin.
      const share = Math.min(1, (size - settings.archiveMaxBytes) / size + 0.05)
      const result = await deps.duck.run(
        'DELETE FROM events WHERE ts <= (SELECT quantile_disc(ts, $1) FROM events)',
        [share],
      )
      deleted += Number(result.rowsChanged)
      await deps.duck.run('CHECKPOINT')
    }
  }
  return deleted
}

/** The bytes DuckDB's blocks hold (used, not free), plus its write-ahead log. */
export const usedBytes = async (duck: DuckDBConnection, path: string): Promise<number> => {
  const row = (await duck.runAndReadAll('PRAGMA database_size')).getRowObjectsJS()[0]
  const blocks = Number(row?.used_blocks ?? 0) * Number(row?.block_size ?? 0)
  return blocks + (await fileBytes(`${path}.wal`))
}

export const fileBytes = async (path: string): Promise<number> => {
  let total = 0
  for (const file of [path, `${path}.wal`, `${path}-wal`]) {
    try {
      total += (await stat(file)).size
    } catch {
      // absent
    }
  }
  return total
}

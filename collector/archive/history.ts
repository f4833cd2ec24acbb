/**
 * Stored events in seq order for a rule test over history: what the DuckDB archive holds (up to
 * its watermark, months of events SQLite may no longer keep), then what SQLite has beyond it (not
 * archived yet). The live engine's own cursor never reads here: only back-tests do.
 */
import type { DuckDBConnection } from '@duckdb/node-api'
import type { CommittedEvent } from '../store/sqlite/events-repo'

export type HistoryReader = (cursor: number, limit: number) => Promise<CommittedEvent[]>

export const archiveHistory = (deps: {
  /** Archived events with `cursor < seq <= watermark`, in seq order (the archive worker). */
  archived: (cursor: number, watermark: number, limit: number) => Promise<CommittedEvent[]>
  watermark: () => number
  sqlite: (cursor: number, limit: number) => CommittedEvent[]
}): HistoryReader => {
  return async (cursor, limit) => {
    const watermark = deps.watermark()
    if (cursor >= watermark) return deps.sqlite(cursor, limit)
    const rows = await deps.archived(cursor, watermark, limit)
    // Nothing archived is left there (the archive's retention): on to what SQLite has after it.
    if (rows.length === 0) return deps.sqlite(watermark, limit)
    return rows
  }
}

/** The archive's side of `archiveHistory`, on a connection of its own. */
export const readArchived = async (
  connection: DuckDBConnection,
  cursor: number,
  watermark: number,
  limit: number,
): Promise<CommittedEvent[]> => {
  const reader = await connection.runAndReadAll(
    `SELECT seq, id, kind, epoch_ms(ts) AS ts, host, CAST(fields AS VARCHAR) AS fields FROM events
     WHERE seq > $1 AND seq <= $2 ORDER BY seq LIMIT $3`,
    [BigInt(cursor), BigInt(watermark), limit],
  )
  return reader.getRowObjectsJS().map((row) => {
    const { seq, id, kind, ts, host, fields } = row as {
      seq: bigint
      id: string
      kind: string | null
      ts: bigint
      host: string | null
      fields: string
    }
    return {
      seq: Number(seq),
      id,
      kind: kind === 'artifact' ? 'artifact' : 'event',
      ts: Number(ts),
      host,
      fields,
    }
  })
}

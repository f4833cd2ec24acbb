import type { FieldAlias } from '../detect/sigma/field-aliases'

/**
 * Messages between the core's thread and the archive worker, the thread that owns DuckDB: the
 * archiver, hunts, dashboards, metrics, back-test reads and the archive's retention all run
 * there, so the core's thread only hands over "new events were committed" and calls.
 */
export type ArchiveWorkerData = {
  duckdbPath: string
  /** The operational store the archiver reads committed events from (read-only). */
  sqlitePath: string
  sqliteBinding?: string | undefined
  memoryLimitMb?: number | undefined
  aliases: readonly FieldAlias[]
  /** Events per DuckDB transaction (tests use small batches). */
  batchSize?: number | undefined
}

export type ArchiveTarget = 'hunt' | 'metrics' | 'archive'

export type ArchiveState = {
  /** The last SQLite seq archived. */
  watermark: number
  /** Archived events per second over the last minute. */
  rate: number
  error: string | null
}

/** An error crossing the thread boundary: ContractError keeps its code, the rest their name. */
export type WireError = { name: string; message: string; code?: string | undefined }

export type ExportProgress = {
  export_id: string
  phase: 'selecting' | 'writing' | 'done' | 'failed'
  /** 0–100, or -1 while DuckDB cannot tell. */
  percentage: number
  rows: number
}

export type ToArchive =
  | { type: 'call'; id: number; target: ArchiveTarget; method: string; args: unknown[] }
  | { type: 'kick' }
  | { type: 'stop' }

export type FromArchive =
  | { type: 'ready'; state: ArchiveState; schemaVersion: number }
  | { type: 'fatal'; message: string; startup: boolean }
  | { type: 'result'; id: number; ok: true; value: unknown }
  | { type: 'result'; id: number; ok: false; error: WireError }
  | { type: 'state'; state: ArchiveState }
  | { type: 'export-progress'; progress: ExportProgress }
  | { type: 'stopped' }

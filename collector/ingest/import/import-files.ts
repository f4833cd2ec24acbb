import { stat } from 'node:fs/promises'
import type { NewEvent } from '../../store/sqlite/events-repo'
import { normalizeJson, type ReceiveContext } from '../normalize'
import { syslogEvent } from '../syslog-event'
import type { ImportFormat } from './detect'
import { expandSource, readPart } from './readers'
import { fileSource } from './source'

export const IMPORT_LISTENER = 'import'
export const DEFAULT_BATCH_SIZE = 5000

/** Where events go: `EventsRepo.insertBatch` for the CLI, the core's IngestPipeline for the UI. */
export type ImportSink = (events: NewEvent[]) => void | Promise<void>

export type ImportProblem = { file: string; at: string; reason: string }

export type FileSummary = {
  file: string
  /** What was read: `evtx`, `ndjson`…; archives list their members' formats, e.g. `zip(ndjson,evtx)`. */
  format: string
  records: number
  imported: number
  rejected: number
  seconds: number
  /** Set when the file could not be read at all (or stopped part way); what was read is still stored. */
  error: string | null
}

export type ImportProgress = {
  file: string
  records: number
  imported: number
  rejected: number
  /** Bytes of the file on disk read so far (for archives: of the archive), and its size. */
  bytesRead: number
  bytesTotal: number
}

export type ImportOptions = {
  format?: ImportFormat
  sink: ImportSink
  batchSize?: number
  onProblem?: (problem: ImportProblem) => void
  onProgress?: (progress: ImportProgress) => void
  signal?: AbortSignal
  now?: () => number
}

const wrapperOf = (name: string, partName: string): string | null =>
  partName.includes('!') ? 'zip' : /\.t?gz$/i.test(name) ? 'gzip' : null

/** Imports one file (or archive); never throws except on cancellation. */
export const importFile = async (path: string, options: ImportOptions): Promise<FileSummary> => {
  const now = options.now ?? Date.now
  const started = performance.now()
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE
  const summary: FileSummary = {
    file: path,
    format: '?',
    records: 0,
    imported: 0,
    rejected: 0,
    seconds: 0,
    error: null,
  }
  const formats = new Set<string>()
  let wrapper: string | null = null
  let batch: NewEvent[] = []
  let bytesTotal = 0
  // The last stream opened on the file is the one being read (detection reads only a head).
  let reading: { bytesRead?: number } | null = null
  const bytesRead = (): number => Math.min(bytesTotal, reading?.bytesRead ?? 0)
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return
    const events = batch
    batch = []
    await options.sink(events)
    summary.imported += events.length
    options.onProgress?.({
      file: path,
      records: summary.records,
      imported: summary.imported,
      rejected: summary.rejected,
      bytesRead: bytesRead(),
      bytesTotal,
    })
  }
  try {
    const info = await stat(path)
    if (!info.isFile()) throw new Error('not a regular file')
    bytesTotal = info.size
    const onDisk = fileSource(path, info.size)
    const counted = {
      ...onDisk,
      open: () => {
        const stream = onDisk.open()
        reading = stream as { bytesRead?: number }
        return stream
      },
    }
    for await (const part of expandSource(counted, options.format ?? 'auto')) {
      formats.add(part.format)
      wrapper ??= wrapperOf(path, part.source.name)
      const ctx: ReceiveContext = { listener: IMPORT_LISTENER, source: part.source.name, receivedAt: now() }
      for await (const item of readPart(part)) {
        summary.records++
        if (item.kind === 'problem') {
          summary.rejected++
          options.onProblem?.({ file: part.source.name, at: item.at, reason: item.reason })
          continue
        }
        batch.push(
          item.kind === 'line' ? syslogEvent(Buffer.from(item.text), ctx) : normalizeJson(item.value, ctx),
        )
        if (batch.length >= batchSize) {
          options.signal?.throwIfAborted()
          await flush()
        }
      }
    }
    options.signal?.throwIfAborted()
    await flush()
  } catch (error) {
    if (options.signal?.aborted) throw error
    summary.error = (error as Error).message
  }
  const kinds = [...formats].join(',') || '?'
  summary.format = wrapper ? `${wrapper}(${kinds})` : kinds
  summary.seconds = (performance.now() - started) / 1000
  return summary
}

/** Files one after another; a file that fails does not stop the others. */
export const importFiles = async (
  paths: readonly string[],
  options: ImportOptions,
): Promise<FileSummary[]> => {
  const summaries: FileSummary[] = []
  for (const path of paths) summaries.push(await importFile(path, options))
  return summaries
}

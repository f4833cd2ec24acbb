import { stat } from 'node:fs/promises'
import type { ImportFormat } from './detect'
import type { ImportProblem } from './import-files'
import { expandSource, readPart } from './readers'
import { fileSource } from './source'

/** One flat record and where it came from (the file, or archive!member). */
export type SourcedRecord = { source: string; record: Record<string, unknown> }

/**
 * The import readers without the store: flat records from one file or archive, as `importFile`
 * reads them (evtx and evtx_dump JSON flattened). Plain-text lines come back as `{ message }`.
 * Bad records go to `onProblem`; a file that cannot be read at all throws.
 */
export async function* readRecords(
  path: string,
  format: ImportFormat = 'auto',
  onProblem?: (problem: ImportProblem) => void,
): AsyncGenerator<SourcedRecord> {
  const info = await stat(path)
  if (!info.isFile()) throw new Error('not a regular file')
  for await (const part of expandSource(fileSource(path, info.size), format)) {
    for await (const item of readPart(part)) {
      if (item.kind === 'problem') onProblem?.({ file: part.source.name, at: item.at, reason: item.reason })
      else
        yield {
          source: part.source.name,
          record: item.kind === 'line' ? { message: item.text } : item.value,
        }
    }
  }
}

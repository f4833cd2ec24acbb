import { parse } from 'csv-parse'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'
import type { ReadItem } from './source'

/** Plain syslog text: one message per line; blank lines are not messages. */
export async function* readSyslogLines(stream: Readable): AsyncGenerator<ReadItem> {
  const lines = createInterface({ input: stream, crlfDelay: Infinity })
  let line = 0
  for await (const raw of lines) {
    line++
    const text = line === 1 ? raw.replace(/^\uFEFF/, '') : raw
    if (text.trim().length > 0) yield { kind: 'line', text, at: `line ${line}` }
  }
}

/** CSV with a header row; every value a string, as the file has it. A bad row costs only itself. */
export async function* readCsv(stream: Readable): AsyncGenerator<ReadItem> {
  const skipped: ReadItem[] = []
  const parser = stream.pipe(
    parse({
      columns: true,
      bom: true,
      skip_empty_lines: true,
      skip_records_with_error: true,
      info: true,
      on_skip: (error) => {
        skipped.push({
          kind: 'problem',
          at: error ? `line ${String(error.lines)}` : 'a row',
          reason: error?.message ?? 'unreadable row',
        })
        return undefined
      },
    }),
  )
  for await (const row of parser as AsyncIterable<{
    record: Record<string, string>
    info: { lines: number }
  }>) {
    yield* skipped.splice(0)
    yield { kind: 'record', value: row.record, at: `line ${row.info.lines}` }
  }
  yield* skipped.splice(0)
}

import { IMPORT_FORMATS, type ImportFormat } from '../../ingest/import/detect'
import { importFiles, type FileSummary, type ImportProblem } from '../../ingest/import/import-files'
import { EventsRepo } from '../../store/sqlite/events-repo'
import { SqliteStore } from '../../store/sqlite/sqlite-store'
import { loadConfig } from '../config'
import { prepareDataDir } from '../data-dir'
import { dataFiles, defaultDataDir } from '../paths'
import { commonOptions, parse, UsageError, type CliIo, type Command } from './common'

const HELP = `Usage: outpost import FILE… [--data-dir DIR] [--format FORMAT] [--json]

Imports log files into the store, as if a forwarder had sent them (listener "import", source the
file's path, or archive!member). Formats, found by content then by name unless --format says:
  ndjson   one JSON object per line
  json     a JSON array of objects, one object, or objects one after another; evtx_dump
           output ({"Event":{"System":…,"EventData":…}}) is flattened to EventID, Channel,
           Computer, Provider_Name, TimeCreated and the EventData fields
  evtx     Windows event log files, flattened the same way
  csv      comma-separated values with a header row
  syslog   plain text, one message per line
zip and gzip archives holding any of these are opened. Works beside a running Outpost on the same
data dir (only the SQLite store is written). A bad record is reported and skipped.

Prints a summary per file on stderr (or JSON on stdout with --json). Exit status 0 when every
file was read, 1 when any file could not be read at all.

Options:
  --data-dir DIR   data dir
  --format FORMAT  auto (default), ${IMPORT_FORMATS.filter((f) => f !== 'auto').join(', ')}
  --json           print the summary as JSON on stdout
  -h, --help       show this help
`

/** Per file, so one bad file cannot bury the terminal; the count is in the summary anyway. */
const PROBLEMS_SHOWN_PER_FILE = 20

const table = (summaries: FileSummary[]): string => {
  const header = ['FILE', 'FORMAT', 'RECORDS', 'IMPORTED', 'REJECTED', 'SECONDS']
  const rows = summaries.map((s) => [
    s.file,
    s.format,
    String(s.records),
    String(s.imported),
    String(s.rejected),
    s.seconds.toFixed(2),
  ])
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  const lines = [header, ...rows].map((r) =>
    r
      .map((cell, i) => (i >= 2 ? cell.padStart(widths[i]!) : cell.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd(),
  )
  const failed = summaries.filter((s) => s.error !== null)
  return [...lines, ...failed.map((s) => `outpost: error: ${s.file}: ${s.error}`)].join('\n') + '\n'
}

const run = async (args: string[], io: CliIo): Promise<number> => {
  const { values, positionals } = parse(
    args,
    { ...commonOptions, format: { type: 'string', short: 'f' }, json: { type: 'boolean' } },
    'import',
    true,
  )
  if (values.help) {
    io.stdout(HELP)
    return 0
  }
  const format = (values.format ?? 'auto') as ImportFormat
  if (!IMPORT_FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${IMPORT_FORMATS.join(', ')}, got "${format}"`)
  if (positionals.length === 0)
    throw new UsageError('name at least one FILE to import (see outpost import --help)')

  // No data-dir lock and no DuckDB: a collector may be running on this data dir. SQLite in WAL
  // mode takes a second writer; busy_timeout waits out the collector's commits.
  const dataDir = values['data-dir'] ?? defaultDataDir(io.env)
  prepareDataDir(dataDir)
  const files = dataFiles(dataDir)
  const config = loadConfig(files.config)
  const store = SqliteStore.open(files.sqlite, { synchronous: config.storage.sqlite_synchronous })
  const shown = new Map<string, number>()
  const onProblem = (problem: ImportProblem): void => {
    const count = (shown.get(problem.file) ?? 0) + 1
    shown.set(problem.file, count)
    if (count <= PROBLEMS_SHOWN_PER_FILE)
      io.stderr(`outpost: import: ${problem.file}: ${problem.at}: ${problem.reason}\n`)
    else if (count === PROBLEMS_SHOWN_PER_FILE + 1)
      io.stderr(`outpost: import: ${problem.file}: more rejected records not shown (see the summary)\n`)
  }
  let summaries: FileSummary[]
  try {
    const repo = new EventsRepo(store.db)
    summaries = await importFiles(positionals, {
      format,
      onProblem,
      sink: (events) => void repo.insertBatch(events),
    })
  } finally {
    store.close()
  }
  if (values.json) io.stdout(JSON.stringify({ files: summaries }) + '\n')
  else io.stderr(table(summaries))
  return summaries.some((s) => s.error !== null) ? 1 : 0
}

export const importCommand: Command = {
  summary: 'import log files (NDJSON, JSON, EVTX, CSV, syslog; zip and gzip) into the store',
  run,
}

import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { ARCHIVE_COLUMNS, DuckArchive } from '../../store/duckdb/archive'
import { loadConfig } from '../config'
import { prepareDataDir } from '../data-dir'
import { StartupError } from '../errors'
import { dataFiles, defaultDataDir } from '../paths'
import { commonOptions, parse, UsageError, type Command } from './common'

const HELP = `Usage: outpost archive export --day YYYY-MM-DD --out FILE.parquet [--data-dir DIR]
       outpost archive import FILE.parquet [--data-dir DIR]

Carries archived events between machines (air-gapped ones too) as Parquet, one UTC day per file.

  export   writes the archive's events of that day (UTC), oldest first, with every column
  import   adds a file's events to the archive; events whose id is already there are skipped,
           so importing a file twice is harmless. Imported events are for hunting: they are not
           copied into the operational store and raise no alerts.

Stop Outpost first: DuckDB lets one program at a time open the archive.

Options:
  --day YYYY-MM-DD   the UTC day to export
  --out FILE         where to write the Parquet file
  --data-dir DIR     data dir
  -h, --help         show this help
`

const sqlString = (text: string): string => `'${text.replace(/'/g, "''")}'`

const DAY_MS = 86_400_000

export const archiveCommand: Command = {
  summary: 'export or import archived events of a day as Parquet',
  run: async (args, io) => {
    const { values, positionals } = parse(
      args,
      { ...commonOptions, day: { type: 'string' }, out: { type: 'string' } },
      'archive',
      true,
    )
    if (values.help) {
      io.stdout(HELP)
      return 0
    }
    const [verb, ...rest] = positionals
    if (verb !== 'export' && verb !== 'import')
      throw new UsageError(
        verb === undefined
          ? 'say what to do: export or import (see outpost archive --help)'
          : `unknown archive command "${verb}": use export or import`,
      )
    let day = 0
    let file: string
    if (verb === 'export') {
      if (rest.length > 0)
        throw new UsageError(`unexpected argument "${rest[0]}" (see outpost archive --help)`)
      if (!values.day || !/^\d{4}-\d{2}-\d{2}$/.test(values.day) || Number.isNaN(Date.parse(values.day)))
        throw new UsageError(`--day must be a date as YYYY-MM-DD, got "${values.day ?? ''}"`)
      if (!values.out) throw new UsageError('--out FILE.parquet is required')
      day = Date.parse(`${values.day}T00:00:00Z`)
      file = resolve(values.out)
    } else {
      if (values.day || values.out) throw new UsageError('--day and --out are for export')
      if (rest.length !== 1)
        throw new UsageError('name one Parquet file to import (see outpost archive --help)')
      file = resolve(rest[0] as string)
      if (!existsSync(file)) throw new UsageError(`no such file: ${file}`)
    }

    const dir = values['data-dir'] ?? defaultDataDir(io.env)
    prepareDataDir(dir)
    const files = dataFiles(dir)
    const archive = await DuckArchive.open(files.duckdb, {
      memoryLimitMb: loadConfig(files.config).archive.memory_limit_mb,
    })
    try {
      const c = archive.connection
      if (verb === 'export') {
        const range = [BigInt(day) * 1000n, BigInt(day + DAY_MS) * 1000n]
        const counted = await c.runAndReadAll(
          'SELECT count(*) AS n FROM events WHERE ts >= make_timestamptz($1::BIGINT) AND ts < make_timestamptz($2::BIGINT)',
          range,
        )
        const n = Number(counted.getRowObjectsJS()[0]?.n ?? 0)
        // COPY takes no parameters: the day is a number we made, the path an escaped literal.
        await c.run(
          `COPY (SELECT ${ARCHIVE_COLUMNS} FROM events
                 WHERE ts >= make_timestamptz(${range[0]}) AND ts < make_timestamptz(${range[1]}) ORDER BY ts, seq)
           TO ${sqlString(file)} (FORMAT parquet, COMPRESSION zstd)`,
        )
        io.stdout(`exported ${n} events of ${values.day} to ${file}\n`)
        return 0
      }
      let columns: string[]
      try {
        const described = await c.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet(${sqlString(file)})`)
        columns = described.getRowObjectsJS().map((row) => row.column_name as string)
      } catch (error) {
        throw new StartupError(`${file} is not a Parquet file: ${(error as Error).message.split('\n')[0]}`)
      }
      const expected = ARCHIVE_COLUMNS.split(',').map((name) => name.trim())
      const missing = expected.filter((name) => !columns.includes(name))
      if (missing.length > 0)
        throw new StartupError(
          `${file} is not an Outpost archive export: it lacks ${missing.join(', ')} (make it with outpost archive export)`,
        )
      await c.run('BEGIN TRANSACTION')
      try {
        const before = Number(
          (await c.runAndReadAll('SELECT count(*) AS n FROM events')).getRowObjectsJS()[0]?.n ?? 0,
        )
        await c.run(
          `INSERT INTO events (${ARCHIVE_COLUMNS})
           SELECT ${expected.map((name) => `p.${name}`).join(', ')} FROM read_parquet(${sqlString(file)}) p
           WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = p.id)`,
        )
        const after = Number(
          (await c.runAndReadAll('SELECT count(*) AS n FROM events')).getRowObjectsJS()[0]?.n ?? 0,
        )
        const total = Number(
          (
            await c.runAndReadAll(`SELECT count(*) AS n FROM read_parquet(${sqlString(file)})`)
          ).getRowObjectsJS()[0]?.n ?? 0,
        )
        await c.run('COMMIT')
        io.stdout(
          `imported ${after - before} events from ${file} (${total - (after - before)} already archived)\n`,
        )
      } catch (error) {
        await c.run('ROLLBACK')
        throw error
      }
      return 0
    } finally {
      archive.close()
    }
  },
}

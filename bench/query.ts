// npm run bench -- query: hunting over the DuckDB archive against the same queries on SQLite's
// events table, on the same synthetic events (BENCH_EVENTS, default 10 million), side by side in
// one run. Prints one JSON object.
//
// Both stores are seeded by SQL from one deterministic formula (an integer hash of the row
// number picks host, user, process, command line…), so they hold the same rows without pushing
// 10M JSON documents through JavaScript. DuckDB queries go through HuntService, the code behind
// hunt:histogram and hunt:search; count-by-field is the dashboard's top-hosts SQL.
//
// The physical baseline is DuckDB's bare scan of the columns those queries read (count, max ts,
// max host) on the same file: `ratio` is that scan's time over the median of the DuckDB query
// p50s (1 would be "as fast as reading the data at all"). The archiver's own rate (SQLite ->
// DuckDB through the Appender, hot columns extracted) is measured on BENCH_ARCHIVE_EVENTS rows.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { Archiver } from '../collector/archive/archiver'
import { HuntService } from '../collector/hunt/hunt-service'
import { DuckArchive } from '../collector/store/duckdb/archive'
import { migrate } from '../collector/store/sqlite/migrate'
import { migrations } from '../collector/store/sqlite/migrations'

const N = Number(process.env.BENCH_EVENTS ?? 10_000_000)
const ARCHIVE_N = Math.min(N, Number(process.env.BENCH_ARCHIVE_EVENTS ?? 500_000))
const RUNS = Number(process.env.BENCH_RUNS ?? 7)
const MEMORY_MB = 512
const START_MS = Date.parse('2026-11-01T00:00:00Z')
/** One event every 25 ms: 10M events span about three days. */
const STEP_MS = 25
const END_MS = START_MS + N * STEP_MS

const log = (text: string): void =>
  void process.stderr.write(
    `[bench query] ${text} (rss ${Math.round(process.memoryUsage().rss / 1048576)} MB, peak ${peakRssMb()} MB)\n`,
  )

/** The generator, as SQL both engines run: `i` is the row number; each field has its own hash of it. */
const MULTIPLIERS = [2654435761, 2246822519, 3266489917, 668265263, 374761393, 1597334677, 2869860233]
// Multiply and modulo only: `/` is integer division in SQLite but not in DuckDB.
const hash = (k: number): string => `((i * ${MULTIPLIERS[k % MULTIPLIERS.length]}) % 4294967291)`
const HASH = hash(0)
const gen = {
  host: `'ws-' || printf('%04d', ${HASH} % 500) || '.corp.example'`,
  user: `CASE ${hash(1)} % 10 WHEN 0 THEN 'alice' WHEN 1 THEN 'bob' WHEN 2 THEN 'carol' WHEN 3 THEN 'dave'
    WHEN 4 THEN 'svc_backup' WHEN 5 THEN 'SYSTEM' WHEN 6 THEN 'admin' WHEN 7 THEN 'eve' WHEN 8 THEN 'mallory' ELSE 'trent' END`,
  image: `CASE ${hash(2)} % 8
    WHEN 0 THEN 'C:\\Windows\\System32\\cmd.exe'
    WHEN 1 THEN 'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe'
    WHEN 2 THEN 'C:\\Windows\\System32\\rundll32.exe'
    WHEN 3 THEN 'C:\\Windows\\System32\\svchost.exe'
    WHEN 4 THEN 'C:\\Program Files\\Google\\Chrome\\Application\\chrome.exe'
    WHEN 5 THEN 'C:\\Windows\\explorer.exe'
    WHEN 6 THEN 'C:\\Windows\\System32\\schtasks.exe'
    ELSE 'C:\\Windows\\System32\\net.exe' END`,
  command: `CASE ${hash(2)} % 8
    WHEN 0 THEN 'cmd.exe /c whoami /all'
    WHEN 1 THEN 'powershell -nop -w hidden -enc SQBFAFgA'
    WHEN 2 THEN 'rundll32.exe C:\\Users\\Public\\x.dll,Start'
    WHEN 3 THEN 'svchost.exe -k netsvcs -p -s Schedule'
    WHEN 4 THEN '"chrome.exe" --type=renderer --lang=en-US'
    WHEN 5 THEN 'C:\\Windows\\Explorer.EXE'
    WHEN 6 THEN 'schtasks /create /tn Update /tr C:\\Temp\\u.exe'
    ELSE 'net user /domain' END || ' ' || (${hash(3)} % 100000)`,
  code: `CASE ${hash(4)} % 10 WHEN 0 THEN 3 WHEN 1 THEN 4624 ELSE 1 END`,
  severity: `CASE ${hash(5)} % 20 WHEN 0 THEN 'high' WHEN 1 THEN 'medium' WHEN 2 THEN 'medium' WHEN 3 THEN 'low' ELSE 'info' END`,
  listener: `CASE ${hash(6)} % 3 WHEN 0 THEN 'http' WHEN 1 THEN 'syslog_udp' ELSE 'hec' END`,
  source: `'10.0.' || (${hash(1)} % 256) || '.' || (${hash(2)} % 251)`,
  dstIp: `'93.184.' || (${hash(5)} % 256) || '.' || (${hash(6)} % 251)`,
  dstPort: `CASE ${hash(3)} % 4 WHEN 0 THEN 443 WHEN 1 THEN 80 WHEN 2 THEN 445 ELSE 3389 END`,
}

/** The row as both stores keep it: columns named c_*, the original event as JSON. */
const rowSelect = `
  SELECT i AS c_seq, 'ev-' || printf('%010d', i) AS c_id, ${START_MS} + i * ${STEP_MS} AS c_ts,
         ${gen.listener} AS c_listener, ${gen.source} AS c_source, ${gen.host} AS c_host,
         ${gen.severity} AS c_severity, ${gen.user} AS c_user, ${gen.image} AS c_image,
         ${gen.command} AS c_cmd, ${gen.code} AS c_code, ${gen.dstIp} AS c_dst_ip, ${gen.dstPort} AS c_dst_port`
const fieldsJson = `json_object('Channel', 'Microsoft-Windows-Sysmon/Operational', 'EventID', c_code, 'Computer', c_host,
  'User', c_user, 'Image', c_image, 'CommandLine', c_cmd, 'ParentImage', 'C:\\Windows\\explorer.exe',
  'DestinationIp', CASE WHEN c_code = 3 THEN c_dst_ip END, 'DestinationPort', CASE WHEN c_code = 3 THEN c_dst_port END)`
const messageSql = `'Process ' || c_image || ' by ' || c_user`

const seedDuck = async (archive: DuckArchive, count: number): Promise<void> => {
  await archive.connection.run(`
    INSERT INTO events
    SELECT c_seq, c_id, make_timestamptz(c_ts * 1000), make_timestamptz(c_ts * 1000 + 150000), c_listener, c_source,
           c_host, c_severity, ${messageSql}, ${fieldsJson},
           CASE c_code WHEN 3 THEN 'network' WHEN 4624 THEN 'logon' ELSE 'process' END, CAST(c_code AS VARCHAR),
           'Microsoft-Windows-Sysmon/Operational', c_user, c_image, 'C:\\Windows\\explorer.exe', c_cmd, NULL,
           CASE WHEN c_code = 3 THEN c_dst_ip END, CASE WHEN c_code = 3 THEN c_dst_port END
    FROM (${rowSelect} FROM range(1, ${count + 1}) t(i))`)
  await archive.connection.run('CHECKPOINT')
}

const seedSqlite = (db: Database.Database, count: number): void => {
  db.exec(`
    WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${count})
    INSERT INTO events (seq, id, kind, ts, received_at, listener, source, host, severity, message, fields)
    SELECT c_seq, c_id, 'event', c_ts, c_ts + 150, c_listener, c_source, c_host, c_severity, ${messageSql}, ${fieldsJson}
    FROM (${rowSelect} FROM n)`)
}

const openSqlite = (path: string): Database.Database => {
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  migrate(db, migrations, path)
  return db
}

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN
}

const timeRuns = async (runs: number, budgetMs: number, run: () => unknown): Promise<number[]> => {
  const times: number[] = []
  const started = performance.now()
  while (times.length < runs && (times.length === 0 || performance.now() - started < budgetMs)) {
    const t = performance.now()
    await run()
    times.push(performance.now() - t)
  }
  return times
}

/** Resets the peak RSS (Linux): seeding 10M rows is the bench's work, not the archive's. */
const resetPeakRss = (): void => {
  try {
    writeFileSync('/proc/self/clear_refs', '5')
  } catch {
    // not Linux, or not allowed: the peak then includes seeding
  }
}

const peakRssMb = (): number => {
  const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'))
  return Math.round((hwm ? Number(hwm[1]) : process.memoryUsage().rss / 1024) / 1024)
}

const ms = (n: number): number => Number(n.toFixed(1))

const main = async (): Promise<void> => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-query-'))
  try {
    // The default of archive.memory_limit_mb, as Outpost runs it.
    const archive = await DuckArchive.open(join(dir, 'archive.duckdb'), { memoryLimitMb: MEMORY_MB })
    let t = performance.now()
    await seedDuck(archive, N)
    const duckSeedS = (performance.now() - t) / 1000
    log(`duckdb seeded with ${N} events in ${duckSeedS.toFixed(1)} s`)

    const sqlite = openSqlite(join(dir, 'outpost.sqlite'))
    t = performance.now()
    seedSqlite(sqlite, N)
    const sqliteSeedS = (performance.now() - t) / 1000
    log(`sqlite seeded with ${N} events in ${sqliteSeedS.toFixed(1)} s`)

    const seedRssMb = peakRssMb()
    resetPeakRss()
    const hunt = await HuntService.open(archive)
    const iv = Math.ceil((END_MS - START_MS) / 100)
    const from = new Date(START_MS).toISOString()
    const to = new Date(END_MS).toISOString()
    const searchQuery = 'process:*\\powershell.exe AND user:alice'
    const duck = {
      count_by_field: () =>
        archive.connection.runAndReadAll(
          'SELECT host AS k, count(*) AS n FROM events WHERE host IS NOT NULL GROUP BY 1 ORDER BY n DESC, k LIMIT 10',
        ),
      histogram: () => hunt.histogram({ query: '', from, to, buckets: 100 }),
      histogram_filtered: () =>
        hunt.histogram({ query: 'kind:network AND dst_port:445', from, to, buckets: 100 }),
      search_first_100: () => hunt.search({ query: searchQuery, from, to, limit: 100, offset: 0 }),
    }
    const lite = {
      count_by_field: sqlite.prepare(
        'SELECT host AS k, count(*) AS n FROM events WHERE host IS NOT NULL GROUP BY 1 ORDER BY n DESC, k LIMIT 10',
      ),
      histogram: sqlite.prepare(
        'SELECT (ts - @from) / @iv AS b, count(*) AS n FROM events WHERE ts >= @from AND ts < @to GROUP BY b',
      ),
      histogram_filtered: sqlite.prepare(
        `SELECT (ts - @from) / @iv AS b, count(*) AS n FROM events WHERE ts >= @from AND ts < @to
         AND json_extract(fields, '$.EventID') = 3 AND json_extract(fields, '$.DestinationPort') = 445 GROUP BY b`,
      ),
      // What the SQLite store could do: walk the ts index newest first until 100 rows match.
      search_first_100: sqlite.prepare(
        `SELECT seq, id, ts, host, message, fields FROM events
         WHERE json_extract(fields, '$.Image') LIKE '%\\powershell.exe' AND lower(json_extract(fields, '$.User')) = 'alice'
           ORDER BY ts DESC, seq DESC LIMIT 100`,
      ),
    }
    const params = { from: START_MS, to: END_MS, iv }
    const check = await duck.search_first_100()
    log(`search matches ${check.total}, first page ${check.rows.length}`)

    const baseline = await timeRuns(RUNS, 60_000, () =>
      archive.connection.runAndReadAll('SELECT count(*), max(ts), max(host) FROM events'),
    )
    // DuckDB first, so the peak RSS it reaches (with the archiver below) is the archive's own;
    // SQLite's queries run after it is read.
    const duckTimes = new Map<string, number[]>()
    for (const name of Object.keys(duck) as Array<keyof typeof duck>) {
      await duck[name]() // warm
      duckTimes.set(name, await timeRuns(RUNS, 60_000, duck[name]))
      log(`${name}: duckdb p50 ${percentile(duckTimes.get(name) ?? [], 50).toFixed(1)} ms`)
    }
    // The field sidebar and the dashboard (DuckDB only: SQLite has no counterpart worth timing).
    const extra: Record<string, number> = {}
    if (process.env.BENCH_EXTRA === '1') {
      for (const [name, run] of [
        ['fields', () => hunt.fields({ query: 'kind:process', from, to, top: 5 })],
        ['dashboard', () => hunt.dashboard(from, to, 60, 10)],
      ] as const) {
        await run()
        extra[`${name}_p50_ms`] = ms(percentile(await timeRuns(3, 30_000, run), 50))
        log(`${name}: duckdb p50 ${extra[`${name}_p50_ms`]} ms`)
      }
    }
    // The archiver: a fresh SQLite store and archive, ARCHIVE_N events through the Appender.
    const feedDb = openSqlite(join(dir, 'feed.sqlite'))
    seedSqlite(feedDb, ARCHIVE_N)
    // Outpost has one archive: the queried one is closed first, so the peak is one instance's.
    hunt.close()
    archive.close()
    const feedArchive = await DuckArchive.open(join(dir, 'feed.duckdb'), { memoryLimitMb: MEMORY_MB })
    const archiver = await Archiver.open(feedDb, feedArchive)
    t = performance.now()
    await archiver.drain()
    const archiveEps = ARCHIVE_N / ((performance.now() - t) / 1000)
    log(`archiver: ${Math.round(archiveEps)} events/s (watermark ${archiver.watermark})`)
    await archiver.stop()
    feedArchive.close()
    feedDb.close()
    const rssMb = peakRssMb()

    const queries = []
    for (const name of Object.keys(duck) as Array<keyof typeof duck>) {
      const statement = lite[name]
      const s = await timeRuns(3, 15_000, () =>
        name === 'count_by_field' || name === 'search_first_100' ? statement.all() : statement.all(params),
      )
      const d = duckTimes.get(name) ?? []
      log(`${name}: sqlite p50 ${percentile(s, 50).toFixed(1)} ms`)
      queries.push({
        name,
        duckdb_p50_ms: ms(percentile(d, 50)),
        duckdb_p95_ms: ms(percentile(d, 95)),
        sqlite_p50_ms: ms(percentile(s, 50)),
      })
    }

    const baselineMs = percentile(baseline, 50)
    const p50s = queries.map((q) => q.duckdb_p50_ms)
    const result = {
      name: 'query',
      events: N,
      queries,
      baseline_scan_ms: ms(baselineMs),
      ratio: Number((baselineMs / percentile(p50s, 50)).toFixed(3)),
      archive_eps: Math.round(archiveEps),
      seed_s: { duckdb: Number(duckSeedS.toFixed(1)), sqlite: Number(sqliteSeedS.toFixed(1)) },
      rss_mb: rssMb,
      rss_with_sqlite_mb: peakRssMb(),
      seed_rss_mb: seedRssMb,
      ...extra,
    }
    sqlite.close()
    process.stdout.write(JSON.stringify(result) + '\n')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`)
  process.exit(1)
})

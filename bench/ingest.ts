// npm run bench -- ingest: end-to-end ingest rate of a real `outpost serve` (HTTP NDJSON and TCP
// syslog -> parsed -> normalized -> durable in SQLite), against the bare better-sqlite3 insert
// rate of the same rows measured in the same run. Prints one JSON object.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { normalizeJson } from '../collector/ingest/normalize'
import { spawnServe, type ServeProcess } from '../collector/host/serve-process'
import { migrate } from '../collector/store/sqlite/migrate'
import { migrations } from '../collector/store/sqlite/migrations'
import { EventsRepo } from '../collector/store/sqlite/events-repo'
import { makeEvents, toSyslog } from './workload'

const N = Number(process.env.BENCH_EVENTS ?? 300_000)
const HTTP_BATCH = 5000
const HTTP_CLIENTS = 4
const TCP_CONNECTIONS = 4

const peakRssMb = (pid: number): number => {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024)
}

const api = async (serve: ServeProcess, call: string, body: unknown): Promise<unknown> => {
  const response = await fetch(`${serve.ready.api}/api/${call.replace(':', '/')}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${serve.ready.token}` },
    body: JSON.stringify(body),
  })
  return ((await response.json()) as { value: unknown }).value
}
const total = async (serve: ServeProcess): Promise<number> =>
  ((await api(serve, 'events:list', { limit: 1 })) as { total: number }).total

/** The physical baseline: the same rows, the same schema and pragmas, the same batch size, no collector. */
const sqliteBaseline = (events: Array<Record<string, unknown>>): number => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-sqlite-'))
  try {
    const db = new Database(join(dir, 'baseline.sqlite'))
    db.pragma('journal_mode = WAL')
    db.pragma('synchronous = FULL')
    migrate(db, migrations, 'baseline')
    const repo = new EventsRepo(db)
    const ctx = { listener: 'http', source: '127.0.0.1', receivedAt: Date.now() }
    const rows = events.map((e) => normalizeJson(e, ctx))
    const started = performance.now()
    for (let i = 0; i < rows.length; i += HTTP_BATCH) repo.insertBatch(rows.slice(i, i + HTTP_BATCH))
    const seconds = (performance.now() - started) / 1000
    db.close()
    return rows.length / seconds
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

const httpNdjson = async (serve: ServeProcess, events: Array<Record<string, unknown>>) => {
  const bodies: string[] = []
  for (let i = 0; i < events.length; i += HTTP_BATCH) {
    bodies.push(
      events
        .slice(i, i + HTTP_BATCH)
        .map((e) => JSON.stringify(e))
        .join('\n'),
    )
  }
  const url = `http://127.0.0.1:${serve.ready.listeners.http}/v1/events`
  let acknowledged = 0
  let nextBody = 0
  const started = performance.now()
  await Promise.all(
    Array.from({ length: HTTP_CLIENTS }, async () => {
      while (nextBody < bodies.length) {
        const body = bodies[nextBody++]!
        const response = await fetch(url, { method: 'POST', body })
        if (response.status !== 200) throw new Error(`HTTP ${response.status}: ${await response.text()}`)
        acknowledged += ((await response.json()) as { accepted: number }).accepted
      }
    }),
  )
  return { eps: acknowledged / ((performance.now() - started) / 1000), acknowledged }
}

const tcpSyslog = async (serve: ServeProcess, lines: string[]) => {
  const before = await total(serve)
  const framed = lines.map((l) => `${Buffer.byteLength(l)} ${l}`)
  const per = Math.ceil(framed.length / TCP_CONNECTIONS)
  const started = performance.now()
  await Promise.all(
    Array.from({ length: TCP_CONNECTIONS }, async (_, c) => {
      const socket = connect(serve.ready.listeners.syslog_tcp!, '127.0.0.1')
      await new Promise((resolve) => socket.once('connect', resolve))
      const mine = framed.slice(c * per, (c + 1) * per)
      for (let i = 0; i < mine.length; i += 2000) {
        if (!socket.write(mine.slice(i, i + 2000).join('')))
          await new Promise((resolve) => socket.once('drain', resolve))
      }
      await new Promise<void>((resolve) => socket.end(resolve))
    }),
  )
  // TCP syslog has no acknowledgement: done is when the store holds them all.
  for (;;) {
    const stored = (await total(serve)) - before
    if (stored >= lines.length) break
    if (performance.now() - started > 120_000)
      throw new Error(`only ${stored} of ${lines.length} syslog messages stored`)
    await new Promise((r) => setTimeout(r, 5))
  }
  return lines.length / ((performance.now() - started) / 1000)
}

const main = async (): Promise<void> => {
  const events = makeEvents(N)
  const baseline = sqliteBaseline(events)
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-bench-ingest-'))
  if (process.env.BENCH_NO_DETECT)
    writeFileSync(join(dataDir, 'config.yaml'), 'detection:\n  enabled: false\n')
  const serve = await spawnServe(['--data-dir', dataDir, '--port', '0', '--log-level', 'warn'])
  try {
    const started = performance.now()
    const http = await httpNdjson(serve, events)
    const storedAfterHttp = await total(serve)
    const tcp = await tcpSyslog(serve, toSyslog(events))
    // The DuckDB archive follows ingest: its lag (events stored, not archived yet) the moment
    // ingest ended, and how long until it holds both runs' events.
    const ended = performance.now()
    const lagAtEnd = ((await api(serve, 'archive:status', {})) as { lag: number }).lag
    for (;;) {
      const status = (await api(serve, 'archive:status', {})) as { lag: number }
      if (status.lag === 0) break
      if (performance.now() - started > 600_000) throw new Error(`the archive is still ${status.lag} behind`)
      await new Promise((r) => setTimeout(r, 50))
    }
    const caughtUpMs = performance.now() - ended
    const archiveEps = (2 * N) / ((performance.now() - started) / 1000)
    const result = {
      name: 'ingest',
      events: N,
      http_ndjson_eps: Math.round(http.eps),
      tcp_syslog_eps: Math.round(tcp),
      sqlite_baseline_eps: Math.round(baseline),
      ratio: Number((http.eps / baseline).toFixed(3)),
      tcp_ratio: Number((tcp / baseline).toFixed(3)),
      acknowledged_lost: Math.max(0, http.acknowledged - storedAfterHttp),
      // Keeping up: the archive is a batch (50,000 events) or so behind when ingest ends, and
      // holds everything moments later.
      archive_lag_at_end: lagAtEnd,
      archive_caught_up_ms: Math.round(caughtUpMs),
      archive_end_to_end_eps: Math.round(archiveEps),
      rss_mb: peakRssMb(serve.child.pid!),
    }
    process.stdout.write(JSON.stringify(result) + '\n')
  } finally {
    await serve.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

await main()

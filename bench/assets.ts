// npm run bench -- assets: the asset indexer's rate over the OTRF recordings in /work/shared
// (../shared from the repository), stored BENCH_REPEAT times over, against the bare rate of
// reading the same rows back from SQLite and JSON.parse-ing them (the least a catch-up must do),
// measured in the same run; and graph:get latency over a synthetic inventory of a few thousand
// assets. Prints one JSON object.
//
// catchup: a fresh indexer reads every stored row back (after a restart, a backlog).
// live: the rows handed over as the pipeline commits them (batches of 5000, parsed records
// attached), the way the core feeds it during ingest.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { AssetIndexer } from '../collector/assets/indexer'
import { loadFieldAliases } from '../collector/detect/sigma/field-aliases'
import { silentLogger } from '../collector/host/log'
import { normalizeJson } from '../collector/ingest/normalize'
import { AlertsRepo } from '../collector/store/sqlite/alerts-repo'
import { AssetsRepo } from '../collector/store/sqlite/assets-repo'
import { EventsRepo, type CommittedEvent, type NewEvent } from '../collector/store/sqlite/events-repo'
import { migrate } from '../collector/store/sqlite/migrate'
import { migrations } from '../collector/store/sqlite/migrations'
import { RulesRepo } from '../collector/store/sqlite/rules-repo'

const SHARED = process.env.BENCH_SHARED ?? fileURLToPath(new URL('../../shared/', import.meta.url))
const OTRF = join(SHARED, 'datasets/otrf')
const REPEAT = Number(process.env.BENCH_REPEAT ?? 10)
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3)
const BATCH = 5000

type Timing = { cpu: number; wall: number }
const cpuSeconds = (): number => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1e6
}
const time = async (run: () => unknown): Promise<Timing> => {
  const cpu = cpuSeconds()
  const wall = performance.now()
  await run()
  return { cpu: cpuSeconds() - cpu, wall: (performance.now() - wall) / 1000 }
}
const best = async (rounds: number, before: () => void, run: () => unknown): Promise<Timing> => {
  let fastest: Timing = { cpu: Infinity, wall: Infinity }
  for (let i = 0; i < rounds; i++) {
    before()
    const t = await time(run)
    fastest = { cpu: Math.min(fastest.cpu, t.cpu), wall: Math.min(fastest.wall, t.wall) }
  }
  return fastest
}

const isJsonObject = (line: string): boolean => {
  try {
    const value: unknown = JSON.parse(line)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
  } catch {
    return false
  }
}

const openDb = (dir: string, name: string) => {
  const db = new Database(join(dir, name))
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = NORMAL')
  migrate(db, migrations, name)
  return db
}

/** Forgets the inventory, so the next indexer starts from the first event. */
const reset = (db: Database.Database): void => {
  db.transaction(() => {
    db.exec(
      "DELETE FROM asset_events; DELETE FROM asset_links; DELETE FROM assets; DELETE FROM detect_cursor WHERE name = 'assets'",
    )
  })()
}

/** A synthetic inventory: hosts, accounts, programs, peers; about `hosts` * 4 assets. */
const syntheticEvents = (count: number, hosts: number): NewEvent[] => {
  const ctx = { listener: 'http', source: '127.0.0.1', receivedAt: Date.now() }
  const out: NewEvent[] = []
  let seed = 42
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0
    return (seed >>> 8) % n
  }
  for (let i = 0; i < count; i++) {
    // Each host: two accounts, four programs, its address and four peers (as a fleet looks).
    const h = i % hosts
    const k = rand(4)
    out.push(
      normalizeJson(
        {
          Channel: 'Microsoft-Windows-Sysmon/Operational',
          EventID: 3,
          Computer: `ws-${h}.corp.example`,
          '@timestamp': new Date(Date.UTC(2026, 10, 1) + i * 1000).toISOString(),
          User: `CORP\\user${(h + (k === 0 ? 1 : 0)) % (hosts / 2)}`,
          Image: `C:\\Program Files\\App${(h + k) % (hosts / 4)}\\app.exe`,
          Initiated: 'true',
          SourceIp: `10.${(h >> 8) & 255}.${h & 255}.10`,
          DestinationIp: `172.16.${((h * 13 + k) % 1000) >> 8}.${((h * 13 + k) % 1000) & 255}`,
          SourcePort: '50000',
          DestinationPort: '443',
        },
        ctx,
      ),
    )
  }
  return out
}

const main = async (): Promise<void> => {
  if (!existsSync(OTRF)) throw new Error(`no datasets under ${SHARED}`)
  const aliases = loadFieldAliases()
  if (!aliases.ok) throw new Error(aliases.errors.join('\n'))
  const index = JSON.parse(readFileSync(join(OTRF, 'index.json'), 'utf8')) as Array<{ file: string }>
  const lines: string[] = []
  const skipped: string[] = []
  for (const entry of index) {
    const fileLines = readFileSync(join(OTRF, entry.file), 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
    if (!fileLines.every(isJsonObject)) {
      skipped.push(entry.file)
      continue
    }
    lines.push(...fileLines)
  }

  const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-assets-'))
  try {
    const db = openDb(dir, 'otrf.sqlite')
    const events = new EventsRepo(db)
    const rules = new RulesRepo(db)
    const ctx = { listener: 'http', source: '127.0.0.1', receivedAt: Date.now() }
    // Stored as the pipeline stores them; the committed rows (with their parsed records) kept
    // for the live run.
    const batches: CommittedEvent[][] = []
    let pending: NewEvent[] = []
    const commit = (): void => {
      if (pending.length > 0) batches.push(events.commit([{ events: pending, key: null }]).committed)
      pending = []
    }
    for (let r = 0; r < REPEAT; r++)
      for (const line of lines) {
        pending.push(normalizeJson(JSON.parse(line) as Record<string, unknown>, ctx, line))
        if (pending.length === BATCH) commit()
      }
    commit()
    const total = events.count()

    const read = db.prepare(
      'SELECT seq, id, kind, ts, host, fields FROM events WHERE seq > @cursor ORDER BY seq LIMIT @limit',
    )
    const baseline = await best(
      ROUNDS,
      () => undefined,
      () => {
        for (let cursor = 0; ;) {
          const rows = read.all({ cursor, limit: BATCH }) as CommittedEvent[]
          if (rows.length === 0) break
          for (const row of rows) JSON.parse(row.fields)
          cursor = rows[rows.length - 1]!.seq
        }
      },
    )
    const indexer = () => new AssetIndexer({ db, rules, aliases: aliases.aliases, log: silentLogger })
    const catchup = await best(
      ROUNDS,
      () => reset(db),
      async () => {
        const idx = indexer()
        idx.kick()
        await idx.idle()
        await idx.stop()
      },
    )
    const live = await best(
      ROUNDS,
      () => reset(db),
      async () => {
        const idx = indexer()
        for (const batch of batches) {
          idx.offer(batch)
          while (idx.queued > 0) await new Promise((resolve) => setImmediate(resolve))
        }
        await idx.idle()
        await idx.stop()
      },
    )
    const otrfCounts = indexer().counts()
    db.close()

    // graph:get over a few thousand assets.
    const gdb = openDb(dir, 'graph.sqlite')
    const HOSTS = Number(process.env.BENCH_GRAPH_HOSTS ?? 1500)
    new EventsRepo(gdb).insertBatch(syntheticEvents(HOSTS * 100, HOSTS))
    const grules = new RulesRepo(gdb)
    const gidx = new AssetIndexer({ db: gdb, rules: grules, aliases: [], log: silentLogger })
    gidx.kick()
    await gidx.idle()
    await gidx.stop()
    const repo = new AssetsRepo(gdb, new AlertsRepo(gdb))
    const counts = gidx.counts()
    const ms = async (run: () => unknown): Promise<number> =>
      Math.round((await best(ROUNDS, () => undefined, run)).wall * 10_000) / 10
    const busiest = repo.graph({ depth: 2, alerts: true, limit: 2000 })
    const centered = repo.graph({ center: 'host:ws-1.corp.example', depth: 2, alerts: true, limit: 2000 })
    const wide = repo.graph({ depth: 2, alerts: true, limit: 10_000 })
    const graph = {
      assets: counts.assets,
      links: counts.links,
      busiest_2000_ms: await ms(() => repo.graph({ depth: 2, alerts: true, limit: 2000 })),
      busiest_2000: { nodes: busiest.nodes.length, edges: busiest.edges.length },
      center_depth2_ms: await ms(() =>
        repo.graph({ center: 'host:ws-1.corp.example', depth: 2, alerts: true, limit: 2000 }),
      ),
      center_depth2: {
        nodes: centered.nodes.length,
        edges: centered.edges.length,
        truncated: centered.truncated,
      },
      busiest_10000_ms: await ms(() => repo.graph({ depth: 2, alerts: true, limit: 10_000 })),
      busiest_10000: { nodes: wide.nodes.length, edges: wide.edges.length },
      list_500_by_alerts_ms: await ms(() => repo.list({ sort: 'alerts', limit: 500, offset: 0 })),
      // The physical reference: one scan of every link.
      links_scan_ms: await ms(() => gdb.prepare('SELECT a, b, relation, events FROM asset_links').all()),
    }
    gdb.close()

    const eps = (t: Timing): number => Math.round(total / t.cpu)
    const result = {
      name: 'assets',
      events: total,
      files_skipped: skipped,
      catchup_eps: eps(catchup),
      live_eps: eps(live),
      read_parse_baseline_eps: eps(baseline),
      ratio: Number((total / catchup.cpu / (total / baseline.cpu)).toFixed(3)),
      live_ratio: Number((total / live.cpu / (total / baseline.cpu)).toFixed(3)),
      otrf_assets: otrfCounts.assets,
      otrf_links: otrfCounts.links,
      wall: {
        catchup_eps: Math.round(total / catchup.wall),
        live_eps: Math.round(total / live.wall),
        read_parse_baseline_eps: Math.round(total / baseline.wall),
      },
      graph,
    }
    process.stdout.write(JSON.stringify(result) + '\n')
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

await main()

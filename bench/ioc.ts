// npm run bench -- ioc: IOC matching with a large watchlist (BENCH_INDICATORS, 100k by default:
// addresses, networks, domains, URLs, hashes, e-mail addresses, file names) over the OTRF
// recordings in /work/shared (../shared from the repository), against the bare JSON.parse rate of
// the same lines measured in the same run. Also the reload: the watchlist view read back from
// SQLite and the hash sets built, as after a bundle install; one list of 1,000 of them reloaded
// alone, as after a TAXII source's pull; and an analyst's edit of one indicator (added then
// removed, incrementally). One core. Prints one JSON object.
//
// Rates are by the process's CPU time (best of BENCH_ROUNDS rounds); `wall` gives the wall clock.
// A few values the recordings really name are listed too (a download domain, its CDN address,
// bitsadmin's SHA-256), so matches are found and raised, not only missed.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import Database from 'better-sqlite3'
import { loadWatchlist } from '../collector/detect/ioc/ioc-alert'
import { IocIndex } from '../collector/detect/ioc/ioc-index'
import { createRecordView } from '../collector/detect/record'
import type { EventRecord } from '../collector/detect/sigma/compile'
import { loadFieldAliases } from '../collector/detect/sigma/field-aliases'
import { flattenEvtxDump, isEvtxDumpEvent } from '../collector/ingest/import/win-event'
import { migrate } from '../collector/store/sqlite/migrate'
import { migrations } from '../collector/store/sqlite/migrations'

const SHARED = process.env.BENCH_SHARED ?? fileURLToPath(new URL('../../shared/', import.meta.url))
const OTRF = join(SHARED, 'datasets/otrf')
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
const INDICATORS = Number(process.env.BENCH_INDICATORS ?? 100_000)

type Timing = { cpu: number; wall: number }
const cpuSeconds = (): number => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1e6
}
const best = (rounds: number, run: () => void): Timing => {
  let fastest: Timing = { cpu: Infinity, wall: Infinity }
  for (let i = 0; i < rounds; i++) {
    const cpu = cpuSeconds()
    const wall = performance.now()
    run()
    fastest = {
      cpu: Math.min(fastest.cpu, cpuSeconds() - cpu),
      wall: Math.min(fastest.wall, (performance.now() - wall) / 1000),
    }
  }
  return fastest
}

const toRecord = (line: string): EventRecord => {
  const value = JSON.parse(line) as EventRecord
  return isEvtxDumpEvent(value) ? flattenEvtxDump(value) : value
}

/** A deterministic watchlist of `n` indicators, in the proportions feeds tend to have. */
const synthetic = (n: number, planted: ReadonlyArray<[string, string]>): Array<[string, string]> => {
  let seed = 42
  const rand = (): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff
    return seed
  }
  const hex = (len: number): string => {
    let out = ''
    while (out.length < len) out += rand().toString(16).padStart(8, '0')
    return out.slice(0, len)
  }
  const word = (): string => hex(6 + (rand() % 6)).replace(/\d/g, (d) => 'ghijklmnop'[Number(d)]!)
  const out: Array<[string, string]> = [...planted]
  const seen = new Set(planted.map(([type, value]) => `${type} ${value}`))
  const kinds: Array<[number, () => [string, string]]> = [
    [30, () => ['ip', `${(rand() % 126) + 1}.${rand() % 256}.${rand() % 256}.${rand() % 256}`]],
    [5, () => ['ip', `2001:db8:${hex(4)}:${hex(4)}::${hex(4)}`]],
    [2, () => ['cidr', `${(rand() % 126) + 1}.${rand() % 256}.${rand() % 256}.0/${16 + (rand() % 9)}`]],
    [30, () => ['domain', `${word()}.${word()}.${['com', 'net', 'ru', 'info'][rand() % 4]}`]],
    [8, () => ['url', `http://${word()}.com/${word()}/${word()}.php`]],
    [12, () => ['sha256', hex(64)]],
    [5, () => ['md5', hex(32)]],
    [4, () => ['sha1', hex(40)]],
    [2, () => ['email', `${word()}@${word()}.com`]],
    [2, () => ['filename', `${word()}.exe`]],
  ]
  const total = kinds.reduce((sum, [w]) => sum + w, 0)
  while (out.length < n) {
    let pick = rand() % total
    for (const [weight, make] of kinds) {
      if (pick < weight) {
        const [type, value] = make()
        if (!seen.has(`${type} ${value}`)) out.push([type, value])
        seen.add(`${type} ${value}`)
        break
      }
      pick -= weight
    }
  }
  return out
}

const main = (): void => {
  if (!existsSync(OTRF)) {
    process.stderr.write(`no OTRF recordings at ${OTRF} (set BENCH_SHARED)\n`)
    process.exit(2)
  }
  const index = JSON.parse(readFileSync(join(OTRF, 'index.json'), 'utf8')) as Array<{ file: string }>
  const lines = index
    .filter((e) => e.file.endsWith('.ndjson'))
    .flatMap((e) => readFileSync(join(OTRF, e.file), 'utf8').split('\n'))
    .filter((l) => l.trim().startsWith('{'))
  const aliases = loadFieldAliases()
  if (!aliases.ok) throw new Error(aliases.errors.join('\n'))
  const view = createRecordView(aliases.aliases)
  const records = lines.map((line) => view(toRecord(line)))
  const bitsadmin = records.find((r) => r.EventID === 1 && String(r.Image).endsWith('bitsadmin.exe'))
  const sha256 = /SHA256=([0-9A-F]{64})/.exec(String(bitsadmin?.Hashes))?.[1] ?? 'f'.repeat(64)
  const planted: Array<[string, string]> = [
    ['domain', 'githubusercontent.com'],
    ['ip', '151.101.208.133'],
    ['sha256', sha256],
  ]

  // The reload: rows in SQLite's watchlist view -> hash sets, as the detector does it.
  const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-ioc-'))
  const db = new Database(join(dir, 'bench.sqlite'))
  try {
    migrate(db, migrations, 'bench.sqlite')
    const insert = db.prepare(
      `INSERT OR IGNORE INTO watchlist_indicators (list, type, value, source, valid_until, version)
       VALUES (?, ?, ?, 'bench', NULL, '1')`,
    )
    const rows = synthetic(INDICATORS, planted)
    // The last FEED of them as a list of its own, reloaded alone as after its pull.
    const FEED = Math.min(1000, Math.floor(INDICATORS / 10))
    db.transaction(() => {
      for (const [n, [type, value]] of rows.entries())
        insert.run(n >= rows.length - FEED ? 'feed' : 'bench', type, value)
    })()
    let ioc = new IocIndex([], { matchSubdomains: true })
    const reload = best(ROUNDS, () => {
      ioc = new IocIndex(loadWatchlist(db), { matchSubdomains: true })
    })

    // One list of FEED indicators reloaded (a TAXII source's pull, a core list), the rest kept.
    const listReload = best(ROUNDS, () => ioc.replaceList('feed', loadWatchlist(db, 'feed')))

    // One analyst's edit (watchlist:add / remove): incremental, against the loaded 100k.
    const EDITS = 1000
    const edits = best(ROUNDS, () => {
      for (let i = 0; i < EDITS; i++) {
        const value = `198.18.${i >> 8}.${i & 255}`
        ioc.upsert(
          {
            list: 'analyst',
            type: 'ip',
            value,
            source: null,
            valid_from: null,
            valid_until: null,
            level: null,
          },
          true,
        )
        ioc.remove('analyst', 'ip', value)
      }
    })

    const parse = best(ROUNDS, () => {
      for (const line of lines) toRecord(line)
    })
    let hits = 0
    const now = Date.now()
    const match = (): void => {
      hits = 0
      for (const record of records) hits += ioc.match(record, now).length
    }
    match() // warm-up
    const matching = best(ROUNDS, match)
    const eps = records.length / matching.cpu
    const parseEps = lines.length / parse.cpu
    const result = {
      name: 'ioc',
      indicators: ioc.size,
      rejected: ioc.rejected,
      reload_ms: Math.round(reload.cpu * 1000),
      // One list of `feed_indicators` reloaded alone, the rest kept.
      list_reload_ms: Math.round(listReload.cpu * 1000),
      feed_indicators: FEED,
      // An add and a remove of one indicator, instead of two reloads.
      edit_us: Number(((edits.cpu / EDITS) * 1e6).toFixed(1)),
      events: records.length,
      matches: hits,
      events_per_sec: Math.round(eps),
      json_parse_eps: Math.round(parseEps),
      // Matching an event against the whole watchlist, in JSON.parses of the same event.
      ratio: Number((eps / parseEps).toFixed(3)),
      wall: {
        reload_ms: Math.round(reload.wall * 1000),
        events_per_sec: Math.round(records.length / matching.wall),
        json_parse_eps: Math.round(lines.length / parse.wall),
      },
    }
    process.stdout.write(JSON.stringify(result) + '\n')
  } finally {
    db.close()
    rmSync(dir, { recursive: true, force: true })
  }
}

main()

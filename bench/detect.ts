// npm run bench -- detect: Sigma hunting rate with every SigmaHQ rule loaded, over the OTRF
// recordings in /work/shared (../shared from the repository), against the bare JSON.parse rate of
// the same lines measured in the same run. One core. Prints one JSON object.
//
// Rates and times are by the process's CPU time (best of BENCH_ROUNDS rounds), so a machine busy
// with other work does not skew them; `wall` gives the wall-clock figures beside them.
//
// The OTRF NDJSON lines are already flat Windows records (EventID, Channel, Image…); they are read
// as `outpost hunt` reads them (json-reader.ts: JSON.parse, evtx_dump events flattened) and seen
// through the same record view (field aliases: Security 4688 gains Image…). Files
// that are not JSON lines (the two raw auditd .log files) are left out and listed.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { CompiledRule, EventRecord } from '../collector/detect/sigma/compile'
import { createRecordView } from '../collector/detect/record'
import { loadFieldAliases } from '../collector/detect/sigma/field-aliases'
import { loadRules } from '../collector/detect/sigma/load-rules'
import { createRouter, loadLogsourceMapping } from '../collector/detect/sigma/logsource'
import { createMatcher, type RuleMatcher } from '../collector/detect/sigma/matcher'
import { flattenEvtxDump, isEvtxDumpEvent } from '../collector/ingest/import/win-event'

const SHARED = process.env.BENCH_SHARED ?? fileURLToPath(new URL('../../shared/', import.meta.url))
const RULES = join(SHARED, 'sigma/rules')
const OTRF = join(SHARED, 'datasets/otrf')
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
/** BENCH_ROUTER=1 also times the plain router (candidates + matches), the pre-matcher way. */
const WITH_ROUTER = process.env.BENCH_ROUTER === '1'

type IndexEntry = { file: string }

const toRecord = (line: string): EventRecord => {
  const value = JSON.parse(line) as EventRecord
  return isEvtxDumpEvent(value) ? flattenEvtxDump(value) : value
}

/** Seconds of the fastest round, by the process's CPU time and by the wall clock. */
type Timing = { cpu: number; wall: number }

const cpuSeconds = (): number => {
  const { user, system } = process.cpuUsage()
  return (user + system) / 1e6
}

const time = (run: () => void | Promise<void>): Promise<Timing> | Timing => {
  const cpu = cpuSeconds()
  const wall = performance.now()
  const done = run()
  const finish = (): Timing => ({ cpu: cpuSeconds() - cpu, wall: (performance.now() - wall) / 1000 })
  return done instanceof Promise ? done.then(finish) : finish()
}

const isJsonObject = (line: string): boolean => {
  try {
    const value: unknown = JSON.parse(line)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
  } catch {
    return false
  }
}

const best = (rounds: number, run: () => void): Timing => {
  let fastest: Timing = { cpu: Infinity, wall: Infinity }
  for (let i = 0; i < rounds; i++) {
    const t = time(run) as Timing
    fastest = { cpu: Math.min(fastest.cpu, t.cpu), wall: Math.min(fastest.wall, t.wall) }
  }
  return fastest
}

const main = async (): Promise<void> => {
  if (!existsSync(RULES) || !existsSync(OTRF)) throw new Error(`no rules or datasets under ${SHARED}`)
  let load: Awaited<ReturnType<typeof loadRules>> | undefined
  const loadTime = await time(async () => {
    load = await loadRules([RULES])
  })
  if (load === undefined) throw new Error('rules not loaded')
  const mapping = loadLogsourceMapping()
  if (!mapping.ok) throw new Error(mapping.errors.join('; '))
  let matcher: RuleMatcher | undefined
  const buildTime = time(() => {
    matcher = createMatcher(load!.compiled, mapping.mapping)
  }) as Timing
  if (matcher === undefined) throw new Error('no matcher')
  const ready: RuleMatcher = matcher

  const index = JSON.parse(readFileSync(join(OTRF, 'index.json'), 'utf8')) as IndexEntry[]
  const lines: string[] = []
  const skipped: string[] = []
  for (const entry of index) {
    const text = readFileSync(join(OTRF, entry.file), 'utf8')
    const fileLines = text.split('\n').filter((line) => line.trim() !== '')
    // Files whose lines are not all JSON objects (the raw auditd logs) are left out.
    if (!fileLines.every(isJsonObject)) {
      skipped.push(entry.file)
      continue
    }
    lines.push(...fileLines)
  }

  const parse = best(ROUNDS, () => {
    for (const line of lines) toRecord(line)
  })
  let detections = 0
  const aliases = loadFieldAliases()
  if (!aliases.ok) throw new Error(aliases.errors.join('\n'))
  const hunt = (): void => {
    detections = 0
    // What the live engine and outpost hunt evaluate: the record view (field aliases, auditd).
    const view = createRecordView(aliases.aliases)
    for (const line of lines) detections += ready.match(view(toRecord(line))).length
  }
  hunt() // warm-up
  const hunting = best(ROUNDS, hunt)
  const eps = lines.length / hunting.cpu
  const parseEps = lines.length / parse.cpu

  const extra: Record<string, number> = {}
  if (WITH_ROUTER) {
    const router = createRouter(load.compiled, mapping.mapping)
    let routerDetections = 0
    const seconds = best(1, () => {
      for (const line of lines) {
        const event = toRecord(line)
        routerDetections += router.candidates(event).filter((r: CompiledRule) => r.matches(event)).length
      }
    })
    extra.router_eps = Math.round(lines.length / seconds.cpu)
    extra.router_detections = routerDetections
  }

  const stats = matcher.stats()
  const result = {
    name: 'detect',
    rules_loaded: load.compiled.length,
    rule_load_ms: Math.round(loadTime.cpu * 1000),
    events: lines.length,
    files_skipped: skipped,
    events_per_sec: Math.round(eps),
    json_parse_eps: Math.round(parseEps),
    ratio: Number((eps / parseEps).toFixed(3)),
    detections,
    rules_indexed: stats.indexed,
    rules_always: stats.always,
    matcher_build_ms: Math.round(buildTime.cpu * 1000),
    // The same by the wall clock: equal on an idle machine, worse when other work shares the cores.
    wall: {
      rule_load_ms: Math.round(loadTime.wall * 1000),
      events_per_sec: Math.round(lines.length / hunting.wall),
      json_parse_eps: Math.round(lines.length / parse.wall),
    },
    ...extra,
  }
  process.stdout.write(JSON.stringify(result) + '\n')
}

await main()

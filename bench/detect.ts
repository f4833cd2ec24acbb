// npm run bench -- detect: Sigma hunting rate with every SigmaHQ rule loaded, over the OTRF
// recordings in /work/shared (../shared from the repository), against the bare JSON.parse rate of
// the same lines measured in the same run. One core. Prints one JSON object.
//
// The OTRF NDJSON lines are already flat Windows records (EventID, Channel, Image…); they are read
// as `outpost hunt` reads them (json-reader.ts: JSON.parse, evtx_dump events flattened). The
// auditd .log files are not JSON lines and are left out.
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import type { CompiledRule, EventRecord } from '../collector/detect/sigma/compile'
import { loadRules } from '../collector/detect/sigma/load-rules'
import { createRouter, loadLogsourceMapping } from '../collector/detect/sigma/logsource'
import { createMatcher } from '../collector/detect/sigma/matcher'
import { flattenEvtxDump, isEvtxDumpEvent } from '../collector/ingest/import/win-event'

const SHARED = process.env.BENCH_SHARED ?? fileURLToPath(new URL('../../shared/', import.meta.url))
const RULES = join(SHARED, 'sigma/rules')
const OTRF = join(SHARED, 'datasets/otrf')
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5)
/** BENCH_ROUTER=1 also times the plain router (candidates + matches), the pre-matcher way. */
const WITH_ROUTER = process.env.BENCH_ROUTER === '1'

type IndexEntry = { file: string; format: string }

const toRecord = (line: string): EventRecord => {
  const value = JSON.parse(line) as EventRecord
  return isEvtxDumpEvent(value) ? flattenEvtxDump(value) : value
}

const best = (rounds: number, run: () => void): number => {
  let fastest = Infinity
  for (let i = 0; i < rounds; i++) {
    const started = performance.now()
    run()
    fastest = Math.min(fastest, performance.now() - started)
  }
  return fastest / 1000
}

const main = async (): Promise<void> => {
  if (!existsSync(RULES) || !existsSync(OTRF)) throw new Error(`no rules or datasets under ${SHARED}`)
  const loadStarted = performance.now()
  const load = await loadRules([RULES])
  const ruleLoadMs = performance.now() - loadStarted
  const mapping = loadLogsourceMapping()
  if (!mapping.ok) throw new Error(mapping.errors.join('; '))
  const buildStarted = performance.now()
  const matcher = createMatcher(load.compiled, mapping.mapping)
  const matcherBuildMs = performance.now() - buildStarted

  const index = JSON.parse(readFileSync(join(OTRF, 'index.json'), 'utf8')) as IndexEntry[]
  const lines: string[] = []
  for (const entry of index) {
    if (entry.format !== 'ndjson') continue
    for (const line of readFileSync(join(OTRF, entry.file), 'utf8').split('\n'))
      if (line.trim() !== '') lines.push(line)
  }

  const parseSeconds = best(ROUNDS, () => {
    for (const line of lines) toRecord(line)
  })
  let detections = 0
  const hunt = (): void => {
    detections = 0
    for (const line of lines) detections += matcher.match(toRecord(line)).length
  }
  hunt() // warm-up
  const huntSeconds = best(ROUNDS, hunt)
  const eps = lines.length / huntSeconds
  const parseEps = lines.length / parseSeconds

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
    extra.router_eps = Math.round(lines.length / seconds)
    extra.router_detections = routerDetections
  }

  const stats = matcher.stats()
  const result = {
    name: 'detect',
    rules_loaded: load.compiled.length,
    rule_load_ms: Math.round(ruleLoadMs),
    events: lines.length,
    events_per_sec: Math.round(eps),
    json_parse_eps: Math.round(parseEps),
    ratio: Number((eps / parseEps).toFixed(3)),
    detections,
    rules_indexed: stats.indexed,
    rules_always: stats.always,
    matcher_build_ms: Math.round(matcherBuildMs),
    ...extra,
  }
  process.stdout.write(JSON.stringify(result) + '\n')
}

await main()

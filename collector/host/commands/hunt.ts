import { createCorrelator } from '../../detect/sigma/correlation'
import {
  correlationDetection,
  detection,
  eventTimestamp,
  type CorrelationDetection,
  type Detection,
} from '../../detect/sigma/hunt'
import { loadLogsourceMapping } from '../../detect/sigma/logsource'
import { createMatcher } from '../../detect/sigma/matcher'
import { loadFieldAliases } from '../../detect/sigma/field-aliases'
import { createRecordView } from '../../detect/record'
import { StartupError } from '../errors'
import { resourceFile } from '../paths'
import { loadRules } from '../../detect/sigma/load-rules'
import type { ImportFormat } from '../../ingest/import/detect'
import type { ImportProblem } from '../../ingest/import/import-files'
import { readRecords } from '../../ingest/import/read-records'
import { commonOptions, parse, UsageError, type CliIo, type Command } from './common'
import { ruleCounts } from './rules'

const HUNT_FORMATS = ['auto', 'ndjson', 'json', 'evtx'] as const satisfies readonly ImportFormat[]

const HELP = `Usage: outpost hunt --rules PATH… --input FILE… [--format auto|ndjson|json|evtx] [--json]

Runs Sigma rules over log files, without the store. Rules: .yml/.yaml files, directories (read
recursively) and .zip archives (SigmaHQ release zips); rules that cannot run are counted and
skipped (outpost rules check lists them). Inputs: NDJSON, JSON arrays, JSON objects one after
another, evtx_dump JSON and EVTX files, also inside zip or gzip archives, read as outpost import
reads them. Windows events meet the windows rules and rules naming no product; other events meet
every rule.

Prints one JSON line per detection on stdout:
  {"rule_id","rule_title","level","tags","author","timestamp","event"}
(timestamp from the event's own time, ISO 8601; event the flat record), and a summary on
stderr: rules, events read, detections, the rules that fired most, seconds, events per second
(reading and matching, rule loading left out).

Sigma correlation rules (correlation: documents, in the rule files or beside them) run over the
events in the order read, windows by the events' own times (events without a time are left out of
correlations). Each hit is one line:
  {"rule_id","rule_title","level","tags","author","timestamp","events":[…],"group":{…}}
(timestamp the last contributing event's time; events at most 100, the newest). Rules that only
correlations name, with generate: false (the default), are not reported on their own. Sigma
filters (filter: documents) tune the rules they name wherever they are loaded from.

Exit status 0 when every input was read, 1 when an input or the rules could not be read at all
(or no rule loaded), 2 on a usage error.

Options:
  --rules PATH     a rule file, directory or zip; repeat, or name several after one --rules
  --input FILE     a log file; repeat, or name several after one --input
  --format FORMAT  auto (default), ndjson, json, evtx
  --json           write the summary on stderr as one JSON object
  -h, --help       show this help
`

const TOP_RULES = 10
const PROBLEMS_SHOWN = 20

/** `--rules a b --input c d`: words after an option belong to it, as in the usage line. */
const splitLists = (args: string[]): { rest: string[]; rules: string[]; inputs: string[] } => {
  const rest: string[] = []
  const rules: string[] = []
  const inputs: string[] = []
  let target: string[] | null = null
  for (const arg of args) {
    const eq = /^--(rules|input)=(.*)$/.exec(arg)
    if (eq) {
      ;(eq[1] === 'rules' ? rules : inputs).push(eq[2]!)
      target = null
    } else if (arg === '--rules') target = rules
    else if (arg === '--input') target = inputs
    else if (arg.startsWith('-')) {
      target = null
      rest.push(arg)
    } else if (target) target.push(arg)
    else rest.push(arg)
  }
  return { rest, rules, inputs }
}

const run = async (args: string[], io: CliIo): Promise<number> => {
  const lists = splitLists(args)
  const { values, positionals } = parse(
    lists.rest,
    { ...commonOptions, format: { type: 'string', short: 'f' }, json: { type: 'boolean' } },
    'hunt',
    true,
  )
  if (values.help) {
    io.stdout(HELP)
    return 0
  }
  const format = (values.format ?? 'auto') as (typeof HUNT_FORMATS)[number]
  if (!HUNT_FORMATS.includes(format))
    throw new UsageError(`--format must be one of ${HUNT_FORMATS.join(', ')}, got "${format}"`)
  if (positionals.length > 0)
    throw new UsageError(`unexpected argument "${positionals[0]}" (see outpost hunt --help)`)
  if (lists.rules.length === 0) throw new UsageError('name rules with --rules PATH (see outpost hunt --help)')
  if (lists.inputs.length === 0)
    throw new UsageError('name log files with --input FILE (see outpost hunt --help)')

  const started = performance.now()
  const load = await loadRules(lists.rules)
  const counts = ruleCounts(load)
  const errors = load.errors.map((e) => ({ file: e.path, reason: e.reason }))
  if (load.compiled.length === 0) errors.push({ file: lists.rules.join(' '), reason: 'no rule loaded' })

  // Each event is evaluated only by the rules of its logsource (resources/sigma/logsources.yaml).
  const mappingFile = resourceFile('sigma/logsources.yaml')
  const mapping = mappingFile ? loadLogsourceMapping(mappingFile) : null
  if (!mapping?.ok) {
    const why = mapping ? mapping.errors.join('; ') : 'resources/sigma/logsources.yaml not found'
    throw new StartupError(`cannot load the logsource mapping: ${why}`)
  }
  // What rules see of each record, as in the live engine (resources/sigma/fields.yaml, auditd).
  const aliasesFile = resourceFile('sigma/fields.yaml')
  const aliases = aliasesFile ? loadFieldAliases(aliasesFile) : null
  if (!aliases?.ok) {
    const why = aliases ? aliases.errors.join('; ') : 'resources/sigma/fields.yaml not found'
    throw new StartupError(`cannot load the field aliases: ${why}`)
  }
  const view = createRecordView(aliases.aliases)
  // Routed by logsource, then only the rules whose literals occur in the event are evaluated.
  const matcher = createMatcher(load.compiled, mapping.mapping)
  // Building the matcher's automata is part of preparing the rules, not of matching.
  const loaded = performance.now()
  const problems: ImportProblem[] = []
  let badRecords = 0
  const onProblem = (problem: ImportProblem): void => {
    badRecords++
    if (problems.length < PROBLEMS_SHOWN) problems.push(problem)
  }
  let events = 0
  let detections = 0
  const byRule = new Map<string, number>()
  let out = ''
  const emit = (found: Detection | CorrelationDetection): void => {
    detections++
    const key = `${found.rule_id ?? '-'} ${found.rule_title}`
    byRule.set(key, (byRule.get(key) ?? 0) + 1)
    out += JSON.stringify(found) + '\n'
    if (out.length > 64 * 1024) {
      io.stdout(out)
      out = ''
    }
  }
  const correlator = load.correlations.length > 0 ? createCorrelator(load.correlations, load.compiled) : null
  if (load.compiled.length > 0) {
    for (const input of lists.inputs) {
      try {
        for await (const { record: read } of readRecords(input, format, onProblem)) {
          events++
          const record = view(read)
          const matched = matcher.match(record)
          for (const compiled of matched)
            if (!correlator?.suppressedRules.has(compiled)) emit(detection(compiled, record))
          if (correlator && matched.length > 0) {
            const time = eventTimestamp(record)
            for (const hit of correlator.observe(matched, record, time === null ? NaN : Date.parse(time)))
              if (!correlator.suppressedCorrelations.has(hit.rule)) emit(correlationDetection(hit))
          }
        }
      } catch (error) {
        errors.push({ file: input, reason: (error as Error).message })
      }
    }
  }
  if (out) io.stdout(out)

  const finished = performance.now()
  const seconds = (finished - started) / 1000
  // Events per second over reading and matching only: loading thousands of rules is a fixed cost.
  const huntSeconds = (finished - loaded) / 1000
  const top = [...byRule.entries()]
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .slice(0, TOP_RULES)
    .map(([rule, count]) => ({ rule, count }))
  const summary = {
    rules: {
      ...counts,
      correlations: load.correlations.length,
      filters: load.filters.length,
      files: load.files.length,
    },
    inputs: lists.inputs.length,
    events,
    bad_records: badRecords,
    detections,
    top_rules: top,
    seconds: Number(seconds.toFixed(3)),
    rules_seconds: Number(((loaded - started) / 1000).toFixed(3)),
    events_per_second: huntSeconds > 0 ? Math.round(events / huntSeconds) : 0,
    problems,
    errors,
  }
  if (values.json) io.stderr(JSON.stringify(summary) + '\n')
  else {
    const lines = [
      `rules: ${counts.loaded} loaded (${load.correlations.length} correlations, ${load.filters.length} filters), ${counts.invalid} invalid, ${counts.unsupported} unsupported (outpost rules check lists them)`,
      `events: ${events} read from ${lists.inputs.length} inputs, ${badRecords} bad records skipped`,
      `detections: ${detections}`,
      ...top.map((t) => `  ${String(t.count).padStart(7)}  ${t.rule}`),
      `${summary.seconds.toFixed(2)} s (rules ${summary.rules_seconds.toFixed(2)} s), ${summary.events_per_second} events/s`,
      ...problems.map((p) => `outpost: warning: ${p.file}: ${p.at}: ${p.reason}`),
      ...errors.map((e) => `outpost: error: ${e.file}: ${e.reason}`),
    ]
    io.stderr(lines.join('\n') + '\n')
  }
  return errors.length > 0 ? 1 : 0
}

export const huntCommand: Command = {
  summary: 'run Sigma rules over log files, print detections as JSON',
  run,
}

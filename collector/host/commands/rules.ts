import { loadRules, type RuleLoad } from '../../detect/sigma/load-rules'
import type { SigmaProblem } from '../../detect/sigma/parse'
import { commonOptions, parse, UsageError, type CliIo, type Command } from './common'

const HELP = `Usage: outpost rules check PATH… [--json]

Loads Sigma rules the way hunt does and reports what would not run. PATH is a .yml/.yaml file,
a directory (read recursively) or a .zip archive (SigmaHQ release zips; members are named
archive.zip!path/in/zip.yml). Prints how many rules loaded, how many are invalid or use what
Outpost does not support, and each problem with its file, line and reason. Correlation rules
and filters are checked too: a correlation naming a rule that did not load is invalid, a filter
naming one is a warning.

With --json, prints one object on stdout:
  {"loaded","invalid","unsupported","problems":[{"file","line","reason"}]}
(plus "kind" on each problem: invalid, unsupported or warning; "errors":[{"path","reason"}] for
paths that could not be read; and "correlations", "filters", "warnings": how many correlations
and filters loaded, how many warnings. "loaded" counts detection rules.)

Exit status 0 when at least one rule loaded (invalid rules are reported, not fatal), 1 when no
rule loaded or a PATH could not be read, 2 on a usage error.

Options:
  --json       print the report as JSON on stdout
  -h, --help   show this help
`

export const ruleCounts = (load: RuleLoad): { loaded: number; invalid: number; unsupported: number } => ({
  loaded: load.compiled.length,
  invalid: load.problems.filter((p) => p.kind === 'invalid').length,
  unsupported: load.problems.filter((p) => p.kind === 'unsupported').length,
})

const humanReport = (load: RuleLoad): string => {
  const counts = ruleCounts(load)
  const lines = [
    `${counts.loaded} rules loaded from ${load.files.length} files; ${counts.invalid} invalid, ${counts.unsupported} unsupported`,
    `${load.correlations.length} correlations, ${load.filters.length} filters loaded`,
  ]
  for (const kind of ['invalid', 'unsupported', 'warning'] as const) {
    const problems = load.problems.filter((p: SigmaProblem) => p.kind === kind)
    if (problems.length === 0) continue
    lines.push('', `${kind}:`, ...problems.map((p) => `  ${p.file}:${p.line}: ${p.reason}`))
  }
  for (const error of load.errors) lines.push(`outpost: error: ${error.path}: ${error.reason}`)
  return lines.join('\n') + '\n'
}

const run = async (args: string[], io: CliIo): Promise<number> => {
  const { values, positionals } = parse(args, { ...commonOptions, json: { type: 'boolean' } }, 'rules', true)
  if (values.help) {
    io.stdout(HELP)
    return 0
  }
  const [sub, ...paths] = positionals
  if (sub !== 'check') throw new UsageError('the only subcommand is "check" (see outpost rules --help)')
  if (paths.length === 0) throw new UsageError('name at least one PATH to check (see outpost rules --help)')
  const load = await loadRules(paths)
  if (values.json) {
    io.stdout(
      JSON.stringify({
        ...ruleCounts(load),
        problems: load.problems.map((p) => ({ file: p.file, line: p.line, reason: p.reason, kind: p.kind })),
        errors: load.errors,
        correlations: load.correlations.length,
        filters: load.filters.length,
        warnings: load.problems.filter((p) => p.kind === 'warning').length,
      }) + '\n',
    )
  } else io.stdout(humanReport(load))
  return load.compiled.length === 0 || load.errors.length > 0 ? 1 : 0
}

export const rulesCommand: Command = { summary: 'check Sigma rules: what loads, what does not and why', run }

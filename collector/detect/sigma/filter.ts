/**
 * Sigma filters (filters specification 2.0): a filter names rules by id or `name`, and each named
 * rule then matches only when its own condition holds and the filter's does not:
 * `(original) and not (filter condition)`. Filters apply once every file is loaded, so a filter
 * may sit in another file or directory than the rules it tunes.
 */
import { compileRule, type CompiledRule, type CompileOptions } from './compile'
import type { SigmaFilter } from './parse-meta'
import type { SigmaLogsource, SigmaProblem } from './parse'

export type FilterResult = { compiled: CompiledRule[]; problems: SigmaProblem[] }

const LOGSOURCE_KEYS = ['product', 'category', 'service'] as const

/** A filter for windows does not apply to a linux rule: the logsource fields both set must agree. */
const logsourceConflict = (filter: SigmaLogsource, rule: SigmaLogsource): string | null => {
  for (const key of LOGSOURCE_KEYS) {
    const want = filter[key]
    const have = rule[key]
    if (want !== undefined && have !== undefined && want.toLowerCase() !== have.toLowerCase())
      return `${key} ${want} is not the rule's ${have}`
  }
  return null
}

/**
 * Returns `compiled` with the filtered rules replaced by filtered copies (same rule, new
 * predicate), and a problem per filter that does not compile and a warning per rule name it
 * cannot find or whose logsource does not agree.
 */
export const applyFilters = (
  compiled: readonly CompiledRule[],
  filters: readonly SigmaFilter[],
  options: CompileOptions = {},
): FilterResult => {
  const problems: SigmaProblem[] = []
  const out = [...compiled]
  const byRef = new Map<string, number[]>()
  out.forEach((c, index) => {
    for (const ref of new Set([c.rule.id, c.rule.name]))
      if (ref !== undefined) byRef.set(ref, [...(byRef.get(ref) ?? []), index])
  })
  for (const filter of filters) {
    const result = compileRule(
      {
        file: filter.file,
        line: filter.line,
        title: filter.title,
        tags: [],
        references: [],
        falsepositives: [],
        fields: [],
        logsource: filter.logsource,
        detection: filter.detection,
        conditions: filter.conditions,
        lines: filter.lines,
      },
      options,
    )
    if (!result.ok) {
      problems.push(result.problem)
      continue
    }
    const excluded = result.compiled.matches
    const rulesLine = filter.lines.rules ?? filter.line
    const warn = (reason: string): void => {
      problems.push({ kind: 'warning', file: filter.file, line: rulesLine, reason })
    }
    for (const ref of filter.rules) {
      const targets = byRef.get(ref)
      if (!targets) {
        warn(`filter "${filter.title}" names ${ref}, which is not a loaded rule`)
        continue
      }
      for (const index of targets) {
        const target = out[index]!
        const conflict = logsourceConflict(filter.logsource, target.rule.logsource)
        if (conflict) {
          warn(`filter "${filter.title}" not applied to ${ref}: logsource ${conflict}`)
          continue
        }
        const matches = target.matches
        out[index] = { rule: target.rule, matches: (event) => matches(event) && !excluded(event) }
      }
    }
  }
  return { compiled: out, problems }
}

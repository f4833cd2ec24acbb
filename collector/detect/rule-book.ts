/**
 * The rule book: every rule of the rule store, compiled, with its key, file, folder, origin and
 * license. Built whole from the stored files (a few thousand rules compile in about a second), so
 * a change to the store is a rebuild, never a partial patch that could drift from what is stored.
 */
import type { AlertLevel, RuleProblem, RuleSummary } from '../contract'
import { AlertLevel as AlertLevels } from '../contract'
import type { RuleFile, RuleOrigin, RuleState } from '../store/sqlite/rules-repo'
import { loadSigmaFile, type CompiledRule, type CompileOptions } from './sigma/compile'

export type BookEntry = {
  key: string
  compiled: CompiledRule
  file: string
  folder: string
  origin: RuleOrigin
  license: string | null
}

export type RuleBook = {
  entries: BookEntry[]
  byKey: Map<string, BookEntry>
  problems: RuleProblem[]
}

/** A rule's stable key: its Sigma id, else its place in its file. */
export const ruleKey = (compiled: CompiledRule, file: string, index: number): string =>
  compiled.rule.id ?? `${file}#${index + 1}`

export const folderOf = (file: string): string => {
  const slash = file.lastIndexOf('/')
  return slash < 0 ? '' : file.slice(0, slash)
}

export const buildRuleBook = (files: readonly RuleFile[], options: CompileOptions = {}): RuleBook => {
  const entries: BookEntry[] = []
  const byKey = new Map<string, BookEntry>()
  const problems: RuleProblem[] = []
  for (const file of files) {
    const { compiled, problems: found } = loadSigmaFile(file.text, file.path, options)
    problems.push(...found)
    compiled.forEach((rule, index) => {
      const key = ruleKey(rule, file.path, index)
      const prior = byKey.get(key)
      if (prior) {
        problems.push({
          kind: 'invalid',
          file: file.path,
          line: rule.rule.line,
          reason: `rule id ${key} is already used by ${prior.file}; this copy is not loaded (give it a new id)`,
        })
        return
      }
      const entry: BookEntry = {
        key,
        compiled: rule,
        file: file.path,
        folder: folderOf(file.path),
        origin: file.origin,
        license: file.license,
      }
      entries.push(entry)
      byKey.set(key, entry)
    })
  }
  return { entries, byKey, problems }
}

const LEVELS: ReadonlySet<string> = new Set(AlertLevels.options)
export const ruleLevel = (level: string | undefined): AlertLevel | null =>
  level !== undefined && LEVELS.has(level.toLowerCase()) ? (level.toLowerCase() as AlertLevel) : null

export const logsourceText = (compiled: CompiledRule): string => {
  const { product, category, service } = compiled.rule.logsource
  return [product, category, service].map((part) => part ?? '*').join('/')
}

export const ruleSummary = (entry: BookEntry, state: RuleState | undefined): RuleSummary => ({
  key: entry.key,
  id: entry.compiled.rule.id ?? null,
  kind: 'detection',
  title: entry.compiled.rule.title,
  level: ruleLevel(entry.compiled.rule.level),
  status: entry.compiled.rule.status ?? null,
  tags: entry.compiled.rule.tags,
  author: entry.compiled.rule.author ?? null,
  license: entry.license,
  logsource: logsourceText(entry.compiled),
  file: entry.file,
  folder: entry.folder,
  origin: entry.origin,
  enabled: state?.enabled ?? false,
  hits: state?.hits ?? 0,
  last_hit: state?.last_hit == null ? null : new Date(state.last_hit).toISOString(),
})

export type RuleQuery = {
  query?: string | undefined
  folder?: string | undefined
  tag?: string | undefined
  enabled?: boolean | undefined
}

/** The entries a rules:list or rules:set-enabled filter names. */
export const selectEntries = (
  book: RuleBook,
  states: ReadonlyMap<string, RuleState>,
  filter: RuleQuery,
): BookEntry[] => {
  const query = filter.query?.trim().toLowerCase()
  const tag = filter.tag?.toLowerCase()
  const folder = filter.folder?.replace(/\/+$/, '')
  return book.entries.filter((entry) => {
    if (
      folder !== undefined &&
      folder !== '' &&
      entry.folder !== folder &&
      !entry.folder.startsWith(folder + '/')
    )
      return false
    if (tag !== undefined && !entry.compiled.rule.tags.some((t) => t.toLowerCase() === tag)) return false
    if (filter.enabled !== undefined && (states.get(entry.key)?.enabled ?? false) !== filter.enabled)
      return false
    if (query) {
      const rule = entry.compiled.rule
      const haystack = [rule.title, rule.id ?? '', rule.author ?? '', entry.file, ...rule.tags]
        .join('\n')
        .toLowerCase()
      if (!haystack.includes(query)) return false
    }
    return true
  })
}

/** Folders with their rule and enabled counts, parents included, sorted by name. */
export const folderCounts = (
  book: RuleBook,
  states: ReadonlyMap<string, RuleState>,
): { folder: string; rules: number; enabled: number }[] => {
  const counts = new Map<string, { rules: number; enabled: number }>()
  for (const entry of book.entries) {
    const on = states.get(entry.key)?.enabled ?? false
    const parts = entry.folder.split('/').filter(Boolean)
    for (let i = 1; i <= parts.length; i++) {
      const name = parts.slice(0, i).join('/')
      const count = counts.get(name) ?? { rules: 0, enabled: 0 }
      count.rules++
      if (on) count.enabled++
      counts.set(name, count)
    }
  }
  return [...counts.entries()]
    .sort((a, b) => a[0].localeCompare(b[0]))
    .map(([folder, c]) => ({ folder, ...c }))
}

/**
 * The rule book: every rule of the rule store (detections, correlations, filters), compiled, with
 * its key, file, folder, origin and license. Built whole from the stored files and the rules'
 * states (a few thousand rules compile in about a second), so a change to the store is a rebuild,
 * never a partial patch that could drift from what is stored.
 */
import type { AlertLevel, RuleProblem, RuleSummary } from '../contract'
import { AlertLevel as AlertLevels } from '../contract'
import type { RuleFile, RuleOrigin, RuleState } from '../store/sqlite/rules-repo'
import { loadSigmaFile, type CompiledRule, type CompileOptions } from './sigma/compile'
import { linkCorrelations, type CorrelationLinks } from './sigma/correlation'
import { applyFilters } from './sigma/filter'
import type { SigmaLogsource } from './sigma/parse'
import type { SigmaCorrelation, SigmaFilter } from './sigma/parse-meta'

type Common = {
  key: string
  file: string
  folder: string
  origin: RuleOrigin
  license: string | null
  title: string
  id: string | null
  level: AlertLevel | null
  status: string | null
  tags: string[]
  author: string | null
  logsource: string
}
export type DetectionEntry = Common & { kind: 'detection'; compiled: CompiledRule }
export type CorrelationEntry = Common & { kind: 'correlation'; correlation: SigmaCorrelation }
export type FilterEntry = Common & { kind: 'filter'; filter: SigmaFilter }
export type BookEntry = DetectionEntry | CorrelationEntry | FilterEntry

export type RuleBook = {
  entries: BookEntry[]
  byKey: Map<string, BookEntry>
  /** Detection rules by their rule, with the enabled filters applied. */
  detections: DetectionEntry[]
  /** Every correlation that links (its rules all known), inputs first, and how they link. */
  links: CorrelationLinks
  problems: RuleProblem[]
}

const LEVELS: ReadonlySet<string> = new Set(AlertLevels.options)
export const ruleLevel = (level: string | undefined): AlertLevel | null =>
  level !== undefined && LEVELS.has(level.toLowerCase()) ? (level.toLowerCase() as AlertLevel) : null

export const folderOf = (file: string): string => {
  const slash = file.lastIndexOf('/')
  return slash < 0 ? '' : file.slice(0, slash)
}

const logsourceText = (logsource: SigmaLogsource | undefined): string =>
  logsource ? [logsource.product, logsource.category, logsource.service].map((p) => p ?? '*').join('/') : ''

/** A rule's stable key: its Sigma id, else its place (document order) in its file. */
export const ruleKey = (id: string | undefined, file: string, index: number): string =>
  id ?? `${file}#${index + 1}`

/** The keys of every rule, correlation and filter in one file's text (for their default state). */
export const fileKeys = (text: string, file: string): string[] => {
  const loaded = loadSigmaFile(text, file)
  return documents(loaded, file).map((d) => d.key)
}

type Loaded = ReturnType<typeof loadSigmaFile>
type Doc =
  | { kind: 'detection'; key: string; line: number; compiled: CompiledRule }
  | { kind: 'correlation'; key: string; line: number; correlation: SigmaCorrelation }
  | { kind: 'filter'; key: string; line: number; filter: SigmaFilter }

/** One file's documents in file order, each with its key. */
const documents = (loaded: Loaded, file: string): Doc[] => {
  const docs: Doc[] = [
    ...loaded.compiled.map((compiled): Doc => ({
      kind: 'detection',
      key: '',
      line: compiled.rule.line,
      compiled,
    })),
    ...loaded.correlations.map((correlation): Doc => ({
      kind: 'correlation',
      key: '',
      line: correlation.line,
      correlation,
    })),
    ...loaded.filters.map((filter): Doc => ({ kind: 'filter', key: '', line: filter.line, filter })),
  ].sort((a, b) => a.line - b.line)
  docs.forEach((doc, index) => {
    const id =
      doc.kind === 'detection'
        ? doc.compiled.rule.id
        : doc.kind === 'correlation'
          ? doc.correlation.id
          : doc.filter.id
    doc.key = ruleKey(id, file, index)
  })
  return docs
}

const common = (doc: Doc, file: RuleFile): Common => {
  const meta =
    doc.kind === 'detection'
      ? { ...doc.compiled.rule, logsource: logsourceText(doc.compiled.rule.logsource) }
      : doc.kind === 'correlation'
        ? { ...doc.correlation, logsource: `correlation/${doc.correlation.type}` }
        : {
            ...doc.filter,
            tags: [],
            level: undefined,
            status: undefined,
            author: undefined,
            license: undefined,
            logsource: logsourceText(doc.filter.logsource),
          }
  return {
    key: doc.key,
    file: file.path,
    folder: folderOf(file.path),
    origin: file.origin,
    // The rule's own license field first, else what its folder or archive carries.
    license: meta.license ?? file.license,
    title: meta.title,
    id: meta.id ?? null,
    level: ruleLevel(meta.level),
    status: meta.status ?? null,
    tags: meta.tags,
    author: meta.author ?? null,
    logsource: meta.logsource,
  }
}

/**
 * Compiles every stored file. Enabled filters are applied to the rules they name (in any file);
 * correlations are linked to the rules and correlations they name.
 */
/**
 * Compiling is the expensive part of a rebuild: the cache keeps each file's result while its text
 * is unchanged, so toggling a rule or saving one file recompiles only that file.
 */
export type CompileCache = {
  compile: (file: RuleFile) => Loaded
  /** Forgets every file not named (deleted from the store). */
  keep: (paths: Iterable<string>) => void
}

export const createCompileCache = (options: CompileOptions = {}): CompileCache => {
  const cache = new Map<string, { text: string; loaded: Loaded }>()
  return {
    compile: (file) => {
      const hit = cache.get(file.path)
      if (hit && hit.text === file.text) return hit.loaded
      const loaded = loadSigmaFile(file.text, file.path, options)
      cache.set(file.path, { text: file.text, loaded })
      return loaded
    },
    keep: (paths) => {
      const wanted = new Set(paths)
      for (const path of cache.keys()) if (!wanted.has(path)) cache.delete(path)
    },
  }
}

export const buildRuleBook = (
  files: readonly RuleFile[],
  states: ReadonlyMap<string, RuleState> = new Map(),
  options: CompileOptions = {},
  compile: (file: RuleFile) => Loaded = (file) => loadSigmaFile(file.text, file.path, options),
): RuleBook => {
  const entries: BookEntry[] = []
  const byKey = new Map<string, BookEntry>()
  const problems: RuleProblem[] = []
  for (const file of files) {
    const loaded = compile(file)
    problems.push(...loaded.problems)
    for (const doc of documents(loaded, file.path)) {
      const prior = byKey.get(doc.key)
      if (prior) {
        problems.push({
          kind: 'invalid',
          file: file.path,
          line: doc.line,
          reason: `rule id ${doc.key} is already used by ${prior.file}; this copy is not loaded (give it a new id)`,
        })
        continue
      }
      const entry: BookEntry =
        doc.kind === 'detection'
          ? { ...common(doc, file), kind: 'detection', compiled: doc.compiled }
          : doc.kind === 'correlation'
            ? { ...common(doc, file), kind: 'correlation', correlation: doc.correlation }
            : { ...common(doc, file), kind: 'filter', filter: doc.filter }
      entries.push(entry)
      byKey.set(doc.key, entry)
    }
  }
  const enabled = (entry: BookEntry): boolean => states.get(entry.key)?.enabled ?? false
  let detections = entries.filter((e): e is DetectionEntry => e.kind === 'detection')
  const filters = entries
    .filter((e): e is FilterEntry => e.kind === 'filter' && enabled(e))
    .map((e) => e.filter)
  if (filters.length > 0) {
    const filtered = applyFilters(
      detections.map((e) => e.compiled),
      filters,
      options,
    )
    problems.push(...filtered.problems)
    // applyFilters keeps the order and replaces filtered rules by copies with a new predicate.
    detections = detections.map((entry, index) => {
      const compiled = filtered.compiled[index]!
      if (compiled === entry.compiled) return entry
      const replaced: DetectionEntry = { ...entry, compiled }
      byKey.set(entry.key, replaced)
      entries[entries.indexOf(entry)] = replaced
      return replaced
    })
  }
  const links = linkCorrelations(
    entries.filter((e): e is CorrelationEntry => e.kind === 'correlation').map((e) => e.correlation),
    detections.map((e) => e.compiled),
  )
  problems.push(...links.problems)
  return { entries, byKey, detections, links, problems }
}

export const ruleSummary = (entry: BookEntry, state: RuleState | undefined): RuleSummary => ({
  key: entry.key,
  id: entry.id,
  kind: entry.kind,
  title: entry.title,
  level: entry.level,
  status: entry.status,
  tags: entry.tags,
  author: entry.author,
  license: entry.license,
  logsource: entry.logsource,
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
    if (tag !== undefined && !entry.tags.some((t) => t.toLowerCase() === tag)) return false
    if (filter.enabled !== undefined && (states.get(entry.key)?.enabled ?? false) !== filter.enabled)
      return false
    if (query) {
      const haystack = [entry.title, entry.id ?? '', entry.author ?? '', entry.file, ...entry.tags]
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

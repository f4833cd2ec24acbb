import { readdir, readFile, stat } from 'node:fs/promises'
import { join } from 'node:path'
import { strFromU8, unzipSync } from 'fflate'
import { loadSigmaFile, type CompiledRule, type CompileOptions } from './compile'
import { linkCorrelations } from './correlation'
import { applyFilters } from './filter'
import type { SigmaProblem } from './parse'
import type { SigmaCorrelation, SigmaFilter } from './parse-meta'

export type RuleLoad = {
  /** Detection rules, with the filters that name them applied. */
  compiled: CompiledRule[]
  /** Correlation rules whose rules all loaded (createCorrelator runs them), inputs first. */
  correlations: SigmaCorrelation[]
  /** Filter documents read (already applied to `compiled`). */
  filters: SigmaFilter[]
  /** Every rule that did not load, with its file (`archive.zip!member.yml` inside zips), line and reason. */
  problems: SigmaProblem[]
  /** The rule files read, in order. */
  files: string[]
  /** Paths that could not be read at all (missing, unreadable, a broken zip). */
  errors: { path: string; reason: string }[]
}

const isRuleFile = (name: string): boolean => /\.ya?ml$/i.test(name)
const isZip = (name: string): boolean => /\.zip$/i.test(name)

const loadText = (out: RuleLoad, text: string, file: string, options: CompileOptions): void => {
  const result = loadSigmaFile(text, file, options)
  out.files.push(file)
  out.compiled.push(...result.compiled)
  out.correlations.push(...result.correlations)
  out.filters.push(...result.filters)
  out.problems.push(...result.problems)
}

/** SigmaHQ release archives keep rules in folders; every .yml/.yaml member is a rule file. */
const loadZip = (out: RuleLoad, data: Uint8Array, path: string, options: CompileOptions): void => {
  const members = unzipSync(data, { filter: (member) => isRuleFile(member.name) })
  for (const name of Object.keys(members).sort()) {
    if (name.startsWith('__MACOSX/')) continue
    loadText(out, strFromU8(members[name]!), `${path}!${name}`, options)
  }
}

const loadFile = async (out: RuleLoad, path: string, options: CompileOptions): Promise<void> => {
  try {
    loadText(out, await readFile(path, 'utf8'), path, options)
  } catch (error) {
    out.errors.push({ path, reason: (error as Error).message })
  }
}

const loadPath = async (
  out: RuleLoad,
  path: string,
  options: CompileOptions,
  top: boolean,
): Promise<void> => {
  try {
    const info = await stat(path)
    if (info.isDirectory()) {
      const entries = await readdir(path, { withFileTypes: true })
      entries.sort((a, b) => a.name.localeCompare(b.name))
      for (const entry of entries) {
        const child = join(path, entry.name)
        // A plain rule file needs no stat of its own (thousands of them in a SigmaHQ checkout).
        if (entry.isFile() && isRuleFile(entry.name)) await loadFile(out, child, options)
        else if (entry.isDirectory() || isRuleFile(entry.name) || isZip(entry.name))
          await loadPath(out, child, options, false)
      }
    } else if (isZip(path)) loadZip(out, await readFile(path), path, options)
    else if (top || isRuleFile(path)) loadText(out, await readFile(path, 'utf8'), path, options)
  } catch (error) {
    out.errors.push({ path, reason: (error as Error).message })
  }
}

/**
 * Loads rules from .yml/.yaml files, directories (recursively) and .zip archives; never throws.
 * Filters and correlations may name rules of any file loaded: they are resolved at the end.
 */
export const loadRules = async (
  paths: readonly string[],
  options: CompileOptions = {},
): Promise<RuleLoad> => {
  const out: RuleLoad = { compiled: [], correlations: [], filters: [], problems: [], files: [], errors: [] }
  for (const path of paths) await loadPath(out, path, options, true)
  const filtered = applyFilters(out.compiled, out.filters, options)
  out.compiled = filtered.compiled
  const links = linkCorrelations(out.correlations, out.compiled)
  out.correlations = links.correlations
  out.problems.push(...filtered.problems, ...links.problems)
  return out
}

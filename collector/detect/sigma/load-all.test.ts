import { existsSync, readdirSync, readFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { loadSigmaFile } from './compile'
import type { SigmaProblem } from './parse'

// Every SigmaHQ rule, parsed and compiled: not a benchmark, a check that loading completes and
// that each rule we cannot run is reported with its file, line and reason.
const RULES = fileURLToPath(new URL('../../../../shared/sigma/rules/', import.meta.url))

const ruleFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory()
      ? ruleFiles(join(dir, entry.name))
      : entry.name.endsWith('.yml')
        ? [join(dir, entry.name)]
        : [],
  )

/** Reasons grouped with the file names and quoted text taken out, so alike problems count together. */
const reasonGroup = (problem: SigmaProblem): string =>
  problem.reason.replace(/^[^:]*\|[^:]*: /, '').replace(/'[^']*'/g, "'…'")

describe.skipIf(!existsSync(RULES))('loading every SigmaHQ rule', () => {
  it('parses and compiles all rules, reporting what it cannot run', () => {
    const folders = ['rules', 'rules-emerging-threats', 'rules-threat-hunting'].filter((f) =>
      existsSync(RULES + f),
    )
    const files = folders.flatMap((folder) => ruleFiles(RULES + folder))
    let loaded = 0
    const problems: SigmaProblem[] = []
    for (const file of files) {
      const result = loadSigmaFile(readFileSync(file, 'utf8'), relative(RULES, file))
      loaded += result.compiled.length
      problems.push(...result.problems)
    }
    const groups = new Map<string, string[]>()
    for (const problem of problems) {
      expect(problem.file).not.toBe('')
      expect(problem.line).toBeGreaterThan(0)
      expect(problem.reason).not.toBe('')
      const key = `${problem.kind}: ${reasonGroup(problem)}`
      groups.set(key, [...(groups.get(key) ?? []), `${problem.file}:${problem.line}`])
    }
    const count = (kind: string): number => problems.filter((p) => p.kind === kind).length
    const summary = {
      files: files.length,
      loaded,
      invalid: count('invalid'),
      unsupported: count('unsupported'),
      reasons: Object.fromEntries(
        [...groups].map(([reason, where]) => [reason, { count: where.length, where }]),
      ),
    }
    console.log(JSON.stringify(summary, null, 2))
    expect(files.length).toBeGreaterThan(0)
    expect(loaded).toBeGreaterThan(0)
  })
})

/**
 * The rules:* calls over the rule store and the detector. Every change goes to SQLite first and
 * then rebuilds the rule book from what is stored, so what runs is always what is stored.
 */
import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { ContractError, type CallRes, type ParsedReq, type RuleProblem } from '../contract'
import type { AuditInput } from '../store/sqlite/audit-repo'
import type { RuleFile, RulesRepo } from '../store/sqlite/rules-repo'
import type { Detector } from './detector'
import { RuleInputError } from './detector'
import { fileKeys, folderCounts, ruleSummary, selectEntries } from './rule-book'
import { readRuleTexts } from './rule-files'
import { loadSigmaFile } from './sigma/compile'

type RuleCall =
  | 'rules:list'
  | 'rules:get'
  | 'rules:validate'
  | 'rules:save'
  | 'rules:delete'
  | 'rules:import'
  | 'rules:set-enabled'
  | 'rules:test'
  | 'rules:test-cancel'
export type RuleHandlers = { [K in RuleCall]: (req: ParsedReq<K>) => CallRes<K> | Promise<CallRes<K>> }

const MAX_PROBLEMS = 1000

/** The keys a file's text defines and its problems; warnings do not stop a save. */
const validate = (text: string, file: string): { keys: string[]; problems: RuleProblem[]; count: number } => {
  const loaded = loadSigmaFile(text, file)
  const keys = fileKeys(text, file)
  return { keys, problems: loaded.problems, count: keys.length }
}

const SAFE_PATH = /^[\w.\- ()]+(\/[\w.\- ()]+)*\.ya?ml$/

/** Runs a change and its audit entry in one transaction (see AuditLog). */
export type Audited = <T>(
  entry: Omit<AuditInput, 'actor'> | ((result: T) => Omit<AuditInput, 'actor'>),
  change: () => T,
) => T

export const ruleHandlers = (
  rules: RulesRepo,
  detector: Detector,
  findUpload: (id: string) => Promise<{ path: string; name: string } | undefined>,
  audited: Audited,
): RuleHandlers => {
  const summaries = (file: string) => {
    const states = detector.ruleStates
    return detector.ruleBook.entries
      .filter((entry) => entry.file === file)
      .map((entry) => ruleSummary(entry, states.get(entry.key)))
  }

  return {
    'rules:list': (req) => {
      const book = detector.ruleBook
      const states = detector.ruleStates
      const selected = selectEntries(book, states, req)
      return {
        rules: selected
          .slice(req.offset, req.offset + req.limit)
          .map((e) => ruleSummary(e, states.get(e.key))),
        total: selected.length,
        folders: folderCounts(book, states),
        problems: book.problems.slice(0, MAX_PROBLEMS),
      }
    },
    'rules:get': (req) => {
      const entry = detector.ruleBook.byKey.get(req.key)
      if (!entry) throw new ContractError('not_found', `no rule with key ${req.key} (see rules:list)`)
      const file = rules.file(entry.file)
      return { rule: ruleSummary(entry, detector.ruleStates.get(entry.key)), text: file?.text ?? '' }
    },
    'rules:validate': (req) => {
      const loaded = loadSigmaFile(req.text, 'editor.yml')
      const rules = [
        ...loaded.compiled.map((c) => ({
          line: c.rule.line,
          title: c.rule.title,
          id: c.rule.id,
          kind: 'detection' as const,
        })),
        ...loaded.correlations.map((c) => ({
          line: c.line,
          title: c.title,
          id: c.id,
          kind: 'correlation' as const,
        })),
        ...loaded.filters.map((f) => ({ line: f.line, title: f.title, id: f.id, kind: 'filter' as const })),
      ].sort((a, b) => a.line - b.line)
      return {
        rules: rules.map(({ title, id, kind }) => ({ title, id: id ?? null, kind })),
        problems: loaded.problems,
      }
    },
    'rules:save': (req) => {
      const origin = req.file ? rules.file(req.file) : undefined
      if (req.file !== undefined && !origin)
        throw new ContractError('not_found', `no stored rule file ${req.file} (omit file to make a new one)`)
      const path = req.file ?? `user/${newFileName(req.text)}`
      if (!SAFE_PATH.test(path))
        throw new ContractError('invalid_request', `rules:save: bad file name ${path}`)
      const { keys, problems, count } = validate(req.text, path)
      const first = problems.find((p) => p.kind !== 'warning')
      if (first || count === 0)
        throw new ContractError(
          'invalid_request',
          first
            ? `rules:save: line ${first.line}: ${first.reason} (fix it; rules:validate lists every problem)`
            : 'rules:save: the text holds no rule',
        )
      // Another file holding one of these ids would hide the rule: refuse rather than shadow it.
      for (const key of keys) {
        const other = detector.ruleBook.byKey.get(key)
        if (other && other.file !== path)
          throw new ContractError(
            'conflict',
            `rules:save: rule id ${key} is already in ${other.file}; give it a new id`,
          )
      }
      const file: RuleFile = {
        path,
        text: req.text,
        origin: origin?.origin ?? 'user',
        license: origin?.license ?? null,
      }
      audited(
        {
          action: origin ? 'update' : 'create',
          object_type: 'rule_file',
          object_id: path,
          details: { rules: keys },
        },
        () => {
          rules.putFiles([file], keys, req.enabled)
          if (origin) rules.setEnabled(keys, req.enabled)
        },
      )
      detector.reload()
      detector.kick()
      return { file: path, rules: summaries(path) }
    },
    'rules:delete': (req) => {
      const count = detector.ruleBook.entries.filter((entry) => entry.file === req.file).length
      const deleted = audited({ action: 'delete', object_type: 'rule_file', object_id: req.file }, () =>
        rules.deleteFile(req.file),
      )
      if (!deleted) throw new ContractError('not_found', `no stored rule file ${req.file}`)
      detector.reload()
      return { deleted: count }
    },
    'rules:import': async (req) => {
      const inputs: { path: string; name?: string }[] = []
      if ('paths' in req) inputs.push(...req.paths.map((path) => ({ path })))
      else {
        const upload = await findUpload(req.upload_id)
        if (!upload) throw new ContractError('not_found', `no waiting upload with id ${req.upload_id}`)
        inputs.push({ path: upload.path, name: req.name })
      }
      const problems: RuleProblem[] = []
      const files: RuleFile[] = []
      const keys: string[] = []
      let loaded = 0
      let folder = ''
      for (const input of inputs) {
        const read = await readRuleTexts(input.path, input.name)
        for (const error of read.errors)
          problems.push({ file: error.path, line: 0, kind: 'invalid', reason: error.reason })
        for (const text of read.files) {
          folder ||= text.path.slice(0, text.path.indexOf('/'))
          const result = validate(text.text, text.path)
          problems.push(...result.problems)
          // A file with no rule that loads is not stored: there is nothing in it to run.
          if (result.count === 0) continue
          loaded += result.count
          keys.push(...result.keys)
          files.push({ path: text.path, text: text.text, origin: 'imported', license: read.license })
        }
      }
      if (files.length > 0) {
        audited(
          {
            action: 'import',
            object_type: 'rule_file',
            object_id: folder,
            details: {
              files: files.length,
              rules: keys.length,
              enabled: req.enabled,
              problems: problems.length,
            },
          },
          () => rules.putFiles(files, keys, req.enabled),
        )
        detector.reload()
        detector.kick()
      }
      return {
        files: files.length,
        loaded,
        invalid: problems.filter((p) => p.kind === 'invalid').length,
        unsupported: problems.filter((p) => p.kind === 'unsupported').length,
        problems: problems.slice(0, MAX_PROBLEMS),
        folder,
      }
    },
    'rules:set-enabled': (req) => {
      if (req.keys === undefined && req.folder === undefined && req.tag === undefined)
        throw new ContractError('invalid_request', 'rules:set-enabled: name keys, a folder or a tag')
      const book = detector.ruleBook
      let keys: string[]
      if (req.keys !== undefined) {
        const unknown = req.keys.filter((key) => !book.byKey.has(key))
        if (unknown.length > 0)
          throw new ContractError(
            'not_found',
            `rules:set-enabled: no rule with key ${unknown.slice(0, 5).join(', ')}`,
          )
        keys = req.keys
      } else
        keys = selectEntries(book, detector.ruleStates, { folder: req.folder, tag: req.tag }).map(
          (e) => e.key,
        )
      const changed = keys.filter((key) => (detector.ruleStates.get(key)?.enabled ?? false) !== req.enabled)
      audited(
        {
          action: req.enabled ? 'enable' : 'disable',
          object_type: 'rule',
          object_id: null,
          details: { keys: changed.slice(0, 100), count: changed.length, folder: req.folder, tag: req.tag },
        },
        () => rules.setEnabled(changed, req.enabled),
      )
      detector.reload()
      return { changed: changed.length }
    },
    'rules:test': (req) => {
      try {
        return {
          test_id: detector.startTest('key' in req ? { key: req.key } : { text: req.text }, req.limit),
        }
      } catch (error) {
        if (error instanceof RuleInputError)
          throw new ContractError('invalid_request', `rules:test: ${error.message}`)
        throw error
      }
    },
    'rules:test-cancel': (req) => {
      try {
        return { test: detector.cancelTest(req.test_id) }
      } catch (error) {
        if (error instanceof RuleInputError) throw new ContractError('not_found', error.message)
        throw error
      }
    },
  }
}

/** A file name from the rule's title: lower-case words joined by _, plus a short random tail. */
const newFileName = (text: string): string => {
  const title = /^title:\s*(.+)$/m.exec(text)?.[1] ?? 'rule'
  const slug =
    title
      .toLowerCase()
      .replace(/['"]/g, '')
      .replace(/[^a-z0-9]+/g, '_')
      .replace(/^_|_$/g, '')
      .slice(0, 60) || 'rule'
  return `${slug}_${Math.random().toString(36).slice(2, 8)}.yml`
}

/** Outpost's own example rules (resources/sigma/examples), stored once on first start. */
export const exampleRuleFiles = (dir: string | null): RuleFile[] => {
  if (!dir) return []
  let names: string[]
  try {
    names = readdirSync(dir).filter((name) => /\.ya?ml$/i.test(name))
  } catch {
    return []
  }
  return names.sort().map((name) => ({
    path: `examples/${name}`,
    text: readFileSync(join(dir, name), 'utf8'),
    origin: 'example' as const,
    license: 'Outpost example rule',
  }))
}

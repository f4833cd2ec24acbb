import type { StateCreator } from 'zustand'
import type { CallReq, CallRes, RuleProblem, RuleSummary, RuleTest } from '../../../collector/contract'
import type { AppState } from './store'

/** rules:list answers at most this many per call; the list pages until it has them all. */
const PAGE = 5000
const HITS_REFRESH_MS = 3000

export type RulesFilter = {
  query: string
  folder: string | null
  tag: string | null
  enabled: boolean | null
}

export type RuleFolder = CallRes<'rules:list'>['folders'][number]
export type RuleValidation = CallRes<'rules:validate'>
export type RuleImport = {
  name: string
  result: CallRes<'rules:import'> | null
  error: string | null
}

/** The rule open in the editor: a stored file, or a new one (file null) until it is saved. */
export type RuleEditor = {
  key: string | null
  file: string | null
  origin: RuleSummary['origin'] | null
  text: string
  savedText: string
  /** Whether the first Save leaves a new rule running (it can be saved off and tested first). */
  enabled: boolean
  /** Of the text it names; stale while `validation.text !== text`. */
  validation: (RuleValidation & { text: string }) | null
  saving: boolean
  error: string | null
}

export const NEW_RULE_TEMPLATE = `title: New rule
id: ${'00000000-0000-4000-8000-000000000000'}
status: experimental
description: What this rule detects and why it matters.
author: Your name
license: DRL-1.1
date: 2026-01-01
tags:
  - attack.execution
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    Image|endswith: '\\evil.exe'
  condition: selection
level: medium
`

export type RulesSlice = {
  rules: RuleSummary[]
  rulesTotal: number
  ruleFolders: RuleFolder[]
  /** Stored rules that no longer load (edited by hand outside Outpost…). */
  ruleStoreProblems: RuleProblem[]
  rulesLoading: boolean
  rulesError: string | null
  rulesFilter: RulesFilter
  ruleEditor: RuleEditor | null
  ruleImports: RuleImport[]
  ruleImportsRunning: number
  ruleTestId: string | null
  ruleTest: RuleTest | null
  ruleTestError: string | null
  loadRules: () => Promise<void>
  setRulesFilter: (patch: Partial<RulesFilter>) => Promise<void>
  /** The `rules:changed` push (and a reconnect): reloads the list if it was ever loaded. */
  rulesChanged: () => void
  /** The Rules view is on screen: raised alerts then refresh hit counts (at most every few seconds). */
  watchRuleHits: (on: boolean) => void
  /** Alerts were raised: some rules have more hits. */
  ruleHitsChanged: () => void
  setRulesEnabled: (keys: readonly string[], enabled: boolean) => Promise<void>
  /** Enables or disables what the current filter shows (by folder/tag when that is all it narrows by). */
  setShownRulesEnabled: (enabled: boolean) => Promise<void>
  openRule: (key: string) => Promise<void>
  /** A new, unsaved rule: the template, or `text` (a draft made elsewhere, e.g. from a hunt). */
  newRule: (text?: string) => void
  closeRule: () => void
  editRuleText: (text: string) => void
  setEditorEnabled: (enabled: boolean) => void
  validateRuleText: () => Promise<void>
  saveRule: () => Promise<boolean>
  deleteRule: () => Promise<boolean>
  /** Desktop: folders, .yml or .zip by the native dialog. */
  /** The desktop's native dialog: rule files and zips, or (`directory`) whole folders. */
  chooseRulesToImport: (directory?: boolean) => Promise<void>
  importRuleFiles: (files: readonly File[]) => Promise<void>
  importRulePaths: (paths: readonly string[]) => Promise<void>
  testRule: () => Promise<void>
  cancelRuleTest: () => Promise<void>
  /** The `rules:test-progress` push. */
  ruleTestProgress: (test: RuleTest) => void
}

export const editorDirty = (editor: RuleEditor): boolean => editor.text !== editor.savedText
/** A problem that keeps a rule from loading; anything else (a warning) is shown but allows Save. */
export const blocksSave = (problem: RuleProblem): boolean =>
  problem.kind === 'invalid' || problem.kind === 'unsupported'

/** Whether Save is allowed: validated as it stands, loads at least one rule, nothing blocking. */
export const editorValid = (editor: RuleEditor): boolean =>
  editor.validation !== null &&
  editor.validation.text === editor.text &&
  !editor.validation.problems.some(blocksSave) &&
  editor.validation.rules.length > 0

const listRequest = (filter: RulesFilter, offset: number): CallReq<'rules:list'> => ({
  limit: PAGE,
  offset,
  ...(filter.query.trim() && { query: filter.query.trim() }),
  ...(filter.folder !== null && { folder: filter.folder }),
  ...(filter.tag !== null && { tag: filter.tag }),
  ...(filter.enabled !== null && { enabled: filter.enabled }),
})

/** A fresh id for each new rule: Sigma ids are UUIDs and two new rules must not share one. */
const newRuleText = (): string =>
  NEW_RULE_TEMPLATE.replace('00000000-0000-4000-8000-000000000000', crypto.randomUUID())

export const createRulesSlice =
  (transport: AppState['transport']): StateCreator<AppState, [], [], RulesSlice> =>
  (set, get) => {
    let loadGeneration = 0
    let reloadQueued = false
    /** Nothing to refresh until the Rules view has asked for the list once. */
    let loadedOnce = false
    let hitsWatched = false
    let hitsQueued = false
    /** Between asking for a test and the answer naming it: its first pushes may come first. */
    let testStarting = false

    /** A test of a rule no longer in the editor would only cost the core time: stop it. */
    const stopRunningTest = (): void => {
      const id = get().ruleTestId
      if (id !== null && get().ruleTest?.state === 'running')
        void transport.invoke('rules:test-cancel', { test_id: id })
    }

    const patchEditor = (patch: Partial<RuleEditor>): void => {
      const editor = get().ruleEditor
      if (editor) set({ ruleEditor: { ...editor, ...patch } })
    }

    const importOne = async (name: string, req: CallReq<'rules:import'>): Promise<void> => {
      set({ ruleImportsRunning: get().ruleImportsRunning + 1 })
      const result = await transport.invoke('rules:import', req)
      const entry: RuleImport = result.ok
        ? { name, result: result.value, error: null }
        : { name, result: null, error: result.error.message }
      set({ ruleImports: [entry, ...get().ruleImports], ruleImportsRunning: get().ruleImportsRunning - 1 })
    }

    return {
      rules: [],
      rulesTotal: 0,
      ruleFolders: [],
      ruleStoreProblems: [],
      rulesLoading: false,
      rulesError: null,
      rulesFilter: { query: '', folder: null, tag: null, enabled: null },
      ruleEditor: null,
      ruleImports: [],
      ruleImportsRunning: 0,
      ruleTestId: null,
      ruleTest: null,
      ruleTestError: null,

      async loadRules() {
        loadedOnce = true
        const generation = ++loadGeneration
        set({ rulesLoading: true })
        const filter = get().rulesFilter
        const rules: RuleSummary[] = []
        for (;;) {
          const result = await transport.invoke('rules:list', listRequest(filter, rules.length))
          if (generation !== loadGeneration) return
          if (!result.ok) return set({ rulesLoading: false, rulesError: result.error.message })
          rules.push(...result.value.rules)
          if (result.value.rules.length === 0 || rules.length >= result.value.total) {
            return set({
              rules,
              rulesTotal: result.value.total,
              ruleFolders: result.value.folders,
              ruleStoreProblems: result.value.problems,
              rulesLoading: false,
              rulesError: null,
            })
          }
        }
      },

      async setRulesFilter(patch) {
        set({ rulesFilter: { ...get().rulesFilter, ...patch } })
        await get().loadRules()
      },

      rulesChanged() {
        // Saves, imports and toggles each push this: one reload per burst is enough.
        if (reloadQueued || !loadedOnce) return
        reloadQueued = true
        setTimeout(() => {
          reloadQueued = false
          void get().loadRules()
        }, 200)
      },

      watchRuleHits(on) {
        hitsWatched = on
      },

      ruleHitsChanged() {
        // The whole list is a few hundred ms with SigmaHQ loaded: not on every alert.
        if (!hitsWatched || hitsQueued) return
        hitsQueued = true
        setTimeout(() => {
          hitsQueued = false
          if (hitsWatched) void get().loadRules()
        }, HITS_REFRESH_MS)
      },

      async setRulesEnabled(keys, enabled) {
        if (keys.length === 0) return
        const wanted = new Set(keys)
        const before = new Map<string, RuleSummary>()
        const after = new Map<string, RuleSummary>()
        for (const rule of get().rules) {
          if (!wanted.has(rule.key) || rule.enabled === enabled) continue
          before.set(rule.key, rule)
          after.set(rule.key, { ...rule, enabled })
        }
        set({ rules: get().rules.map((r) => after.get(r.key) ?? r) })
        const result = await transport.invoke('rules:set-enabled', { keys: [...keys], enabled })
        if (!result.ok) {
          set({
            rules: get().rules.map((r) => (after.get(r.key) === r ? (before.get(r.key) ?? r) : r)),
            rulesError: result.error.message,
          })
          return
        }
        set({ rulesError: null })
      },

      async setShownRulesEnabled(enabled) {
        const filter = get().rulesFilter
        const byScope = !filter.query.trim() && filter.enabled === null && (filter.folder ?? filter.tag)
        if (!byScope)
          return get().setRulesEnabled(
            get().rules.map((r) => r.key),
            enabled,
          )
        const result = await transport.invoke('rules:set-enabled', {
          enabled,
          ...(filter.folder !== null && { folder: filter.folder }),
          ...(filter.tag !== null && { tag: filter.tag }),
        })
        if (!result.ok) return set({ rulesError: result.error.message })
        set({ rulesError: null })
        await get().loadRules()
      },

      async openRule(key) {
        const result = await transport.invoke('rules:get', { key })
        if (!result.ok) return set({ rulesError: result.error.message })
        const { rule, text } = result.value
        stopRunningTest()
        set({
          ruleEditor: {
            key: rule.key,
            file: rule.file,
            origin: rule.origin,
            text,
            savedText: text,
            enabled: rule.enabled,
            validation: null,
            saving: false,
            error: null,
          },
          ruleTestId: null,
          ruleTest: null,
          ruleTestError: null,
        })
        await get().validateRuleText()
      },

      newRule(text) {
        stopRunningTest()
        set({
          ruleEditor: {
            key: null,
            file: null,
            origin: 'user',
            text: text ?? newRuleText(),
            savedText: '',
            enabled: true,
            validation: null,
            saving: false,
            error: null,
          },
          ruleTestId: null,
          ruleTest: null,
          ruleTestError: null,
        })
        void get().validateRuleText()
      },

      closeRule() {
        stopRunningTest()
        set({ ruleEditor: null, ruleTestId: null, ruleTest: null, ruleTestError: null })
      },

      editRuleText(text) {
        patchEditor({ text })
      },

      setEditorEnabled(enabled) {
        patchEditor({ enabled })
      },

      async validateRuleText() {
        const text = get().ruleEditor?.text
        if (text === undefined) return
        const result = await transport.invoke('rules:validate', { text })
        if (get().ruleEditor?.text !== text) return // typed on meanwhile: a newer check follows
        if (!result.ok) return patchEditor({ error: result.error.message })
        patchEditor({ validation: { ...result.value, text }, error: null })
      },

      async saveRule() {
        let editor = get().ruleEditor
        if (!editor || editor.saving) return false
        if (editor.validation?.text !== editor.text) {
          await get().validateRuleText()
          editor = get().ruleEditor
          if (!editor) return false
        }
        if (!editorValid(editor)) {
          patchEditor({ error: 'Fix the problems listed before saving.' })
          return false
        }
        const text = editor.text
        patchEditor({ saving: true, error: null })
        const result = await transport.invoke('rules:save', {
          text,
          // A stored rule keeps the state its list toggle gave it since the editor opened.
          enabled: get().rules.find((r) => r.key === editor.key)?.enabled ?? editor.enabled,
          ...(editor.file !== null && { file: editor.file }),
        })
        if (!result.ok) {
          patchEditor({ saving: false, error: result.error.message })
          return false
        }
        const first = result.value.rules[0]
        patchEditor({
          saving: false,
          file: result.value.file,
          key: first?.key ?? null,
          origin: first?.origin ?? 'user',
          savedText: text,
        })
        await get().loadRules()
        return true
      },

      async deleteRule() {
        const editor = get().ruleEditor
        if (!editor) return false
        if (editor.file === null) {
          set({ ruleEditor: null }) // never saved: nothing to delete in the store
          return true
        }
        const result = await transport.invoke('rules:delete', { file: editor.file })
        if (!result.ok) {
          patchEditor({ error: result.error.message })
          return false
        }
        set({ ruleEditor: null })
        await get().loadRules()
        return true
      },

      async chooseRulesToImport(directory = false) {
        const result = await transport.invoke(
          'dialog:open',
          directory
            ? { title: 'Import a folder of Sigma rules', multiple: true, directory: true }
            : {
                title: 'Import Sigma rules',
                multiple: true,
                filters: [{ name: 'Sigma rules', extensions: ['yml', 'yaml', 'zip'] }],
              },
        )
        if (!result.ok) return set({ rulesError: result.error.message })
        await get().importRulePaths(result.value.paths)
      },

      async importRulePaths(paths) {
        if (paths.length === 0) return
        await importOne(paths.join(', '), { paths: [...paths], enabled: true })
      },

      async importRuleFiles(files) {
        if (files.length === 0) return
        const paths = files.map((f) => transport.pathForFile(f))
        if (paths.every((p) => p !== null)) return get().importRulePaths(paths)
        // Browser: each file is uploaded, then imported from the upload under its own name.
        await Promise.all(
          files.map(async (file) => {
            const uploaded = await transport.upload(file)
            if (!uploaded.ok) {
              set({
                ruleImports: [
                  { name: file.name, result: null, error: uploaded.error.message },
                  ...get().ruleImports,
                ],
              })
              return
            }
            await importOne(file.name, {
              upload_id: uploaded.value.upload_id,
              name: file.name,
              enabled: true,
            })
          }),
        )
      },

      async testRule() {
        const editor = get().ruleEditor
        if (!editor) return
        // The stored rule when unchanged; else the text in the editor, as it stands.
        const req: CallReq<'rules:test'> =
          editor.key !== null && !editorDirty(editor)
            ? { key: editor.key, limit: 1_000_000 }
            : { text: editor.text, limit: 1_000_000 }
        set({ ruleTestId: null, ruleTest: null, ruleTestError: null })
        testStarting = true
        const result = await transport.invoke('rules:test', req)
        testStarting = false
        if (!result.ok) return set({ ruleTestError: result.error.message })
        const pushed = get().ruleTest
        set({
          ruleTestId: result.value.test_id,
          // A push may have beaten the answer (it was held in ruleTest with no id to match).
          ruleTest: pushed?.test_id === result.value.test_id ? pushed : null,
        })
      },

      async cancelRuleTest() {
        const id = get().ruleTestId
        if (id === null) return
        const result = await transport.invoke('rules:test-cancel', { test_id: id })
        if (!result.ok) return set({ ruleTestError: result.error.message })
        if (get().ruleTestId === id) set({ ruleTest: result.value.test })
      },

      ruleTestProgress(test) {
        const id = get().ruleTestId
        // Before the answer names our test, keep the newest push; the answer picks it up if it is ours.
        if (id === test.test_id || (id === null && testStarting)) set({ ruleTest: test })
      },
    }
  }

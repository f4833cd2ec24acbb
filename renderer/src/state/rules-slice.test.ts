import { describe, expect, it, vi } from 'vitest'
import type { CallName, Result, RuleSummary, RuleTest } from '../../../collector/contract'
import type { Transport } from '../transport'
import { editorValid } from './rules-slice'
import { createAppStore } from './store'

const rule = (n: number, patch: Partial<RuleSummary> = {}): RuleSummary => ({
  key: `k-${n}`,
  id: `k-${n}`,
  kind: 'detection',
  title: `Rule ${n}`,
  level: 'high',
  status: 'test',
  tags: [],
  author: 'Florian Roth',
  license: 'DRL-1.1',
  logsource: 'windows/process_creation',
  file: `sigma/rule-${n}.yml`,
  folder: 'sigma',
  origin: 'imported',
  enabled: true,
  hits: 0,
  last_hit: null,
  ...patch,
})

const test = (patch: Partial<RuleTest> = {}): RuleTest => ({
  test_id: 't-1',
  state: 'running',
  scanned: 10,
  total: 100,
  matches: 1,
  results: [],
  error: null,
  seconds: 0.1,
  ...patch,
})

type Call = { name: CallName; req: unknown; answer: (r: Result<unknown>) => void }

/** Answers the test hands out when it chooses; `auto` answers some calls at once. */
const fakeTransport = (kind: 'ipc' | 'http' = 'http', auto: Partial<Record<CallName, unknown>> = {}) => {
  const calls: Call[] = []
  const uploads: string[] = []
  const transport: Transport = {
    kind,
    invoke: (name, req) =>
      new Promise((resolve) => {
        const call = { name, req, answer: resolve as (r: Result<unknown>) => void }
        calls.push(call)
        if (name in auto) call.answer({ ok: true, value: auto[name] })
      }),
    on: () => () => {},
    onConnection: () => () => {},
    upload: (file) => {
      uploads.push(file.name)
      return Promise.resolve({ ok: true, value: { upload_id: `up-${file.name}` } })
    },
    pathForFile: (file) => (kind === 'ipc' ? `/home/op/${file.name}` : null),
  }
  const named = (name: CallName) => calls.filter((c) => c.name === name)
  return { transport, calls, uploads, named }
}

const list = (rules: RuleSummary[], total = rules.length) => ({ rules, total, folders: [], problems: [] })

describe('rules slice', () => {
  it('pages rules:list until it holds every rule the filter matches', async () => {
    const { transport, calls } = fakeTransport()
    const store = createAppStore(transport)
    const loading = store.getState().setRulesFilter({ folder: 'sigma', query: ' mimikatz ' })
    calls[0]!.answer({ ok: true, value: list([rule(1), rule(2)], 3) })
    await Promise.resolve()
    await Promise.resolve()
    calls[1]!.answer({ ok: true, value: list([rule(3)], 3) })
    await loading
    expect(calls.map((c) => c.req)).toEqual([
      { limit: 5000, offset: 0, query: 'mimikatz', folder: 'sigma' },
      { limit: 5000, offset: 2, query: 'mimikatz', folder: 'sigma' },
    ])
    expect(store.getState().rules.map((r) => r.key)).toEqual(['k-1', 'k-2', 'k-3'])
  })

  it('toggles rules at once and rolls back when the core refuses', async () => {
    const { transport, calls } = fakeTransport()
    const store = createAppStore(transport)
    const loading = store.getState().loadRules()
    calls[0]!.answer({ ok: true, value: list([rule(1), rule(2)]) })
    await loading
    const toggling = store.getState().setRulesEnabled(['k-2'], false)
    expect(store.getState().rules.map((r) => r.enabled)).toEqual([true, false])
    expect(calls[1]!.req).toEqual({ keys: ['k-2'], enabled: false })
    calls[1]!.answer({ ok: false, error: { code: 'internal', message: 'disk full' } })
    await toggling
    expect(store.getState().rules.map((r) => r.enabled)).toEqual([true, true])
    expect(store.getState().rulesError).toBe('disk full')
  })

  it('enables a whole folder by folder, but what a text search shows by keys', async () => {
    const { transport, named } = fakeTransport('http', {
      'rules:list': list([rule(1, { enabled: false }), rule(2, { enabled: false })]),
      'rules:set-enabled': { changed: 2 },
    })
    const store = createAppStore(transport)
    await store.getState().setRulesFilter({ folder: 'sigma/windows' })
    await store.getState().setShownRulesEnabled(true)
    await store.getState().setRulesFilter({ query: 'psexec' })
    await store.getState().setShownRulesEnabled(false)
    expect(named('rules:set-enabled').map((c) => c.req)).toEqual([
      { enabled: true, folder: 'sigma/windows' },
      { keys: ['k-1', 'k-2'], enabled: false },
    ])
  })

  it('refuses to save while the text has problems, saves once they are fixed', async () => {
    const { transport, calls, named } = fakeTransport('http', { 'rules:list': list([]) })
    const store = createAppStore(transport)
    store.getState().newRule()
    const broken = 'title: x\ndetection:\n  sel:\n    a: 1\n  condition: selection\n'
    store.getState().editRuleText(broken)
    // The template's validation answers late: it must not count for the edited text.
    calls[0]!.answer({
      ok: true,
      value: { rules: [{ title: 'New rule', id: null, kind: 'detection' }], problems: [] },
    })
    await Promise.resolve()
    const saving = store.getState().saveRule()
    const problem = { file: '(editor)', line: 5, kind: 'invalid', reason: 'condition: unknown selection' }
    named('rules:validate')
      .at(-1)!
      .answer({ ok: true, value: { rules: [], problems: [problem] } })
    expect(await saving).toBe(false)
    expect(named('rules:save')).toHaveLength(0)
    expect(store.getState().ruleEditor?.validation?.problems).toEqual([problem])
    expect(store.getState().ruleEditor?.error).toMatch(/Fix the problems/)

    const fixed = broken.replace('condition: selection', 'condition: sel')
    store.getState().editRuleText(fixed)
    const validating = store.getState().validateRuleText()
    named('rules:validate')
      .at(-1)!
      .answer({
        ok: true,
        value: { rules: [{ title: 'x', id: null, kind: 'detection' }], problems: [] },
      })
    await validating
    expect(editorValid(store.getState().ruleEditor!)).toBe(true)
    const saved = store.getState().saveRule()
    expect(named('rules:save').at(-1)!.req).toEqual({ text: fixed, enabled: true })
    named('rules:save')
      .at(-1)!
      .answer({
        ok: true,
        value: { file: 'user/x.yml', rules: [rule(9, { file: 'user/x.yml', origin: 'user' })] },
      })
    expect(await saved).toBe(true)
    expect(store.getState().ruleEditor).toMatchObject({ file: 'user/x.yml', key: 'k-9', savedText: fixed })

    // Switched off in the list meanwhile, then saved again: the same file, still off.
    store.setState({ rules: [rule(9, { file: 'user/x.yml', origin: 'user', enabled: false })] })
    const edited = fixed + '# off for now\n'
    store.getState().editRuleText(edited)
    const again = store.getState().saveRule()
    named('rules:validate')
      .at(-1)!
      .answer({
        ok: true,
        value: { rules: [{ title: 'x', id: null, kind: 'detection' }], problems: [] },
      })
    await vi.waitFor(() => expect(named('rules:save')).toHaveLength(2))
    expect(named('rules:save')[1]!.req).toEqual({ text: edited, enabled: false, file: 'user/x.yml' })
    named('rules:save')[1]!.answer({ ok: true, value: { file: 'user/x.yml', rules: [rule(9)] } })
    expect(await again).toBe(true)
  })

  it('imports uploads in the browser and paths on the desktop, keeping each result', async () => {
    const result = { files: 2, loaded: 1, invalid: 1, unsupported: 0, problems: [], folder: 'imported/x' }
    const browser = fakeTransport('http', { 'rules:import': result })
    const store = createAppStore(browser.transport)
    await store.getState().importRuleFiles([new File(['x'], 'rules.zip')])
    expect(browser.uploads).toEqual(['rules.zip'])
    expect(browser.named('rules:import')[0]!.req).toEqual({
      upload_id: 'up-rules.zip',
      name: 'rules.zip',
      enabled: true,
    })
    expect(store.getState().ruleImports).toEqual([{ name: 'rules.zip', result, error: null }])

    const desktop = fakeTransport('ipc', { 'rules:import': result })
    await createAppStore(desktop.transport)
      .getState()
      .importRuleFiles([new File(['x'], 'a.yml')])
    expect(desktop.uploads).toEqual([])
    expect(desktop.named('rules:import')[0]!.req).toEqual({ paths: ['/home/op/a.yml'], enabled: true })
  })

  it('imports the folders the desktop dialog picks', async () => {
    const result = { files: 3, loaded: 3, invalid: 0, unsupported: 0, problems: [], folder: 'rules' }
    const desktop = fakeTransport('ipc', {
      'dialog:open': { paths: ['/opt/sigma/rules'] },
      'rules:import': result,
    })
    await createAppStore(desktop.transport).getState().chooseRulesToImport(true)
    expect(desktop.named('dialog:open')[0]!.req).toMatchObject({ directory: true, multiple: true })
    expect(desktop.named('rules:import')[0]!.req).toEqual({ paths: ['/opt/sigma/rules'], enabled: true })
  })

  it('follows its own test from pushes, including one that beats the answer, and ignores others', async () => {
    const { transport, calls } = fakeTransport()
    const store = createAppStore(transport)
    store.getState().newRule()
    const testing = store.getState().testRule()
    expect(calls[1]!.name).toBe('rules:test')
    expect(calls[1]!.req).toMatchObject({ text: store.getState().ruleEditor!.text })
    store.getState().ruleTestProgress(test({ scanned: 5 }))
    calls[1]!.answer({ ok: true, value: { test_id: 't-1' } })
    await testing
    expect(store.getState().ruleTest?.scanned).toBe(5)
    store.getState().ruleTestProgress(test({ test_id: 't-other', scanned: 99 }))
    store.getState().ruleTestProgress(test({ state: 'done', scanned: 100, matches: 3 }))
    expect(store.getState().ruleTest).toMatchObject({ state: 'done', scanned: 100, matches: 3 })
    store.getState().closeRule()
    expect(calls.map((c) => c.name)).not.toContain('rules:test-cancel') // it had finished

    store.getState().newRule()
    const second = store.getState().testRule()
    calls.at(-1)!.answer({ ok: true, value: { test_id: 't-2' } })
    await second
    store.getState().ruleTestProgress(test({ test_id: 't-2' }))
    store.getState().closeRule()
    expect(calls.at(-1)).toMatchObject({ name: 'rules:test-cancel', req: { test_id: 't-2' } })
    expect(store.getState().ruleTest).toBeNull()
  })

  it('reloads on rules:changed once per burst, and only once the list was wanted', async () => {
    vi.useFakeTimers()
    try {
      const { transport, named } = fakeTransport('http', { 'rules:list': list([rule(1)]) })
      const store = createAppStore(transport)
      store.getState().rulesChanged()
      await vi.advanceTimersByTimeAsync(500)
      expect(named('rules:list')).toHaveLength(0) // the Rules view was never opened
      await store.getState().loadRules()
      for (let i = 0; i < 5; i++) store.getState().rulesChanged()
      await vi.advanceTimersByTimeAsync(500)
      expect(named('rules:list')).toHaveLength(2)
    } finally {
      vi.useRealTimers()
    }
  })

  it('refreshes hit counts after raised alerts only while the Rules view watches', async () => {
    vi.useFakeTimers()
    try {
      const { transport, named } = fakeTransport('http', { 'rules:list': list([rule(1)]) })
      const store = createAppStore(transport)
      store.getState().ruleHitsChanged()
      await vi.advanceTimersByTimeAsync(5000)
      expect(named('rules:list')).toHaveLength(0)
      store.getState().watchRuleHits(true)
      for (let i = 0; i < 20; i++) store.getState().ruleHitsChanged()
      await vi.advanceTimersByTimeAsync(5000)
      expect(named('rules:list')).toHaveLength(1)
      store.getState().ruleHitsChanged()
      store.getState().watchRuleHits(false) // left the view before the refresh was due
      await vi.advanceTimersByTimeAsync(5000)
      expect(named('rules:list')).toHaveLength(1)
    } finally {
      vi.useRealTimers()
    }
  })
})

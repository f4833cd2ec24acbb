import { describe, expect, it } from 'vitest'
import type { Report } from '../../../collector/contract'
import { fakeTransport } from './fake-transport'
import { errorField, nextStatuses } from './reports-slice'
import { createAppStore } from './store'

const report = (patch: Partial<Report> = {}): Report => ({
  seq: 1,
  id: 'r-1',
  title: 'APT notes',
  body: '# Hello',
  status: 'draft',
  tlp: 'amber',
  author: 'analyst',
  techniques: [],
  labels: [],
  observables: [],
  operation_id: null,
  incidents: [],
  assets: [],
  version: 1,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  ...patch,
})

const listed = { ok: true, value: { reports: [], total: 0 } } as const

describe('reports slice', () => {
  it('lists with the query and status filters', async () => {
    const { transport, named } = fakeTransport({ 'reports:list': () => listed })
    const store = createAppStore(transport)
    await store.getState().setReportsFilter({ query: ' apt ', status: 'review' })
    expect(named('reports:list').map((c) => c.req)).toEqual([{ limit: 1000, query: 'apt', status: 'review' }])
  })

  it('creates a new report from the draft, dropping empty observable rows', async () => {
    const { transport, named } = fakeTransport({
      'reports:create': () => ({ ok: true, value: { report: report({ title: 'New' }) } }),
      'reports:list': () => listed,
    })
    const store = createAppStore(transport)
    store.getState().newReport()
    store.getState().editReport({ title: 'New', tlp: 'red' })
    store.getState().addObservable()
    store.getState().editObservable(0, { type: 'ipv4', value: ' 10.0.0.1 ' })
    store.getState().addObservable()
    expect(store.getState().addTechnique('t1059.001')).toBe(true)
    expect(await store.getState().saveReport()).toBe(true)
    expect(named('reports:create')[0]!.req).toEqual({
      title: 'New',
      body: '',
      tlp: 'red',
      labels: [],
      techniques: ['T1059.001'],
      observables: [{ type: 'ipv4', value: '10.0.0.1' }],
      operation_id: null,
      incidents: [],
      assets: [],
    })
    expect(store.getState().reportDraft).toMatchObject({ id: 'r-1', version: 1, dirty: false })
  })

  it('sends links trimmed and puts a refused link beside its field', async () => {
    const { transport, named } = fakeTransport({
      'reports:get': () => ({ ok: true, value: { report: report() } }),
      'reports:update': () => ({
        ok: false,
        error: { code: 'not_found', message: 'incidents.0: no incident with id inc-9 (see incidents:list)' },
      }),
    })
    const store = createAppStore(transport)
    await store.getState().openReport('r-1')
    store.getState().editReport({ operation_id: 'op-1', incidents: ['inc-9'], assets: [' host:ws01', ' '] })
    expect(await store.getState().saveReport()).toBe(false)
    expect(named('reports:update')[0]!.req).toMatchObject({
      operation_id: 'op-1',
      incidents: ['inc-9'],
      assets: ['host:ws01'],
    })
    expect(store.getState().reportDraft?.fieldErrors.incidents).toMatch(/no incident with id inc-9/)
  })

  it('refuses a technique that is not an ATT&CK id, next to the techniques', () => {
    const store = createAppStore(fakeTransport({}).transport)
    store.getState().newReport()
    expect(store.getState().addTechnique('T59')).toBe(false)
    expect(store.getState().reportDraft?.techniques).toEqual([])
    expect(store.getState().reportDraft?.fieldErrors.techniques).toMatch(/not an ATT&CK technique id/)
  })

  it('keeps the draft on a conflict and says to reload', async () => {
    const { transport, named } = fakeTransport({
      'reports:get': () => ({ ok: true, value: { report: report({ version: 3 }) } }),
      'reports:update': () => ({ ok: false, error: { code: 'conflict', message: 'version 4 is stored' } }),
    })
    const store = createAppStore(transport)
    await store.getState().openReport('r-1')
    store.getState().editReport({ body: 'mine' })
    expect(await store.getState().saveReport()).toBe(false)
    expect(named('reports:update')[0]!.req).toMatchObject({ id: 'r-1', version: 3, body: 'mine' })
    expect(store.getState().reportDraft).toMatchObject({ body: 'mine', conflict: true, dirty: true })
    expect(store.getState().reportDraft?.error).toMatch(/newer version: reload/)
  })

  it('puts an observable error next to the row it names', async () => {
    const message = 'reports:update: observables.1 (ipv4 "999.1.1.1"): not an IPv4 address'
    const { transport } = fakeTransport({
      'reports:get': () => ({ ok: true, value: { report: report() } }),
      'reports:update': () => ({ ok: false, error: { code: 'invalid_request', message } }),
    })
    const store = createAppStore(transport)
    await store.getState().openReport('r-1')
    await store.getState().saveReport()
    expect(store.getState().reportDraft?.fieldErrors).toEqual({ 'observables.1': message })
    expect(store.getState().reportDraft?.error).toBeNull()
  })

  it('names the row on screen when empty rows before it were not sent', async () => {
    const message = 'reports:create: observables.0 (ipv4 "nope"): not an IPv4 address'
    const { transport, named } = fakeTransport({
      'reports:create': () => ({ ok: false, error: { code: 'invalid_request', message } }),
    })
    const store = createAppStore(transport)
    store.getState().newReport()
    store.getState().editReport({ title: 'T' })
    store.getState().addObservable()
    store.getState().addObservable()
    store.getState().editObservable(1, { value: 'nope' })
    await store.getState().saveReport()
    expect(named('reports:create')[0]!.req).toMatchObject({ observables: [{ type: 'ipv4', value: 'nope' }] })
    expect(store.getState().reportDraft?.fieldErrors).toEqual({ 'observables.1': message })
  })

  it('moves status with the version and only offers transitions that may follow', async () => {
    const { transport, named } = fakeTransport({
      'reports:get': () => ({ ok: true, value: { report: report({ version: 2 }) } }),
      'reports:update': () => ({ ok: true, value: { report: report({ version: 3, status: 'review' }) } }),
      'reports:list': () => listed,
    })
    const store = createAppStore(transport)
    await store.getState().openReport('r-1')
    expect(await store.getState().setReportStatus('review')).toBe(true)
    expect(named('reports:update')[0]!.req).toEqual({ id: 'r-1', version: 2, status: 'review' })
    expect(store.getState().reportDraft).toMatchObject({ status: 'review', version: 3 })
    expect(nextStatuses('draft')).toEqual(['review'])
    expect(nextStatuses('review')).toEqual(['published', 'draft'])
    expect(nextStatuses('published')).toEqual(['draft'])
  })

  it('collects technique ids from recent alerts, once each', async () => {
    const alert = (techniques: string[]) => ({ techniques })
    const { transport } = fakeTransport({
      'alerts:list': () => ({
        ok: true,
        value: { alerts: [alert(['T1059.001', 'T1003']), alert(['T1003', 'bogus'])], total: 2 },
      }),
      'attack:techniques': () => ({ ok: true, value: { names: { T1003: 'OS Credential Dumping' } } }),
    })
    const store = createAppStore(transport)
    store.getState().newReport()
    await store.getState().loadAlertTechniques()
    expect(store.getState().alertTechniques).toEqual(['T1059.001', 'T1003'])
    expect(store.getState().techniqueNames).toEqual({ T1003: 'OS Credential Dumping' })
  })

  it('names the field an error message concerns', () => {
    expect(errorField('reports:create: title: a title is required')).toBe('title')
    expect(errorField('x: observables.12 (sha256 "ab"): not 64 hex digits')).toBe('observables.12')
    expect(errorField('something else')).toBeNull()
  })

  it('exports on the desktop through the save dialog, to the path chosen', async () => {
    const exported = {
      name: 'apt.pdf',
      media_type: 'application/pdf',
      bytes: 10,
      sha256: 'ab',
      content_base64: null,
    }
    const { transport, named } = fakeTransport(
      {
        'reports:get': () => ({ ok: true, value: { report: report() } }),
        'dialog:save': () => ({ ok: true, value: { path: '/home/op/apt.pdf' } }),
        'reports:export': () => ({ ok: true, value: { ...exported, path: '/home/op/apt.pdf' } }),
      },
      'ipc',
    )
    const store = createAppStore(transport)
    await store.getState().openReport('r-1')
    await store.getState().exportReport('pdf')
    expect(named('dialog:save')[0]!.req).toMatchObject({ default_name: 'APT notes.pdf' })
    expect(named('reports:export')[0]!.req).toEqual({ id: 'r-1', format: 'pdf', path: '/home/op/apt.pdf' })
    expect(store.getState().reportExport).toMatchObject({
      state: 'done',
      result: { name: 'apt.pdf', sha256: 'ab' },
    })
  })

  it('shows why an export failed (PDF without Chromium)', async () => {
    const { transport } = fakeTransport({
      'reports:get': () => ({ ok: true, value: { report: report() } }),
      'reports:export': () => ({ ok: false, error: { code: 'unsupported', message: 'PDF needs Chromium' } }),
    })
    const store = createAppStore(transport)
    await store.getState().openReport('r-1')
    await store.getState().exportReport('pdf')
    expect(store.getState().reportExport).toMatchObject({ state: 'failed', error: 'PDF needs Chromium' })
  })

  it('an export cancelled from the tray leaves no error behind (its task toasts it)', async () => {
    const { transport } = fakeTransport({
      'reports:get': () => ({ ok: true, value: { report: report() } }),
      'reports:export': () => ({
        ok: false,
        error: { code: 'cancelled', message: 'reports:export: cancelled; no file was left behind' },
      }),
    })
    const store = createAppStore(transport)
    await store.getState().openReport('r-1')
    await store.getState().exportReport('pdf')
    expect(store.getState().reportExport).toBeNull()
    expect(store.getState().toasts).toEqual([])
  })

  it('a cancelled save dialog exports nothing', async () => {
    const { transport, named } = fakeTransport(
      {
        'reports:get': () => ({ ok: true, value: { report: report() } }),
        'dialog:save': () => ({ ok: true, value: { path: null } }),
      },
      'ipc',
    )
    const store = createAppStore(transport)
    await store.getState().openReport('r-1')
    await store.getState().exportReport('stix')
    expect(named('reports:export')).toEqual([])
    expect(store.getState().reportExport).toBeNull()
  })

  it('loads the history on demand, shows one version whole, and refreshes it after a save', async () => {
    const v = (version: number, body: string | null = null) => ({
      version,
      title: 'APT notes',
      status: 'draft' as const,
      tlp: 'amber' as const,
      saved_at: '2026-01-01T00:00:00Z',
      actor: 'analyst',
      body,
    })
    let saved = 1
    const { transport, named } = fakeTransport({
      'reports:get': () => ({ ok: true, value: { report: report() } }),
      'reports:list': () => listed,
      'reports:update': () => ({ ok: true, value: { report: report({ version: ++saved }) } }),
      'reports:versions': (req) => {
        const asked = (req as { version?: number }).version
        if (asked) return { ok: true, value: { versions: [v(asked, 'the body')] } }
        return { ok: true, value: { versions: Array.from({ length: saved }, (_, i) => v(saved - i)) } }
      },
    })
    const store = createAppStore(transport)
    await store.getState().openReport('r-1')
    expect(store.getState().reportVersions).toBeNull()
    await store.getState().loadReportVersions()
    expect(store.getState().reportVersions?.map((x) => x.version)).toEqual([1])
    await store.getState().showReportVersion(1)
    expect(store.getState().reportVersionShown?.body).toBe('the body')
    store.getState().editReport({ body: 'more' })
    expect(await store.getState().saveReport()).toBe(true)
    expect(store.getState().reportVersions?.map((x) => x.version)).toEqual([2, 1])
    expect(named('reports:versions')).toHaveLength(3)
    store.getState().closeReport()
    expect(store.getState().reportVersions).toBeNull()
  })
})

import { describe, expect, it } from 'vitest'
import type { CallName, CallRes, Evidence, Incident, Result } from '../../../collector/contract'
import type { Transport } from '../transport'
import { nextIncidentStatuses } from './incidents-slice'
import { createAppStore } from './store'

const incident = (patch: Partial<Incident> = {}): Incident => ({
  seq: 1,
  id: 'inc-1',
  title: 'Whoami on ws-1',
  description: '',
  severity: 'high',
  status: 'new',
  created_at: '2026-11-22T10:00:00Z',
  updated_at: '2026-11-22T10:00:00Z',
  first_timestamp: '2026-11-22T10:00:00Z',
  last_timestamp: '2026-11-22T10:00:00Z',
  group: {},
  alert_count: 1,
  origin: 'analyst',
  techniques: [],
  assignee: null,
  tlp: 'amber',
  pap: 'amber',
  operation_id: null,
  ...patch,
})

const evidence: Evidence = {
  id: 'ev-1',
  incident_id: 'inc-1',
  name: 'notes.txt',
  media_type: 'text/plain',
  size: 3,
  sha256: 'b'.repeat(64),
  note: null,
  actor: 'alice',
  added_at: '2026-11-22T10:05:00Z',
}

const detail = (patch: Partial<Incident> = {}): CallRes<'incidents:get'> => ({
  incident: incident(patch),
  alerts: [],
  comments: [],
  observables: [],
  evidence: [],
  timeline: [],
  removed: [],
})

type Call = { name: CallName; req: unknown }

const fakeTransport = (
  answers: Partial<Record<CallName, (req: unknown) => Result<unknown>>>,
  options: { pathForFile?: (file: File) => string | null } = {},
) => {
  const calls: Call[] = []
  const uploads: string[] = []
  const transport: Transport = {
    kind: 'http',
    invoke: (name, req) => {
      calls.push({ name, req })
      const answer = answers[name]
      return Promise.resolve(
        (answer ? answer(req) : { ok: false, error: { code: 'unknown_call', message: name } }) as never,
      )
    },
    on: () => () => {},
    onConnection: () => () => {},
    upload: (file) => {
      uploads.push(file.name)
      return Promise.resolve({ ok: true, value: { upload_id: 'up-1' } })
    },
    pathForFile: options.pathForFile ?? (() => null),
  }
  return { transport, uploads, named: (name: CallName) => calls.filter((c) => c.name === name) }
}

const ok = <T>(value: T) => ({ ok: true, value }) as const

describe('incidents slice', () => {
  it('offers only legal status moves: forward, or a closed case back to triage', () => {
    expect(nextIncidentStatuses('new')).toEqual(['new', 'triage', 'contained', 'eradicated', 'closed'])
    expect(nextIncidentStatuses('contained')).toEqual(['contained', 'eradicated', 'closed'])
    expect(nextIncidentStatuses('closed')).toEqual(['closed', 'triage'])
  })

  it('lists with the filters it was given, trimmed, and only those set', async () => {
    const { transport, named } = fakeTransport({
      'incidents:list': () => ok({ incidents: [incident()] }),
    })
    const store = createAppStore(transport)
    await store.getState().loadCases()
    await store.getState().setCasesFilter({ query: ' whoami ', status: 'triage', assignee: 'bob' })
    expect(named('incidents:list').map((c) => c.req)).toEqual([
      { limit: 500 },
      { limit: 500, query: 'whoami', status: 'triage', assignee: 'bob' },
    ])
    expect(store.getState().cases.map((c) => c.id)).toEqual(['inc-1'])
  })

  it('opens a case, keeps a refused status move beside the status field, and clears it on success', async () => {
    let refuse = true
    const { transport, named } = fakeTransport({
      'incidents:get': () => ok(detail()),
      'incidents:update': (req) =>
        refuse
          ? { ok: false, error: { code: 'invalid_request', message: 'a closed incident cannot go back' } }
          : ok({ incident: incident(req as Partial<Incident>) }),
    })
    const store = createAppStore(transport)
    await store.getState().openCase('inc-1')
    expect(store.getState().caseDetail?.incident.id).toBe('inc-1')
    expect(await store.getState().updateCase({ status: 'triage' })).toBe(false)
    expect(store.getState().caseErrors).toEqual({ status: 'a closed incident cannot go back' })
    refuse = false
    expect(await store.getState().updateCase({ status: 'triage' })).toBe(true)
    expect(store.getState().caseErrors).toEqual({})
    expect(await store.getState().updateCase({ operation_id: 'op-1' })).toBe(true)
    expect(named('incidents:update').map((c) => c.req)).toEqual([
      { id: 'inc-1', status: 'triage' },
      { id: 'inc-1', status: 'triage' },
      { id: 'inc-1', operation_id: 'op-1' },
    ])
  })

  it('removes an observable and retracts a comment of the open case; a refusal shows beside its part', async () => {
    let refuse = true
    const { transport, named } = fakeTransport({
      'incidents:get': () => ok(detail()),
      'incidents:unobserve': () =>
        refuse
          ? { ok: false, error: { code: 'not_found', message: 'incident inc-1 has no observable ipv4' } }
          : ok({ removal: {} }),
      'incidents:retract': () => ok({ comment: {} }),
    })
    const store = createAppStore(transport)
    await store.getState().openCase('inc-1')
    expect(await store.getState().unobserveCase('ipv4', '10.0.0.1')).toBe(false)
    expect(store.getState().caseErrors).toEqual({ observable: 'incident inc-1 has no observable ipv4' })
    refuse = false
    expect(await store.getState().unobserveCase('ipv4', '10.0.0.1')).toBe(true)
    expect(store.getState().caseErrors).toEqual({})
    expect(await store.getState().retractComment('c-1')).toBe(true)
    expect(named('incidents:unobserve').map((c) => c.req)).toEqual([
      { id: 'inc-1', type: 'ipv4', value: '10.0.0.1' },
      { id: 'inc-1', type: 'ipv4', value: '10.0.0.1' },
    ])
    expect(named('incidents:retract').map((c) => c.req)).toEqual([{ id: 'inc-1', comment_id: 'c-1' }])
    // Each change reloads the case (the timeline gained an entry).
    expect(named('incidents:get')).toHaveLength(3)
  })

  it('attaches by upload in the browser and by path on the desktop', async () => {
    const answers = {
      'incidents:get': () => ok(detail()),
      'incidents:attach': () => ok({ evidence }),
    }
    const browser = fakeTransport(answers)
    const store = createAppStore(browser.transport)
    await store.getState().openCase('inc-1')
    const file = new File(['abc'], 'notes.txt')
    expect(await store.getState().attachEvidence(file, ' from ws-1 ')).toBe(true)
    expect(browser.uploads).toEqual(['notes.txt'])
    expect(browser.named('incidents:attach').map((c) => c.req)).toEqual([
      { id: 'inc-1', upload_id: 'up-1', name: 'notes.txt', note: 'from ws-1' },
    ])
    expect(store.getState().evidenceUploading).toBeNull()

    const desktop = fakeTransport(answers, { pathForFile: () => '/home/alice/notes.txt' })
    const other = createAppStore(desktop.transport)
    await other.getState().openCase('inc-1')
    expect(await other.getState().attachEvidence(file)).toBe(true)
    expect(desktop.uploads).toEqual([])
    expect(desktop.named('incidents:attach').map((c) => c.req)).toEqual([
      { id: 'inc-1', path: '/home/alice/notes.txt', name: 'notes.txt' },
    ])
  })

  it('shows a refused attachment and a refused comment beside their forms', async () => {
    const { transport } = fakeTransport({
      'incidents:get': () => ok(detail()),
      'incidents:attach': () => ({
        ok: false,
        error: { code: 'invalid_request', message: 'big.bin is 9 bytes, over the evidence limit of 4 bytes' },
      }),
      'incidents:comment': () => ({
        ok: false,
        error: { code: 'invalid_request', message: 'a comment needs text' },
      }),
    })
    const store = createAppStore(transport)
    await store.getState().openCase('inc-1')
    expect(await store.getState().attachEvidence(new File(['123456789'], 'big.bin'))).toBe(false)
    expect(await store.getState().commentCase(' ')).toBe(false)
    expect(store.getState().caseErrors).toEqual({
      evidence: 'big.bin is 9 bytes, over the evidence limit of 4 bytes',
      comment: 'a comment needs text',
    })
  })

  it('reloads the shown case and the list when a push says the incident changed', async () => {
    let title = 'before'
    const { transport, named } = fakeTransport({
      'incidents:get': () => ok(detail({ title })),
      'incidents:list': () => ok({ incidents: [incident({ title })] }),
    })
    const store = createAppStore(transport)
    await store.getState().loadCases()
    await store.getState().openCase('inc-1')
    title = 'after'
    store.getState().incidentChanged('inc-1')
    store.getState().incidentChanged('inc-2')
    await new Promise((r) => setTimeout(r, 0))
    expect(store.getState().caseDetail?.incident.title).toBe('after')
    expect(store.getState().cases[0]?.title).toBe('after')
    expect(named('incidents:get')).toHaveLength(2) // inc-2 is not shown
    expect(named('incidents:list')).toHaveLength(2) // one reload for the burst
  })
})

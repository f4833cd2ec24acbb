import { describe, expect, it } from 'vitest'
import type { Mission, Operation } from '../../../collector/contract'
import { fakeTransport } from './fake-transport'
import { createAppStore } from './store'

const operation = (patch: Partial<Operation> = {}): Operation => ({
  seq: 1,
  id: 'op-1',
  name: 'Lantern',
  objective: '',
  status: 'planned',
  starts_at: null,
  ends_at: null,
  lead: null,
  classification: null,
  tlp: 'amber',
  missions: 0,
  open_missions: 0,
  overdue_missions: 0,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  ...patch,
})

const mission = (patch: Partial<Mission> = {}): Mission => ({
  seq: 1,
  id: 'm-1',
  operation_id: 'op-1',
  title: 'Sweep hosts',
  objective: '',
  assignee: null,
  priority: 'medium',
  due_at: null,
  status: 'todo',
  checklist: [
    { text: 'a', done: false },
    { text: 'b', done: false },
  ],
  incidents: [],
  assets: [],
  overdue: false,
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
  ...patch,
})

const base = {
  'operations:list': () => ({ ok: true, value: { operations: [operation()] } }) as const,
  'missions:list': () => ({ ok: true, value: { missions: [mission()] } }) as const,
} as const

describe('operations slice', () => {
  it('loads operations, selects one and loads its missions', async () => {
    const { transport, named } = fakeTransport(base)
    const store = createAppStore(transport)
    await store.getState().loadOperations()
    expect(store.getState().operations.map((o) => o.id)).toEqual(['op-1'])
    await store.getState().selectOperation('op-1')
    expect(named('missions:list').map((c) => c.req)).toEqual([{ operation_id: 'op-1', limit: 5000 }])
    expect(store.getState().missions.map((m) => m.id)).toEqual(['m-1'])
  })

  it('creates a new operation, then updates the selected one; a refusal stays on the form', async () => {
    let refuse = false
    const { transport, named } = fakeTransport({
      ...base,
      'operations:create': () => ({ ok: true, value: { operation: operation({ id: 'op-2' }) } }),
      'operations:update': () =>
        refuse
          ? { ok: false, error: { code: 'invalid_request', message: 'ends_at is before starts_at' } }
          : { ok: true, value: { operation: operation({ id: 'op-2' }) } },
    })
    const store = createAppStore(transport)
    store.getState().newOperation()
    expect(await store.getState().saveOperation({ name: 'Lantern', tlp: 'red' })).toBe(true)
    expect(named('operations:create').map((c) => c.req)).toEqual([{ name: 'Lantern', tlp: 'red' }])
    expect(store.getState().selectedOperationId).toBe('op-2')
    refuse = true
    expect(await store.getState().saveOperation({ ends_at: '2026-01-01T00:00:00.000Z' })).toBe(false)
    expect(named('operations:update').map((c) => c.req)).toEqual([
      { id: 'op-2', ends_at: '2026-01-01T00:00:00.000Z' },
    ])
    expect(store.getState().operationFormError).toBe('ends_at is before starts_at')
    expect(store.getState().missionFormError).toBeNull()
  })

  it('creates a mission, keeps its error apart, and changes status and checklist', async () => {
    const { transport, named } = fakeTransport({
      ...base,
      'missions:create': (req) =>
        (req as { title: string }).title
          ? { ok: true, value: { mission: mission() } }
          : { ok: false, error: { code: 'invalid_request', message: 'a title is required' } },
      'missions:update': (req) => ({
        ok: true,
        value: { mission: mission(req as Partial<Mission>) },
      }),
    })
    const store = createAppStore(transport)
    await store.getState().selectOperation('op-1')
    expect(await store.getState().createMission({ title: '' })).toBe(false)
    expect(store.getState().missionFormError).toBe('a title is required')
    expect(await store.getState().createMission({ title: 'Sweep hosts' })).toBe(true)
    expect(store.getState().missionFormError).toBeNull()
    await store.getState().setMissionStatus('m-1', 'done')
    expect(store.getState().missions[0]?.status).toBe('done')
    await store.getState().toggleChecklistItem('m-1', 1)
    expect(named('missions:update').at(-1)?.req).toEqual({
      id: 'm-1',
      checklist: [
        { text: 'a', done: false },
        { text: 'b', done: true },
      ],
    })
  })

  it("filters operations by query and status, and loads the chosen one's reports", async () => {
    const { transport, named } = fakeTransport({
      ...base,
      'reports:list': () => ({ ok: true, value: { reports: [], total: 0 } }) as const,
    })
    const store = createAppStore(transport)
    await store.getState().setOperationsFilter({ query: ' harbor ', status: 'active' })
    expect(named('operations:list').at(-1)?.req).toEqual({ limit: 1000, query: 'harbor', status: 'active' })
    await store.getState().loadOperationChoices()
    expect(named('operations:list').at(-1)?.req).toEqual({ limit: 1000 })
    expect(store.getState().operationChoices).toEqual([{ id: 'op-1', name: 'Lantern', status: 'planned' }])
    await store.getState().selectOperation('op-1')
    expect(named('reports:list').map((c) => c.req)).toEqual([{ operation_id: 'op-1', limit: 1000 }])
    expect(named('incidents:list').map((c) => c.req)).toEqual([{ operation_id: 'op-1', limit: 1000 }])
  })

  it('saves a mission edit, or keeps the refusal for the table', async () => {
    let refuse = false
    const { transport } = fakeTransport({
      ...base,
      'reports:list': () => ({ ok: true, value: { reports: [], total: 0 } }) as const,
      'missions:update': (req) =>
        refuse
          ? {
              ok: false,
              error: { code: 'invalid_request', message: 'missions:update: title: a title is required' },
            }
          : {
              ok: true,
              value: { mission: mission({ ...(req as object), checklist: [{ text: 'c', done: false }] }) },
            },
    })
    const store = createAppStore(transport)
    await store.getState().selectOperation('op-1')
    expect(await store.getState().editMission('m-1', { checklist: [{ text: 'c', done: false }] })).toBe(true)
    expect(store.getState().missions[0]?.checklist).toEqual([{ text: 'c', done: false }])
    refuse = true
    expect(await store.getState().editMission('m-1', { title: '' })).toBe(false)
    expect(store.getState().missionsError).toContain('title')
  })

  it('lists missions across operations with only the filters set', async () => {
    const { transport, named } = fakeTransport(base)
    const store = createAppStore(transport)
    await store.getState().setAllMissionsFilter({ query: ' sweep ', assignee: ' ', overdue: true })
    expect(named('missions:list').at(-1)?.req).toEqual({ limit: 5000, query: 'sweep', overdue: true })
    expect(store.getState().allMissions.map((m) => m.id)).toEqual(['m-1'])
  })
})

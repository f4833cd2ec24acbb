import { describe, expect, it } from 'vitest'
import type { AuditEntry, Task } from '../../../collector/contract'
import { fakeTransport } from './fake-transport'
import { connectStore, createAppStore } from './store'

const entry = (patch: Partial<AuditEntry>): AuditEntry => ({
  seq: 1,
  at: '2026-01-01T00:00:00Z',
  actor: 'bob',
  action: 'update',
  object_type: 'report',
  object_id: 'r-1',
  details: {},
  hash: 'h',
  ...patch,
})

describe('changes pushed as audit entries', () => {
  it('reload the lists already shown and an open report without edits, nothing else', async () => {
    const { transport, named, emit } = fakeTransport({
      'reports:list': () => ({ ok: true, value: { reports: [], total: 0 } }),
      'operations:list': () => ({ ok: true, value: { operations: [] } }),
    })
    const store = createAppStore(transport)
    connectStore(store, transport)
    emit('audit:appended', { entry: entry({}) })
    emit('audit:appended', { entry: entry({ object_type: 'operation', object_id: 'op-1' }) })
    expect(named('reports:list')).toHaveLength(0)
    expect(named('operations:list')).toHaveLength(0)

    await store.getState().loadReports()
    await store.getState().loadOperations()
    emit('audit:appended', { entry: entry({}) })
    emit('audit:appended', { entry: entry({ object_type: 'mission', object_id: 'm-1' }) })
    emit('audit:appended', { entry: entry({ object_type: 'token', object_id: 't-1' }) })
    expect(named('reports:list')).toHaveLength(2)
    expect(named('operations:list')).toHaveLength(2)
    emit('audit:appended', { entry: entry({ action: 'export' }) })
    expect(named('reports:list')).toHaveLength(2)
    expect(named('reports:get')).toHaveLength(0)
  })
})

describe('results said as toasts', () => {
  const task = (over: Partial<Task>): Task => ({
    id: 't1',
    kind: 'import',
    title: 'Import auth.log',
    state: 'running',
    progress: 0.5,
    phase: 'reading',
    cancellable: true,
    started_at: '2026-12-07T10:00:00.000Z',
    ended_at: null,
    message: null,
    ...over,
  })
  it("a task's end once, with the core's message; progress pushes say nothing", () => {
    const { transport, emit } = fakeTransport({})
    const store = createAppStore(transport)
    connectStore(store, transport)
    emit('tasks:changed', { task: task({}) })
    expect(store.getState().toasts).toEqual([])
    expect(store.getState().tasks).toHaveLength(1)
    const ended = { state: 'done', ended_at: '2026-12-07T10:00:05.000Z', progress: 1 } as const
    emit('tasks:changed', {
      task: task({ ...ended, message: 'Imported 10 events from auth.log, 2 rejected' }),
    })
    emit('tasks:changed', {
      task: task({ ...ended, message: 'Imported 10 events from auth.log, 2 rejected' }),
    })
    emit('tasks:changed', {
      task: task({ id: 't2', state: 'failed', ended_at: ended.ended_at, message: 'Import failed: auth.log' }),
    })
    emit('tasks:changed', {
      task: task({
        id: 't3',
        kind: 'export',
        state: 'cancelled',
        ended_at: ended.ended_at,
        message: 'Hunt export cancelled',
      }),
    })
    // The hunt export's own push no longer toasts: its task does.
    emit('hunt:export-progress', { export_id: 'e', phase: 'done', percentage: 100, rows: 1234 })
    expect(store.getState().toasts.map((t) => [t.kind, t.text])).toEqual([
      ['ok', 'Imported 10 events from auth.log, 2 rejected'],
      ['error', 'Import failed: auth.log'],
      ['info', 'Hunt export cancelled'],
    ])
    expect(store.getState().tasks.map((t) => [t.id, t.state])).toEqual([
      ['t3', 'cancelled'],
      ['t2', 'failed'],
      ['t1', 'done'],
    ])
    store.getState().pruneTasks(Date.parse(ended.ended_at) + 60_000)
    expect(store.getState().tasks).toEqual([])
  })

  it('cancel asks the core and shows what it answered; a refusal is a toast', async () => {
    let cancelled = 0
    const { transport } = fakeTransport({
      'tasks:cancel': (req) => {
        cancelled++
        const { id } = req as { id: string }
        return id === 't1'
          ? { ok: true, value: { task: task({ phase: 'cancelling' }) } }
          : { ok: false, error: { code: 'not_found', message: `tasks:cancel: no task with id ${id}` } }
      },
    })
    const store = createAppStore(transport)
    await store.getState().cancelTask('t1')
    expect(store.getState().tasks[0]).toMatchObject({ id: 't1', phase: 'cancelling' })
    await store.getState().cancelTask('zz')
    expect(cancelled).toBe(2)
    expect(store.getState().toasts.map((t) => t.text)).toEqual([
      'Cannot cancel: tasks:cancel: no task with id zz',
    ])
  })
})

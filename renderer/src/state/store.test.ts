import { describe, expect, it } from 'vitest'
import type { AuditEntry } from '../../../collector/contract'
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
  it('a finished import once, with what it imported; a finished or failed export', () => {
    const { transport, emit } = fakeTransport({})
    const store = createAppStore(transport)
    connectStore(store, transport)
    const job = {
      job_id: 'j1',
      file: '/var/log/auth.log',
      bytes_read: 10,
      bytes_total: 10,
      records: 12,
      imported: 10,
      rejected: 2,
    }
    emit('import:progress', { ...job, state: 'running' })
    expect(store.getState().toasts).toEqual([])
    emit('import:progress', { ...job, state: 'done' })
    emit('import:progress', { ...job, state: 'done' })
    emit('import:progress', { ...job, job_id: 'j2', state: 'failed' })
    emit('hunt:export-progress', { export_id: 'e', phase: 'done', percentage: 100, rows: 1234 })
    expect(store.getState().toasts.map((t) => [t.kind, t.text])).toEqual([
      ['ok', 'Imported 10 events from auth.log, 2 rejected'],
      ['error', 'Import failed: auth.log'],
      ['ok', 'Export written: 1,234 rows'],
    ])
  })
})

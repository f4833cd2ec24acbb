import { describe, expect, it } from 'vitest'
import type { ImportJob, RuleTest, Task } from '../contract'
import { OperationTasks } from './operation-tasks'
import { TaskRegistry } from './task-registry'

const setup = () => {
  const pushed: Task[] = []
  const cancelled: string[] = []
  const registry = new TaskRegistry({ publish: (task) => pushed.push(task), intervalMs: 0 })
  const ops = new OperationTasks(registry, {
    importJob: (id) => cancelled.push(`import ${id}`),
    ruleTest: (id) => cancelled.push(`test ${id}`),
    huntExport: (id) => cancelled.push(`export ${id}`),
  })
  return { pushed, cancelled, registry, ops, last: () => pushed.at(-1)! }
}

const job = (over: Partial<ImportJob>): ImportJob => ({
  job_id: 'j1',
  file: '/tmp/uploads/auth.log',
  bytes_read: 0,
  bytes_total: 1000,
  records: 0,
  imported: 0,
  rejected: 0,
  state: 'running',
  ...over,
})
const test = (over: Partial<RuleTest>): RuleTest => ({
  test_id: 't1',
  state: 'running',
  scanned: 0,
  total: 400,
  matches: 0,
  results: [],
  error: null,
  seconds: 0,
  ...over,
})

describe('OperationTasks', () => {
  it("an import job's pushes move its task; cancelling the task cancels the job", () => {
    const { ops, registry, cancelled, last } = setup()
    ops.importProgress(job({}))
    ops.importProgress(job({ bytes_read: 250 }))
    expect(last()).toMatchObject({
      kind: 'import',
      title: 'Import auth.log',
      progress: 0.25,
      state: 'running',
    })
    registry.cancel(last().id)
    expect(cancelled).toEqual(['import j1'])
    ops.importProgress(job({ bytes_read: 300, imported: 3000, state: 'cancelled' }))
    expect(last()).toMatchObject({
      state: 'cancelled',
      message: 'Import cancelled: auth.log; the 3,000 events read before stay stored',
    })
    // A job first seen ended (started before a restart of this bridge) makes no task.
    ops.importProgress(job({ job_id: 'j2', state: 'done' }))
    expect(registry.list()).toHaveLength(1)
  })

  it('a finished and a failed import say what happened', () => {
    const { ops, pushed } = setup()
    ops.importProgress(job({}))
    ops.importProgress(job({ state: 'done', imported: 10, rejected: 2 }))
    ops.importProgress(job({ job_id: 'j2' }))
    ops.importProgress(job({ job_id: 'j2', state: 'failed', summary: undefined }))
    expect(pushed.filter((t) => t.state !== 'running').map((t) => [t.state, t.message])).toEqual([
      ['done', 'Imported 10 events from auth.log, 2 rejected'],
      ['failed', 'Import failed: auth.log'],
    ])
  })

  it('a rule back-test: progress from scanned/total, cancel through the detector, the result said', () => {
    const { ops, registry, cancelled, last } = setup()
    ops.ruleTestProgress(test({ scanned: 100 }))
    expect(last()).toMatchObject({ kind: 'backtest', progress: 0.25, phase: 'scanning' })
    registry.cancel(last().id)
    expect(cancelled).toEqual(['test t1'])
    ops.ruleTestProgress(test({ scanned: 120, matches: 2, state: 'cancelled' }))
    expect(last()).toMatchObject({
      state: 'cancelled',
      message: 'Back-test cancelled: 2 matches in 120 events so far',
    })
    ops.ruleTestProgress(test({ test_id: 't2', total: 0 }))
    expect(last()).toMatchObject({ progress: null })
    ops.ruleTestProgress(test({ test_id: 't2', state: 'failed', error: 'the archive is closed' }))
    expect(last()).toMatchObject({ state: 'failed', message: 'Back-test failed: the archive is closed' })
  })

  it("a hunt export: DuckDB's percentage, -1 as indeterminate, cancel through the export id", () => {
    const { ops, registry, cancelled, last } = setup()
    const task = ops.exportStarted('e1', 'csv')
    expect(last()).toMatchObject({ title: 'Hunt export (CSV)', phase: 'selecting' })
    ops.exportProgress({ export_id: 'e1', phase: 'selecting', percentage: 40, rows: 0 })
    expect(last()).toMatchObject({ progress: 0.4 })
    ops.exportProgress({ export_id: 'e1', phase: 'writing', percentage: -1, rows: 9 })
    expect(last()).toMatchObject({ progress: null, phase: 'writing' })
    ops.exportProgress({ export_id: 'other', phase: 'writing', percentage: 90, rows: 9 })
    expect(last().progress).toBeNull()
    expect(ops.exportTask('e1')?.id).toBe(task.id)
    registry.cancel(task.id)
    expect(cancelled).toEqual(['export e1'])
    ops.exportEnded('e1')
    expect(ops.exportTask('e1')).toBeUndefined()
  })
})

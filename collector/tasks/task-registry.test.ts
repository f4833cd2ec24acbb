import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import type { Task } from '../contract'
import { MAX_FINISHED_KEPT, TaskCancelledError, TaskRegistry } from './task-registry'

describe('TaskRegistry', () => {
  let pushed: Task[]
  let registry: TaskRegistry
  beforeEach(() => {
    vi.useFakeTimers({ now: Date.UTC(2026, 11, 7) })
    pushed = []
    registry = new TaskRegistry({ publish: (task) => pushed.push(task) })
  })
  afterEach(() => vi.useRealTimers())

  it('pushes a start at once, then progress at most 4 times a second, the latest value last', () => {
    const task = registry.start({ kind: 'import', title: 'Import auth.log' })
    expect(pushed).toHaveLength(1)
    expect(pushed[0]).toMatchObject({ state: 'running', progress: null, cancellable: true })
    // 100 updates within one second.
    for (let i = 1; i <= 100; i++) {
      task.progress(i / 100, 'reading')
      vi.advanceTimersByTime(10)
    }
    vi.advanceTimersByTime(300)
    const progress = pushed.slice(1)
    expect(progress.length).toBeGreaterThanOrEqual(3)
    expect(progress.length).toBeLessThanOrEqual(6)
    expect(progress.at(-1)).toMatchObject({ progress: 1, phase: 'reading' })
  })

  it('clamps progress to 0–1 and pushes the end at once, with no stray progress after it', () => {
    const task = registry.start({ kind: 'export', title: 'Hunt export (CSV)' })
    task.progress(0.2)
    task.progress(7)
    task.done('Export written: 10 rows')
    vi.advanceTimersByTime(1000)
    expect(pushed.at(-1)).toMatchObject({ state: 'done', progress: 1, message: 'Export written: 10 rows' })
    expect(pushed.filter((t) => t.state === 'running').every((t) => (t.progress ?? 0) <= 1)).toBe(true)
    const count = pushed.length
    task.progress(0.5)
    task.fail('late')
    vi.advanceTimersByTime(1000)
    expect(pushed).toHaveLength(count)
    expect(registry.get(task.id)?.state).toBe('done')
  })

  it('cancel aborts the signal and calls onCancel once; the operation says it stopped', () => {
    const onCancel = vi.fn()
    const task = registry.start({ kind: 'backtest', title: 'Back-test', onCancel })
    const answered = registry.cancel(task.id)
    expect(answered).toMatchObject({ state: 'running', phase: 'cancelling' })
    expect(task.signal.aborted).toBe(true)
    registry.cancel(task.id)
    expect(onCancel).toHaveBeenCalledTimes(1)
    task.cancelled('Back-test cancelled')
    expect(registry.get(task.id)).toMatchObject({ state: 'cancelled', message: 'Back-test cancelled' })
    // Cancelling what ended answers it as it ended.
    expect(registry.cancel(task.id)?.state).toBe('cancelled')
    expect(registry.cancel('no-such-task')).toBeUndefined()
  })

  it('does not cancel a task that cannot stop part-way', () => {
    const task = registry.start({ kind: 'bundle', title: 'Rules import', cancellable: false })
    expect(registry.cancel(task.id)).toMatchObject({ state: 'running', cancellable: false })
    expect(task.signal.aborted).toBe(false)
  })

  it('run: records done, failed (with the error) and cancelled from how the work settles', async () => {
    vi.useRealTimers()
    await expect(
      registry.run(
        { kind: 'export', title: 'Report export' },
        () => Promise.resolve(3),
        (n) => `${n} pages`,
      ),
    ).resolves.toBe(3)
    await expect(
      registry.run(
        { kind: 'import', title: 'ATT&CK import' },
        () => Promise.reject(new Error('not a STIX bundle')),
        () => '',
      ),
    ).rejects.toThrow('not a STIX bundle')
    const cancelled = registry.run(
      { kind: 'bundle', title: 'Bundle import' },
      (task) =>
        new Promise<void>((_, reject) =>
          task.signal.addEventListener('abort', () => reject(new Error('aborted'))),
        ),
      () => '',
    )
    const running = registry.list().find((t) => t.state === 'running')!
    registry.cancel(running.id)
    await expect(cancelled).rejects.toBeInstanceOf(TaskCancelledError)
    expect(registry.list().map((t) => [t.title, t.state, t.message])).toEqual([
      ['Bundle import', 'cancelled', 'Bundle import: cancelled'],
      ['ATT&CK import', 'failed', 'ATT&CK import failed: not a STIX bundle'],
      ['Report export', 'done', '3 pages'],
    ])
  })

  it('lists running tasks first and forgets old finished ones', () => {
    const first = registry.start({ kind: 'import', title: 'first' })
    for (let i = 0; i < MAX_FINISHED_KEPT + 5; i++)
      registry.start({ kind: 'export', title: `done ${i}` }).done('ok')
    const list = registry.list()
    expect(list[0]!.id).toBe(first.id)
    expect(list).toHaveLength(MAX_FINISHED_KEPT + 1)
    expect(list[1]!.title).toBe(`done ${MAX_FINISHED_KEPT + 4}`)
    registry.cancelAll()
    expect(first.signal.aborted).toBe(true)
  })
})

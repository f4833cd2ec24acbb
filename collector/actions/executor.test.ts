import { describe, expect, it } from 'vitest'
import type { ExecutorSummary } from './action-service'
import { createExecutorRunner } from './executor'

const runWith = (summary: Partial<ExecutorSummary>) =>
  createExecutorRunner({
    executeApproved: () =>
      Promise.resolve({ completed: [], retrying: [], failed: [], errors: [], ...summary }),
  })(new AbortController().signal)

describe('the executor agent', () => {
  it('reports what it did in one line, for the run history', async () => {
    expect(await runWith({})).toEqual({
      outcome: 'ok',
      summary: 'no approved actions waiting',
      output: { completed: [], retrying: [], failed: [], errors: [], aborted: false },
      alerts: 0,
      actions: 0,
    })
    expect(await runWith({ completed: ['a', 'b'] })).toMatchObject({
      outcome: 'ok',
      summary: '2 completed of 2 actions',
      actions: 2,
    })
    expect(await runWith({ completed: ['a'], retrying: ['b'] })).toMatchObject({
      outcome: 'warning',
      summary: '1 completed, 1 to retry of 2 actions',
    })
    expect(await runWith({ errors: [{ id: 'c', error: 'EACCES' }] })).toMatchObject({
      outcome: 'failed',
      summary: '1 could not start of 1 action',
    })
  })

  it('hands its abort signal to the executor step and says it was aborted', async () => {
    const controller = new AbortController()
    controller.abort()
    let seen: AbortSignal | undefined
    const result = await createExecutorRunner({
      executeApproved: (signal) => {
        seen = signal
        return Promise.resolve({ completed: [], retrying: [], failed: [], errors: [] })
      },
    })(controller.signal)
    expect(seen?.aborted).toBe(true)
    expect(result.output.aborted).toBe(true)
  })
})

/**
 * The executor agent's run: the scheduler (collector/agents) calls it every 15 minutes. It carries
 * out the approved actions and the retries that are due, through the same service as
 * actions:execute, so every step is audited, kept as evidence and pushed the same way.
 */
import type { AgentRunner } from '../agents/types'
import type { ActionService } from './action-service'

export const createExecutorRunner =
  (service: Pick<ActionService, 'executeApproved'>): AgentRunner =>
  async (signal) => {
    const done = await service.executeApproved(signal)
    const total = done.completed.length + done.retrying.length + done.failed.length + done.errors.length
    const parts = [
      done.completed.length > 0 && `${done.completed.length} completed`,
      done.retrying.length > 0 && `${done.retrying.length} to retry`,
      done.failed.length > 0 && `${done.failed.length} failed`,
      done.errors.length > 0 && `${done.errors.length} could not start`,
    ].filter((part): part is string => typeof part === 'string')
    return {
      outcome:
        done.failed.length > 0 || done.errors.length > 0
          ? 'failed'
          : done.retrying.length > 0
            ? 'warning'
            : 'ok',
      summary:
        total === 0
          ? 'no approved actions waiting'
          : `${parts.join(', ')} of ${total} action${total === 1 ? '' : 's'}`,
      output: { ...done, aborted: signal.aborted },
      alerts: 0,
      actions: total,
    }
  }

import { z } from 'zod'

export const TaskKind = z.enum(['import', 'export', 'backtest', 'bundle', 'archive'])
export type TaskKind = z.infer<typeof TaskKind>
export const TaskState = z.enum(['running', 'done', 'failed', 'cancelled'])
export type TaskState = z.infer<typeof TaskState>

/** A long operation the core runs (an import, an export, a back-test, a bundle): one progress bar. */
export const Task = z.object({
  id: z.string(),
  kind: TaskKind,
  title: z.string().describe('what it is, for a person: "Import auth.log", "Hunt export (CSV)"'),
  state: TaskState,
  progress: z.number().min(0).max(1).nullable().describe('0–1; null when it cannot tell (indeterminate)'),
  phase: z.string().describe('what it does now: "reading", "writing", "applying"…'),
  cancellable: z.boolean(),
  started_at: z.string().describe('ISO-8601 timestamp'),
  ended_at: z.string().nullable(),
  message: z.string().nullable().describe('once ended: the result or the error, for a toast'),
})
export type Task = z.infer<typeof Task>

export const taskCalls = {
  'tasks:list': {
    req: z.strictObject({}),
    res: z.object({ tasks: z.array(Task).describe('running ones, then the last finished, newest first') }),
  },
  'tasks:cancel': {
    req: z.strictObject({ id: z.string().min(1).max(100) }),
    res: z.object({
      task: Task.describe('as it is now: a finished task is answered as it ended, not an error'),
    }),
  },
} as const

export const taskEvents = {
  'tasks:changed': z
    .object({ task: Task })
    .describe('a task started, moved (at most 4 times a second per task) or ended'),
} as const

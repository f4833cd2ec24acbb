import type { StateCreator } from 'zustand'
import type { Task } from '../../../collector/contract'
import type { AppState } from './store'

/** How long a finished task stays in the tray before only its toast is left. */
export const FINISHED_SHOWN_MS = 4000

export type TasksSlice = {
  /** Running tasks and the ones that just ended, newest first. */
  tasks: Task[]
  tasksError: string | null
  loadTasks: () => Promise<void>
  /** A `tasks:changed` push: the task moves; when it ends its message becomes a toast (once). */
  taskChanged: (task: Task) => void
  cancelTask: (id: string) => Promise<void>
  /** Drops finished tasks older than FINISHED_SHOWN_MS (the tray calls it on a timer). */
  pruneTasks: (now: number) => void
}

const TOAST_KIND = { done: 'ok', failed: 'error', cancelled: 'info' } as const

export const createTasksSlice =
  (transport: AppState['transport']): StateCreator<AppState, [], [], TasksSlice> =>
  (set, get) => ({
    tasks: [],
    tasksError: null,

    async loadTasks() {
      const result = await transport.invoke('tasks:list', {})
      if (!result.ok) {
        set({ tasksError: result.error.message })
        return
      }
      // On (re)connect: running ones only, so no old result is toasted again.
      set({ tasks: result.value.tasks.filter((t) => t.state === 'running'), tasksError: null })
    },

    taskChanged(task) {
      const before = get().tasks.find((t) => t.id === task.id)
      if (before && before.state !== 'running') return // ended already: said once
      const rest = get().tasks.filter((t) => t.id !== task.id)
      set({ tasks: before ? get().tasks.map((t) => (t.id === task.id ? task : t)) : [task, ...rest] })
      if (task.state !== 'running' && task.message) get().toast(TOAST_KIND[task.state], task.message)
    },

    async cancelTask(id) {
      const result = await transport.invoke('tasks:cancel', { id })
      if (!result.ok) get().toast('error', `Cannot cancel: ${result.error.message}`)
      else get().taskChanged(result.value.task)
    },

    pruneTasks(now) {
      const kept = get().tasks.filter(
        (t) => t.state === 'running' || !t.ended_at || now - Date.parse(t.ended_at) < FINISHED_SHOWN_MS,
      )
      if (kept.length !== get().tasks.length) set({ tasks: kept })
    },
  })

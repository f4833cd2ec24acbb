import { useEffect } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { Task } from '../../../collector/contract'
import { useAppStore } from '../state/store'

const percent = (task: Task): number | null =>
  task.progress === null ? null : Math.round(task.progress * 100)

const TaskRow = ({ task, cancel }: { task: Task; cancel: (id: string) => void }) => {
  const value = percent(task)
  const running = task.state === 'running'
  return (
    <li className="task" data-state={task.state} aria-label={task.title}>
      <div className="task-head">
        <span className="task-title">{task.title}</span>
        <span className="muted">
          {running ? task.phase : task.state}
          {running && value !== null && ` · ${value}%`}
        </span>
        {running && task.cancellable && (
          <button
            type="button"
            onClick={() => cancel(task.id)}
            disabled={task.phase === 'cancelling'}
            aria-label={`Cancel ${task.title}`}
          >
            Cancel
          </button>
        )}
      </div>
      {/* Without a value the bar is indeterminate: it says it works, not how far. */}
      <div
        className="progress"
        role="progressbar"
        aria-label={`${task.title} progress`}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={value ?? undefined}
        aria-valuetext={value === null ? task.phase : `${value}% (${task.phase})`}
        data-indeterminate={value === null && running}
      >
        <div className="progress-bar" style={{ width: `${value ?? (running ? 100 : 0)}%` }} />
      </div>
    </li>
  )
}

/**
 * Every long task the core runs (imports, exports, back-tests, bundles), wherever it was started:
 * a bar each with Cancel; its result comes as a toast when it ends.
 */
export const TaskTray = () => {
  const { tasks, cancel, load, prune } = useAppStore(
    useShallow((s) => ({ tasks: s.tasks, cancel: s.cancelTask, load: s.loadTasks, prune: s.pruneTasks })),
  )
  useEffect(() => void load(), [load])
  const finished = tasks.some((t) => t.state !== 'running')
  useEffect(() => {
    if (!finished) return
    const timer = setInterval(() => prune(Date.now()), 1000)
    return () => clearInterval(timer)
  }, [finished, prune])
  if (tasks.length === 0) return null
  const running = tasks.filter((t) => t.state === 'running').length
  return (
    <section className="task-tray" aria-label="Tasks">
      <h2 className="task-tray-head">{running > 0 ? `Running tasks (${running})` : 'Tasks'}</h2>
      <ul>
        {tasks.map((task) => (
          <TaskRow key={task.id} task={task} cancel={(id) => void cancel(id)} />
        ))}
      </ul>
    </section>
  )
}

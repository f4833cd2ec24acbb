import type { EventPayload, ImportJob, RuleTest } from '../contract'
import type { TaskHandle, TaskRegistry } from './task-registry'

const baseName = (file: string): string => file.split(/[\\/]/).pop() ?? file

/**
 * The long operations that already report their own progress (import jobs, rule back-tests, hunt
 * exports) shown as tasks: their pushes move the task, and cancelling the task cancels them the
 * way they already know (a job's AbortController, a test's flag, a DuckDB interrupt).
 */
export class OperationTasks {
  private readonly imports = new Map<string, TaskHandle>()
  private readonly tests = new Map<string, TaskHandle>()
  private readonly exports = new Map<string, TaskHandle>()

  constructor(
    private readonly tasks: TaskRegistry,
    private readonly cancel: {
      importJob: (jobId: string) => void
      ruleTest: (testId: string) => void
      huntExport: (exportId: string) => void
    },
  ) {}

  /** An import job's progress push. Cancel stops it between batches: what was stored stays. */
  importProgress(job: ImportJob): void {
    let task = this.imports.get(job.job_id)
    if (!task) {
      if (job.state !== 'running') return
      task = this.tasks.start({
        kind: 'import',
        title: `Import ${baseName(job.file)}`,
        phase: 'reading',
        onCancel: () => this.cancel.importJob(job.job_id),
      })
      this.imports.set(job.job_id, task)
    }
    const name = baseName(job.file)
    if (job.state === 'running') {
      task.progress(job.bytes_total > 0 ? job.bytes_read / job.bytes_total : null, 'reading')
      return
    }
    this.imports.delete(job.job_id)
    if (job.state === 'done')
      task.done(
        `Imported ${job.imported.toLocaleString('en-US')} events from ${name}` +
          (job.rejected ? `, ${job.rejected.toLocaleString('en-US')} rejected` : ''),
      )
    else if (job.state === 'cancelled')
      task.cancelled(
        `Import cancelled: ${name}; the ${job.imported.toLocaleString('en-US')} events read before stay stored`,
      )
    else task.fail(`Import failed: ${name}${job.summary?.error ? `: ${job.summary.error}` : ''}`)
  }

  /** A rule back-test's progress push. It only reads: cancelling leaves nothing behind. */
  ruleTestProgress(test: RuleTest): void {
    let task = this.tests.get(test.test_id)
    if (!task) {
      if (test.state !== 'running') return
      task = this.tasks.start({
        kind: 'backtest',
        title: 'Rule back-test',
        phase: 'scanning',
        onCancel: () => this.cancel.ruleTest(test.test_id),
      })
      this.tests.set(test.test_id, task)
    }
    if (test.state === 'running') {
      task.progress(test.total > 0 ? test.scanned / test.total : null, 'scanning')
      return
    }
    this.tests.delete(test.test_id)
    const said = `${test.matches.toLocaleString('en-US')} matches in ${test.scanned.toLocaleString('en-US')} events`
    if (test.state === 'done') task.done(`Back-test done: ${said}`)
    else if (test.state === 'cancelled') task.cancelled(`Back-test cancelled: ${said} so far`)
    else task.fail(`Back-test failed: ${test.error ?? 'unknown error'}`)
  }

  /** A hunt export starts: its task, cancelled through DuckDB's interrupt (the partial file is removed). */
  exportStarted(exportId: string, format: string): TaskHandle {
    const task = this.tasks.start({
      kind: 'export',
      title: `Hunt export (${format.toUpperCase()})`,
      phase: 'selecting',
      onCancel: () => this.cancel.huntExport(exportId),
    })
    this.exports.set(exportId, task)
    return task
  }

  exportProgress(progress: EventPayload<'hunt:export-progress'>): void {
    if (progress.phase === 'done' || progress.phase === 'failed') return // exportEnded says it
    this.exports
      .get(progress.export_id)
      ?.progress(progress.percentage < 0 ? null : progress.percentage / 100, progress.phase)
  }

  exportEnded(exportId: string): void {
    this.exports.delete(exportId)
  }

  /** `hunt:cancel` naming a running export: cancelled as its task, so the task says so. */
  exportTask(exportId: string): TaskHandle | undefined {
    return this.exports.get(exportId)
  }
}

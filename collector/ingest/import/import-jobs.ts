import { randomUUID } from 'node:crypto'
import { stat } from 'node:fs/promises'
import type { ImportJob, ImportProblem, ImportSummary } from '../../contract'
import { importFile, type FileSummary, type ImportSink } from './import-files'

/** Problems kept per job for the summary; the count goes on past it. */
export const MAX_PROBLEMS_KEPT = 100
/** Finished jobs `import:list` remembers. */
export const MAX_JOBS_KEPT = 20
/** At most 10 pushes a second per job: a progress bar needs no more, and the renderer stays calm. */
export const PROGRESS_INTERVAL_MS = 100

/** A file to read and the name the operator knows it by (an upload's original name, not its temp path). */
export type ImportInput = { path: string; name: string }

export type ImportJobsOptions = {
  sink: ImportSink
  push: (job: ImportJob) => void
  /** Runs once a job is over, whatever its end (uploads delete their temp files here). */
  onFinished?: (inputs: readonly ImportInput[]) => void | Promise<void>
  batchSize?: number
  progressIntervalMs?: number
}

type Running = { job: ImportJob; controller: AbortController; done: Promise<void> }

/**
 * Import jobs run in the core: each reads its files into the sink (the ingest pipeline, so the
 * events also show live), reports progress at most every 100 ms, and can be cancelled.
 */
export class ImportJobs {
  private readonly jobs = new Map<string, Running>()
  private readonly order: string[] = []
  private closed = false

  constructor(private readonly options: ImportJobsOptions) {}

  start(inputs: readonly ImportInput[]): { job_id: string } {
    if (this.closed) throw new Error('the collector is shutting down')
    const job: ImportJob = {
      job_id: randomUUID(),
      file: inputs[0]?.name ?? '',
      bytes_read: 0,
      bytes_total: 0,
      records: 0,
      imported: 0,
      rejected: 0,
      state: 'running',
    }
    const controller = new AbortController()
    const running: Running = { job, controller, done: Promise.resolve() }
    this.jobs.set(job.job_id, running)
    this.order.unshift(job.job_id)
    this.forgetOld()
    running.done = this.run(running, inputs)
    return { job_id: job.job_id }
  }

  /** Cancelling a finished job is not an error: it answers the job as it ended. */
  cancel(jobId: string): ImportJob | undefined {
    const running = this.jobs.get(jobId)
    if (!running) return undefined
    running.controller.abort()
    return { ...running.job }
  }

  list(): ImportJob[] {
    return this.order.map((id) => ({ ...this.jobs.get(id)!.job }))
  }

  /** Resolves when the job has ended (tests, shutdown). */
  settled(jobId: string): Promise<void> {
    return this.jobs.get(jobId)?.done ?? Promise.resolve()
  }

  /** Cancels every running job and waits for them, so nothing writes after the store closes. */
  async close(): Promise<void> {
    this.closed = true
    for (const running of this.jobs.values()) running.controller.abort()
    await Promise.all([...this.jobs.values()].map((r) => r.done))
  }

  private forgetOld(): void {
    while (this.order.length > MAX_JOBS_KEPT) {
      const index = this.order.findLastIndex((id) => this.jobs.get(id)?.job.state !== 'running')
      if (index < 0) return
      this.jobs.delete(this.order.splice(index, 1)[0]!)
    }
  }

  private async run(running: Running, inputs: readonly ImportInput[]): Promise<void> {
    const { job, controller } = running
    const interval = this.options.progressIntervalMs ?? PROGRESS_INTERVAL_MS
    const started = performance.now()
    const problems: ImportProblem[] = []
    let problemsTotal = 0
    const files: FileSummary[] = []
    let lastPush = 0
    const pushNow = (): void => {
      lastPush = performance.now()
      this.options.push({ ...job })
    }
    const maybePush = (): void => {
      if (performance.now() - lastPush >= interval) pushNow()
    }
    // Temp paths mean nothing to the operator: show the name they chose.
    const shown = (input: ImportInput, file: string): string =>
      file.startsWith(input.path) ? input.name + file.slice(input.path.length) : file

    let error: string | null = null
    let ended: 'done' | 'failed' | 'cancelled'
    try {
      const sizes = await Promise.all(
        inputs.map((i) =>
          stat(i.path).then(
            (s) => s.size,
            () => 0,
          ),
        ),
      )
      job.bytes_total = sizes.reduce((a, b) => a + b, 0)
      pushNow()
      let before = { bytes: 0, records: 0, imported: 0, rejected: 0 }
      for (const input of inputs) {
        job.file = input.name
        const summary = await importFile(input.path, {
          sink: this.options.sink,
          batchSize: this.options.batchSize ?? 1000,
          signal: controller.signal,
          onProblem: (problem) => {
            problemsTotal++
            if (problems.length < MAX_PROBLEMS_KEPT)
              problems.push({ ...problem, file: shown(input, problem.file) })
          },
          onProgress: (p) => {
            job.bytes_read = before.bytes + p.bytesRead
            job.records = before.records + p.records
            job.imported = before.imported + p.imported
            job.rejected = before.rejected + p.rejected
            maybePush()
          },
        })
        files.push({ ...summary, file: input.name })
        before = {
          bytes: before.bytes + (sizes[inputs.indexOf(input)] ?? 0),
          records: before.records + summary.records,
          imported: before.imported + summary.imported,
          rejected: before.rejected + summary.rejected,
        }
        Object.assign(job, {
          bytes_read: before.bytes,
          records: before.records,
          imported: before.imported,
          rejected: before.rejected,
        })
        maybePush()
      }
      ended = files.length > 0 && files.every((f) => f.error !== null) ? 'failed' : 'done'
    } catch (caught) {
      if (controller.signal.aborted) {
        ended = 'cancelled'
        error = 'cancelled; what was imported before stays stored'
      } else {
        ended = 'failed'
        error = (caught as Error).message
      }
    }
    const summary = {
      files,
      records: job.records,
      imported: job.imported,
      rejected: job.rejected,
      seconds: (performance.now() - started) / 1000,
      problems,
      problems_total: problemsTotal,
      error: error ?? files.find((f) => f.error !== null)?.error ?? null,
    } satisfies ImportSummary
    try {
      await this.options.onFinished?.(inputs)
    } finally {
      // Ended only once its uploads are cleaned up: whoever sees the end sees them gone.
      job.state = ended
      job.summary = summary
      pushNow()
    }
  }
}

import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { Worker } from 'node:worker_threads'
import { ContractError, ERROR_CODES, type ErrorCode } from '../contract'
import { StartupError } from '../host/errors'
import type { Logger } from '../host/log'
import type { HuntService } from '../hunt/hunt-service'
import { MetricsBufferFull, type MetricsStore } from '../store/duckdb/metrics-store'
import type { ARCHIVE_METHODS, ArchiveCalls } from './archive-worker'
import type {
  ArchiveState,
  ArchiveTarget,
  ArchiveWorkerData,
  ExportProgress,
  FromArchive,
  ToArchive,
  WireError,
} from './worker-protocol'

/** An object's methods as calls to another thread: same arguments, always a promise. */
export type Remote<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : never
}
type Methods<T extends ArchiveTarget> = (typeof ARCHIVE_METHODS)[T][number]
export type HuntApi = Remote<Pick<HuntService, Methods<'hunt'>>>
export type MetricsApi = Remote<Pick<MetricsStore, Methods<'metrics'>>>
export type ArchiveApi = Remote<ArchiveCalls>

const RESTART_MS = 5000
const STOP_MS = 60_000

type Hooks = {
  exportProgress?: (p: ExportProgress) => void
  log?: Logger
  /** Wait before starting a worker that died again (tests shorten it). */
  restartMs?: number
}

/**
 * The worker's entry: beside this module in a build (out/main/archive-worker.js, this code being
 * in out/main or out/main/chunks); from source (tests, `tsx`), worker-main.ts through tsx.
 */
const spawn = (data: ArchiveWorkerData): Worker => {
  const here = dirname(fileURLToPath(import.meta.url))
  if (import.meta.url.endsWith('.ts')) {
    const entry = pathToFileURL(join(here, 'worker-main.ts')).href
    const boot = `import('tsx/esm/api').then(({ register }) => { register(); return import(${JSON.stringify(entry)}) })`
    return new Worker(boot, { eval: true, workerData: data })
  }
  // Packaged, this is inside app.asar: Electron reads asar in worker threads too (since 17).
  const built = [join(here, 'archive-worker.js'), join(here, '..', 'archive-worker.js')].find((f) =>
    existsSync(f),
  )
  if (!built)
    throw new StartupError(
      `the archive worker (archive-worker.js) is missing beside ${here}; rebuild Outpost`,
    )
  return new Worker(built, { workerData: data })
}

const fromWire = (error: WireError): Error => {
  if (error.name === 'ContractError' && (ERROR_CODES as readonly string[]).includes(error.code ?? ''))
    return new ContractError(error.code as ErrorCode, error.message)
  if (error.name === 'MetricsBufferFull') return new MetricsBufferFull(error.message)
  const out = new Error(error.message)
  out.name = error.name
  return out
}

/**
 * The core's side of the archive worker (archive-worker.ts): calls to hunts, metrics and the
 * archive go over; the archiver's watermark, rate and error come back after every batch and are
 * read here synchronously (retention's safe seq, archive:status). If the worker dies, calls in
 * flight fail `unavailable` and it is started again: the archiver resumes after its watermark.
 */
export class ArchiveHost {
  readonly hunt: HuntApi
  readonly metrics: MetricsApi
  readonly archive: ArchiveApi
  private worker: Worker
  private nextId = 1
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>()
  private current: ArchiveState
  private stopping = false
  private stopped: Promise<void> | undefined
  private restartTimer: NodeJS.Timeout | undefined
  private crashError: string | null = null

  private constructor(
    private readonly data: ArchiveWorkerData,
    worker: Worker,
    ready: Extract<FromArchive, { type: 'ready' }>,
    private readonly hooks: Hooks,
  ) {
    this.worker = worker
    this.current = ready.state
    this.schemaVersion = ready.schemaVersion
    this.attach(worker)
    this.hunt = this.remote('hunt', [
      'search',
      'histogram',
      'fields',
      'sql',
      'cancel',
      'export',
      'count',
      'stats',
      'dashboard',
    ])
    this.metrics = this.remote('metrics', ['write', 'flush', 'sources', 'series'])
    this.archive = this.remote('archive', [
      'state',
      'history',
      'retention',
      'query',
      'interruptQuery',
      'usedBytes',
    ])
  }

  readonly schemaVersion: number

  /** Starts the worker and waits until DuckDB is open (a lock or a newer schema: StartupError). */
  static async start(data: ArchiveWorkerData, hooks: Hooks = {}): Promise<ArchiveHost> {
    const { worker, ready } = await ArchiveHost.boot(data)
    return new ArchiveHost(data, worker, ready, hooks)
  }

  private static boot(
    data: ArchiveWorkerData,
  ): Promise<{ worker: Worker; ready: Extract<FromArchive, { type: 'ready' }> }> {
    const worker = spawn(data)
    return new Promise((resolve, reject) => {
      const onMessage = (message: FromArchive): void => {
        if (message.type === 'ready') {
          worker.off('message', onMessage)
          worker.off('error', onError)
          worker.off('exit', onExit)
          resolve({ worker, ready: message })
        } else if (message.type === 'fatal') {
          void worker.terminate()
          reject(new StartupError(message.message))
        }
      }
      const onError = (error: Error): void =>
        reject(new StartupError(`the archive worker failed to start: ${error.message}`, { cause: error }))
      const onExit = (code: number): void =>
        reject(new StartupError(`the archive worker exited (code ${code}) before DuckDB was open`))
      worker.on('message', onMessage)
      worker.on('error', onError)
      worker.on('exit', onExit)
    })
  }

  private attach(worker: Worker): void {
    worker.on('message', (message: FromArchive) => {
      if (worker !== this.worker) return
      if (message.type === 'result') {
        const call = this.pending.get(message.id)
        if (!call) return
        this.pending.delete(message.id)
        if (message.ok) call.resolve(message.value)
        else call.reject(fromWire(message.error))
      } else if (message.type === 'state') {
        this.current = message.state
      } else if (message.type === 'export-progress') {
        this.hooks.exportProgress?.(message.progress)
      } else if (message.type === 'fatal') {
        this.hooks.log?.error('archive worker', { error: message.message })
      }
    })
    worker.on('error', (error) => {
      if (worker === this.worker) this.crashed(`the archive worker failed: ${error.message}`)
    })
    worker.on('exit', (code) => {
      if (worker === this.worker && !this.stopping) this.crashed(`the archive worker exited (code ${code})`)
    })
  }

  private crashed(reason: string): void {
    this.crashError = reason
    this.hooks.log?.error('archive worker', { error: reason })
    for (const call of this.pending.values())
      call.reject(new ContractError('unavailable', `${reason}; it is being restarted, try again shortly`))
    this.pending.clear()
    if (this.stopping || this.restartTimer) return
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined
      if (this.stopping) return
      ArchiveHost.boot(this.data).then(
        ({ worker, ready }) => {
          if (this.stopping) {
            void worker.terminate()
            return
          }
          this.worker = worker
          this.current = ready.state
          this.crashError = null
          this.attach(worker)
          this.hooks.log?.info('archive worker restarted', { watermark: ready.state.watermark })
        },
        (error: Error) => this.crashed(error.message),
      )
    }, this.hooks.restartMs ?? RESTART_MS)
    this.restartTimer.unref()
  }

  private remote<T>(target: ArchiveTarget, methods: readonly string[]): T {
    const api: Record<string, (...args: unknown[]) => Promise<unknown>> = {}
    for (const method of methods)
      api[method] = (...args) =>
        new Promise((resolve, reject) => {
          if (this.stopping) {
            reject(new ContractError('unavailable', 'the archive is stopping'))
            return
          }
          if (this.crashError) {
            reject(
              new ContractError(
                'unavailable',
                `${this.crashError}; it is being restarted, try again shortly`,
              ),
            )
            return
          }
          const id = this.nextId++
          this.pending.set(id, { resolve, reject })
          this.post({ type: 'call', id, target, method, args })
        })
    return api as T
  }

  private post(message: ToArchive): void {
    this.worker.postMessage(message)
  }

  /** The last SQLite seq archived (as of the worker's last batch). */
  get watermark(): number {
    return this.current.watermark
  }

  /** Archived events per second over the last minute. */
  get rate(): number {
    return this.current.rate
  }

  get error(): string | null {
    return this.crashError ?? this.current.error
  }

  /** New events were committed to SQLite: the worker archives them soon (it batches). */
  kick(): void {
    if (!this.stopping && !this.crashError) this.post({ type: 'kick' })
  }

  /** Finishes the batch under way, flushes metrics, closes DuckDB. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= (async () => {
      this.stopping = true
      clearTimeout(this.restartTimer)
      const worker = this.worker
      if (!this.crashError) {
        // The worker closes DuckDB and ends on its own (terminating it with DuckDB work in flight
        // could abort the process); a worker stuck for a minute is terminated.
        await new Promise<void>((resolve) => {
          const stuck = setTimeout(() => void worker.terminate(), STOP_MS)
          worker.once('exit', () => {
            clearTimeout(stuck)
            resolve()
          })
          worker.postMessage({ type: 'stop' } satisfies ToArchive)
        })
      }
      for (const call of this.pending.values())
        call.reject(new ContractError('unavailable', 'the archive stopped'))
      this.pending.clear()
      await worker.terminate()
    })()
    return this.stopped
  }
}

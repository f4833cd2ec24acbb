import { utilityProcess, type UtilityProcess } from 'electron'
import { fail, type EventName, type FromCore, type Result, type ToCore } from '../collector/contract'

type Pending = (result: Result<unknown>) => void

/** Main's handle on the core running in a utilityProcess: calls by id, events out, clean stop. */
export class CoreProcess {
  private nextId = 1
  private readonly pending = new Map<number, Pending>()
  private exited = false

  private constructor(
    private readonly child: UtilityProcess,
    private readonly onEvent: (name: EventName, payload: unknown) => void,
  ) {
    child.on('message', (message: FromCore) => {
      if (message.type === 'result') {
        this.pending.get(message.id)?.(message.result)
        this.pending.delete(message.id)
      } else if (message.type === 'event') {
        this.onEvent(message.name, message.payload)
      }
    })
    child.on('exit', (code) => {
      this.exited = true
      for (const resolve of this.pending.values())
        resolve(fail('unavailable', `the core process exited (code ${code})`))
      this.pending.clear()
    })
  }

  /** Forks the core and resolves once it is listening, or rejects with its startup error. */
  static start(options: {
    modulePath: string
    env: NodeJS.ProcessEnv
    onEvent: (name: EventName, payload: unknown) => void
  }): Promise<CoreProcess> {
    const child = utilityProcess.fork(options.modulePath, [], {
      serviceName: 'Outpost core',
      env: options.env,
      stdio: 'inherit',
    })
    return new Promise((resolve, reject) => {
      const onMessage = (message: FromCore): void => {
        if (message.type === 'ready') {
          child.off('message', onMessage)
          child.off('exit', onExit)
          resolve(new CoreProcess(child, options.onEvent))
        } else if (message.type === 'fatal') {
          reject(new Error(message.message))
        }
      }
      const onExit = (code: number): void =>
        reject(new Error(`the core process exited during startup (code ${code})`))
      child.on('message', onMessage)
      child.once('exit', onExit)
    })
  }

  call(name: string, req: unknown): Promise<Result<unknown>> {
    if (this.exited) return Promise.resolve(fail('unavailable', 'the core process is not running'))
    const id = this.nextId++
    return new Promise((resolve) => {
      this.pending.set(id, resolve)
      this.child.postMessage({ type: 'call', id, name, req } satisfies ToCore)
    })
  }

  /** Asks the core to flush and close its databases; kills it if it has not exited in 10 s. */
  stop(): Promise<void> {
    if (this.exited) return Promise.resolve()
    return new Promise((resolve) => {
      const timer = setTimeout(() => this.child.kill(), 10_000)
      this.child.once('exit', () => {
        clearTimeout(timer)
        resolve()
      })
      this.child.postMessage({ type: 'stop' } satisfies ToCore)
    })
  }
}

import { spawn, type ChildProcess } from 'node:child_process'
import { fileURLToPath } from 'node:url'

export type ReadyInfo = { url: string; api: string; token: string; listeners: Record<string, number> }

export type ServeProcess = {
  ready: ReadyInfo
  child: ChildProcess
  /** Everything the process wrote to stderr so far (its logs). */
  stderr(): string
  /** SIGTERM (or the given signal) and wait for the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

export const OUTPOST_BIN = fileURLToPath(new URL('../../bin/outpost.js', import.meta.url))

/**
 * Starts a real `outpost serve` (the built CLI) and resolves on its OUTPOST_READY line.
 * Used by integration tests, e2e fixtures and benchmarks; rejects with its stderr if it exits first.
 */
export const spawnServe = (
  args: string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv } = {},
): Promise<ServeProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [OUTPOST_BIN, 'serve', ...args], {
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    })
    let stdout = ''
    let stderr = ''
    let settled = false
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
    const fail = (message: string): void => {
      if (settled) return
      settled = true
      child.kill('SIGKILL')
      reject(new Error(`${message}\nstderr:\n${stderr}`))
    }
    const timer = setTimeout(
      () => fail('outpost serve did not print OUTPOST_READY in time'),
      options.timeoutMs ?? 15_000,
    )
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()))
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString()
      const line = stdout.split('\n').find((l) => l.startsWith('OUTPOST_READY '))
      if (!line || settled || !stdout.includes('\n', stdout.indexOf(line))) return
      settled = true
      clearTimeout(timer)
      resolve({
        ready: JSON.parse(line.slice('OUTPOST_READY '.length)) as ReadyInfo,
        child,
        stderr: () => stderr,
        stop: async (signal = 'SIGTERM') => {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal)
          return exited
        },
      })
    })
    void exited.then((code) => {
      clearTimeout(timer)
      fail(`outpost serve exited with code ${code} before it was ready`)
    })
  })

// Starts a real nats-server with JetStream on a free loopback port, for tests. Not used by the product.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'

/** Where nats-server is (Debian installs it in /usr/sbin), or null. */
export const findNatsServer = (): string | null => {
  for (const path of [process.env.OUTPOST_NATS_SERVER, '/usr/sbin/nats-server', '/usr/bin/nats-server'])
    if (path && spawnSync(path, ['--version'], { timeout: 5000 }).status === 0) return path
  return null
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const address = server.address()
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0))
    })
  })

export type NatsServerProcess = {
  url: string
  port: number
  /** The monitoring endpoint (http://127.0.0.1:<port>, /connz lists the clients) when asked for. */
  monitorUrl: string | null
  stop(): Promise<void>
  /** SIGKILL: no shutdown, as a crash or a pulled plug of the server would. */
  kill(): Promise<void>
}

/** `nats-server -js` on 127.0.0.1 with its store in `storeDir`; resolves once it is ready (at most 10 s). */
export const startNatsServer = async (
  binary: string,
  storeDir: string,
  port?: number,
  options: { monitor?: boolean } = {},
): Promise<NatsServerProcess> => {
  const chosen = port ?? (await freePort())
  const monitor = options.monitor ? await freePort() : null
  const child: ChildProcess = spawn(
    binary,
    [
      '-js',
      '-a',
      '127.0.0.1',
      '-p',
      String(chosen),
      '-sd',
      storeDir,
      ...(monitor === null ? [] : ['-m', String(monitor)]),
    ],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  let output = ''
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL')
      reject(new Error(`nats-server not ready in 10 s: ${output.slice(-500)}`))
    }, 10_000)
    const onData = (chunk: Buffer): void => {
      output += chunk.toString()
      if (output.includes('Server is ready')) {
        clearTimeout(timer)
        resolve()
      }
    }
    child.stdout?.on('data', onData)
    child.stderr?.on('data', onData)
    child.once('exit', (code) => {
      clearTimeout(timer)
      reject(new Error(`nats-server exited (${code}): ${output.slice(-500)}`))
    })
  })
  return {
    url: `nats://127.0.0.1:${chosen}`,
    port: chosen,
    monitorUrl: monitor === null ? null : `http://127.0.0.1:${monitor}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGTERM')
        setTimeout(() => child.kill('SIGKILL'), 5000).unref()
      }),
    kill: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve()
        child.once('exit', () => resolve())
        child.kill('SIGKILL')
      }),
  }
}

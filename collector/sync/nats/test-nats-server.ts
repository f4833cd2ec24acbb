// Starts a real nats-server with JetStream on a free loopback port, for tests. Not used by the product.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import type { SyncRecord } from '../records'

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
  options: { monitor?: boolean; args?: readonly string[] } = {},
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
      ...(options.args ?? []),
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

/** The config.yaml of a core (or console) on `url` as replica `replica` of site hq, after `before` lines. */
export const natsConfigYaml = (url: string, replica: string, before: readonly string[] = []): string =>
  [
    ...before,
    'nats:',
    '  enabled: true',
    `  servers: [${url}]`,
    '  site: hq',
    `  replica: ${replica}`,
    '',
  ].join('\n')

export type NatsClusterNode = NatsServerProcess & {
  /** Starts this node again (same name, ports and store) after stop or kill. */
  restart(): Promise<void>
}

/**
 * `size` nats-server nodes with JetStream clustered on loopback (routes between all of them),
 * each with its own store under `dir`; resolves once every node is ready.
 */
export const startNatsCluster = async (binary: string, dir: string, size = 3): Promise<NatsClusterNode[]> => {
  const clients = await Promise.all(Array.from({ length: size }, () => freePort()))
  const routes = await Promise.all(Array.from({ length: size }, () => freePort()))
  const args = (n: number): string[] => [
    '-n',
    `outpost-n${n + 1}`,
    '--cluster_name',
    'outpost-test',
    '--cluster',
    `nats://127.0.0.1:${routes[n]}`,
    '--routes',
    routes
      .filter((_, i) => i !== n)
      .map((p) => `nats://127.0.0.1:${p}`)
      .join(','),
  ]
  return Promise.all(
    clients.map(async (port, n) => {
      const start = (): Promise<NatsServerProcess> =>
        startNatsServer(binary, `${dir}/n${n + 1}`, port, { args: args(n) })
      let current = await start()
      const node: NatsClusterNode = {
        url: current.url,
        port,
        monitorUrl: null,
        stop: () => current.stop(),
        kill: () => current.kill(),
        restart: async () => {
          current = await start()
        },
      }
      return node
    }),
  )
}

/** A console's incident `inc-<n>`, version 1, made at 09:00:<n> on 2026-12-07. */
export const testIncident = (n: number, origin: string): SyncRecord => ({
  kind: 'incident',
  id: `inc-${n}`,
  version: 1,
  updated_at: new Date(Date.UTC(2026, 11, 7, 9, 0, n)).toISOString(),
  origin,
  deleted: false,
  body: { incident: { title: `Incident ${n}` } },
})

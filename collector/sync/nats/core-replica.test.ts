import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../host/create-core'
import { idempotencyKey } from '../records'
import { NatsConfig } from './config'
import { NatsPublisher } from './publisher'
import { ensureStream } from './stream'
import {
  findNatsServer,
  natsConfigYaml,
  startNatsServer,
  testIncident,
  type NatsServerProcess,
} from './test-nats-server'
import { waitFor } from '../../host/test-core'

const binary = findNatsServer()

/** The synced records a core's database holds, read beside the running core (WAL). */
const storedIds = (dataDir: string): string[] => {
  const db = new Database(join(dataDir, 'outpost.sqlite'), { readonly: true })
  try {
    return (db.prepare('SELECT id FROM sync_records ORDER BY id').all() as Array<{ id: string }>).map(
      (r) => r.id,
    )
  } finally {
    db.close()
  }
}

describe.skipIf(binary === null)('cores as replicas over NATS (createCore with nats.enabled)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-nats-core-'))
  let server: NatsServerProcess
  let nc: NatsConnection
  const cores: Core[] = []

  beforeAll(async () => {
    server = await startNatsServer(binary!, join(dir, 'jetstream'))
    nc = await connect({ servers: server.url })
    await ensureStream(await jetstreamManager(nc), { replicas: 1, duplicateWindowS: 120 })
  }, 20_000)
  afterAll(async () => {
    for (const core of cores) await core.stop()
    await nc.close()
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it("two core replicas converge, and a console's records published while one is down are applied when it restarts", async () => {
    const config = (replica: string): string => natsConfigYaml(server.url, replica)
    const dirA = join(dir, 'a')
    const dirB = join(dir, 'b')
    for (const [d, name] of [
      [dirA, 'core-a'],
      [dirB, 'core-b'],
    ] as const) {
      mkdirSync(d, { recursive: true })
      writeFileSync(join(d, 'config.yaml'), config(name))
    }
    const a = await createCore({ dataDir: dirA, ephemeralPorts: true, role: 'core' })
    cores.push(a)
    let b = await createCore({ dataDir: dirB, ephemeralPorts: true, role: 'core' })
    cores.push(b)

    const publisher = new NatsPublisher(jetstream(nc), 'hq')
    for (let n = 1; n <= 5; n++)
      await publisher.publish(testIncident(n, 'console-7'), idempotencyKey('console-7', n))
    const first = ['inc-1', 'inc-2', 'inc-3', 'inc-4', 'inc-5']
    await waitFor('both replicas', () => storedIds(dirA).length === 5 && storedIds(dirB).length === 5)
    expect(storedIds(dirB)).toEqual(first)

    // Core b stops; the console goes on publishing (and retries one publish: stored once).
    await b.stop()
    for (let n = 6; n <= 9; n++)
      await publisher.publish(testIncident(n, 'console-7'), idempotencyKey('console-7', n))
    expect(
      (await publisher.publish(testIncident(9, 'console-7'), idempotencyKey('console-7', 9))).duplicate,
    ).toBe(true)
    await waitFor('a to apply the rest', () => storedIds(dirA).length === 9)
    expect(storedIds(dirB)).toHaveLength(5)

    b = await createCore({ dataDir: dirB, ephemeralPorts: true, role: 'core' })
    cores.push(b)
    await waitFor('b to catch up after its restart', () => storedIds(dirB).length === 9)
    expect(storedIds(dirB)).toEqual(storedIds(dirA))
  }, 60_000)
})

describe('a core with nats.enabled and no NATS server', () => {
  it('starts, and stops promptly, while the server never answers', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outpost-nats-none-'))
    try {
      writeFileSync(
        join(dataDir, 'config.yaml'),
        ['nats:', '  enabled: true', '  servers: [nats://127.0.0.1:1]', ''].join('\n'),
      )
      const core = await createCore({ dataDir, ephemeralPorts: true, role: 'core' })
      await new Promise((r) => setTimeout(r, 300))
      const started = Date.now()
      await core.stop()
      expect(Date.now() - started).toBeLessThan(3000)
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  }, 30_000)
})

describe('nats configuration', () => {
  it('is off by default, and names what is wrong', () => {
    expect(NatsConfig.parse(undefined)).toEqual({
      enabled: false,
      servers: ['nats://127.0.0.1:4222'],
      site: 'default',
      replica: 'core-1',
      replicas: 1,
      duplicate_window_s: 120,
      max_age_days: 30,
      max_bytes: 0,
      max_msgs: 0,
    })
    const issues = (value: unknown): string[] =>
      NatsConfig.safeParse(value).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? []
    expect(issues({ site: 'a.b' })).toEqual([
      'site: letters, digits, dashes and underscores (a single subject token)',
    ])
    expect(issues({ servers: ['http://x:4222'] })).toEqual(['servers.0: nats://host:port or tls://host:port'])
    expect(issues({ replicas: 7 })[0]).toMatch(/^replicas: /)
    expect(issues({ replica: 'core 1' })[0]).toMatch(/^replica: /)
  })
})

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createCore, type Core } from '../../host/create-core'
import { waitFor } from '../../host/test-core'
import { idempotencyKey } from '../records'
import { NatsPublisher } from './publisher'
import { STREAM } from './stream'
import { findNatsServer, startNatsCluster, testIncident, type NatsClusterNode } from './test-nats-server'

const binary = findNatsServer()

const storedCount = (dataDir: string): number => {
  const db = new Database(join(dataDir, 'outpost.sqlite'), { readonly: true })
  try {
    return (
      db.prepare("SELECT count(*) AS n FROM sync_records WHERE kind = 'incident'").get() as { n: number }
    ).n
  } finally {
    db.close()
  }
}

describe.skipIf(binary === null)('team core replicas on a three-node NATS cluster (stream R=3)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-nats-cluster-'))
  let nodes: NatsClusterNode[]
  let nc: NatsConnection
  const cores: Core[] = []

  beforeAll(async () => {
    nodes = await startNatsCluster(binary!, dir, 3)
  }, 60_000)
  afterAll(async () => {
    for (const core of cores) await core.stop()
    await nc?.close()
    for (const node of nodes ?? []) await node.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('replicas create the replicated stream, and keep applying what a console publishes after a node is killed', async () => {
    const servers = nodes.map((n) => n.url).join(', ')
    const start = async (name: string): Promise<Core> => {
      const dataDir = join(dir, name)
      mkdirSync(dataDir, { recursive: true })
      writeFileSync(
        join(dataDir, 'config.yaml'),
        [
          'nats:',
          '  enabled: true',
          `  servers: [${servers}]`,
          '  site: hq',
          `  replica: ${name}`,
          '  replicas: 3',
          '',
        ].join('\n'),
      )
      const core = await createCore({ dataDir, ephemeralPorts: true, role: 'core' })
      cores.push(core)
      return core
    }
    // Started as the cluster elects its JetStream leader: they retry until it can take the stream.
    await Promise.all([start('core-1'), start('core-2')])
    nc = await connect({ servers: nodes.map((n) => n.url), maxReconnectAttempts: -1 })
    const jsm = await jetstreamManager(nc)
    await waitFor(
      'the stream with three copies',
      async () => {
        const info = await jsm.streams.info(STREAM).catch(() => null)
        return info !== null && info.config.num_replicas === 3 && (info.cluster?.replicas?.length ?? 0) === 2
      },
      60_000,
    )

    const publisher = new NatsPublisher(jetstream(nc), 'hq')
    // A console's publish retries until the cluster acknowledges it (its outbox does the same).
    const publish = async (n: number): Promise<void> => {
      await waitFor(
        `publish ${n}`,
        () =>
          publisher.publish(testIncident(n, 'console-3'), idempotencyKey('console-3', n)).then(
            () => true,
            () => false,
          ),
        60_000,
        250,
      )
    }
    for (let n = 1; n <= 5; n++) await publish(n)
    const both = (count: number) => () =>
      storedCount(join(dir, 'core-1')) === count && storedCount(join(dir, 'core-2')) === count
    await waitFor('both replicas to apply five', both(5), 60_000)

    // The node leading the stream dies (SIGKILL): the other two elect a leader and go on.
    const leader = (await jsm.streams.info(STREAM)).cluster?.leader
    expect(leader).toMatch(/^outpost-n[123]$/)
    const victim = nodes.find((_, i) => `outpost-n${i + 1}` === leader) ?? nodes[0]!
    await victim.kill()
    for (let n = 6; n <= 10; n++) await publish(n)
    await waitFor('both replicas to apply all ten', both(10), 90_000)
    const after = await jsm.streams.info(STREAM)
    expect(after.cluster?.leader).toBeTruthy()
    expect(after.cluster?.leader).not.toBe(leader)
    expect(after.state.messages).toBe(10)

    // Back: it catches up from the others (each record stored three times again).
    await victim.restart()
    await waitFor(
      'the restarted node to be current',
      async () => {
        const info = await jsm.streams.info(STREAM).catch(() => null)
        return (
          info !== null &&
          info.state.messages === 10 &&
          (info.cluster?.replicas ?? []).length === 2 &&
          (info.cluster?.replicas ?? []).every((r) => r.current)
        )
      },
      60_000,
      250,
    )
  }, 240_000)
})

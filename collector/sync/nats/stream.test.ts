import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jetstream, jetstreamManager, type StreamConfig } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../host/log'
import { NatsConfig } from './config'
import { startNatsReplica } from './nats-host'
import { ensureStream, STREAM, streamOptions } from './stream'
import { findNatsServer, startNatsServer, type NatsServerProcess } from './test-nats-server'

const binary = findNatsServer()
const DAY_NS = 86_400 * 1e9

describe.skipIf(binary === null)('the stream’s retention limits (real nats-server)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-nats-stream-'))
  let server: NatsServerProcess
  let nc: NatsConnection

  beforeAll(async () => {
    server = await startNatsServer(binary!, dir)
    nc = await connect({ servers: server.url })
  }, 20_000)

  afterAll(async () => {
    await nc.close()
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  const limits = async (): Promise<Pick<StreamConfig, 'max_age' | 'max_bytes' | 'max_msgs'>> => {
    const { config } = await (await jetstreamManager(nc)).streams.info(STREAM)
    return { max_age: config.max_age, max_bytes: config.max_bytes, max_msgs: config.max_msgs }
  }

  /** A core replica started with these nats: settings, until its stream is set up. */
  const coreStart = async (settings: Record<string, unknown>): Promise<void> => {
    const host = startNatsReplica({
      config: NatsConfig.parse({ enabled: true, servers: [server.url], ...settings }),
      sink: { apply: () => undefined },
      log: silentLogger,
    })
    await host.ready
    await host.stop()
  }

  it('are set when a core creates the stream, and follow the config when it changes', async () => {
    // The defaults: 30 days, no byte or message cap (JetStream's -1).
    await coreStart({})
    expect(await limits()).toEqual({ max_age: 30 * DAY_NS, max_bytes: -1, max_msgs: -1 })
    await coreStart({ max_age_days: 7, max_bytes: 50_000_000, max_msgs: 100_000 })
    expect(await limits()).toEqual({ max_age: 7 * DAY_NS, max_bytes: 50_000_000, max_msgs: 100_000 })
    await coreStart({ max_age_days: 0, max_bytes: 0, max_msgs: 10 })
    expect(await limits()).toEqual({ max_age: 0, max_bytes: -1, max_msgs: 10 })
  }, 30_000)

  it('are enforced: past max_msgs the oldest records go', async () => {
    const js = jetstream(nc)
    for (let i = 0; i < 25; i++) await js.publish('outpost.hq.alert', '{}', { msgID: `limit-${i}` })
    const info = await (await jetstreamManager(nc)).streams.info(STREAM)
    expect(info.state.messages).toBe(10)
    expect(info.state.first_seq).toBe(info.state.last_seq - 9)
  })

  it('a console only creates a missing stream: it leaves the cores’ limits alone', async () => {
    const jsm = await jetstreamManager(nc)
    await ensureStream(jsm, {
      ...streamOptions(NatsConfig.parse({ max_age_days: 1, max_msgs: 5 })),
      update: false,
    })
    expect(await limits()).toEqual({ max_age: 0, max_bytes: -1, max_msgs: 10 })
    await jsm.streams.delete(STREAM)
    await ensureStream(jsm, { ...streamOptions(NatsConfig.parse({ max_msgs: 5 })), update: false })
    expect(await limits()).toEqual({ max_age: 30 * DAY_NS, max_bytes: -1, max_msgs: 5 })
  })

  it('refuses a negative limit with the key named', () => {
    const issues = NatsConfig.safeParse({ max_bytes: -1 }).error?.issues.map((i) => i.path.join('.'))
    expect(issues).toEqual(['max_bytes'])
  })
})

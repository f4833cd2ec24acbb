import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { migrate } from '../../store/sqlite/migrate'
import { migrations } from '../../store/sqlite/migrations'
import { SyncStore } from '../connector/sync-store'
import { NatsConfig } from './config'
import { NatsOutboxPublisher } from './outbox-publisher'
import { STREAM } from './stream'
import { findNatsServer, startNatsServer, type NatsServerProcess } from './test-nats-server'

const binary = findNatsServer()

describe.skipIf(binary === null)('NatsOutboxPublisher (real nats-server)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-nats-outbox-'))
  let server: NatsServerProcess

  beforeAll(async () => {
    server = await startNatsServer(binary!, dir)
  }, 20_000)

  afterAll(async () => {
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('publishes a busy outbox telling the host a few times, not per batch, and skips a record no core would take', async () => {
    const db = new Database(':memory:')
    migrate(db, migrations, ':memory:')
    const store = new SyncStore(db)
    store.useNats(true)
    db.transaction(() => {
      for (let i = 0; i < 400; i++) store.enqueue('alert', `a${i}`, { n: i })
      // Version 0 is not a record any side accepts: it must not hold up the queue behind it.
      store.enqueueRecord({
        kind: 'alert',
        id: 'bad',
        version: 0,
        updated_at: '2026-12-07T12:00:00.000Z',
        origin: 'x',
        deleted: false,
        body: {},
      })
      for (let i = 400; i < 1000; i++) store.enqueue('alert', `a${i}`, { n: i })
    })()
    let changed = 0
    const logged: string[] = []
    const publisher = new NatsOutboxPublisher({
      store,
      config: NatsConfig.parse({ enabled: true, servers: [server.url], site: 'unit' }),
      changed: () => changed++,
      log: (message) => logged.push(message),
    })
    publisher.start()
    const until = Date.now() + 20_000
    while (store.natsDepth() > 0 && Date.now() < until) await new Promise((r) => setTimeout(r, 10))
    await new Promise((r) => setTimeout(r, 600))
    const status = publisher.status()
    await publisher.stop()
    expect(status).toMatchObject({ connected: true, queue_depth: 0, last_error: null })
    // 11 batches of 100 and the connect: a few notifications (one per 500 ms at most, the last kept).
    expect(changed).toBeGreaterThanOrEqual(1)
    expect(changed).toBeLessThanOrEqual(6)
    expect(logged).toEqual(['nats: record not published'])
    const nc = await connect({ servers: server.url })
    try {
      const info = await (await jetstreamManager(nc)).streams.info(STREAM)
      expect(info.state.messages).toBe(1000)
    } finally {
      await nc.close()
    }
    db.close()
  }, 30_000)
})

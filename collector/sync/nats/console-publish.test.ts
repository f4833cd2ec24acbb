import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes, SyncStatus } from '../../contract'
import { createCore, type Core } from '../../host/create-core'
import { silentLogger } from '../../host/log'
import { SqliteStore } from '../../store/sqlite/sqlite-store'
import { SyncConsoles } from '../core/consoles'
import { RecordStore } from '../core/record-store'
import { NatsConfig } from './config'
import { startNatsReplica, type NatsHost } from './nats-host'
import { STREAM } from './stream'
import { findNatsServer, startNatsServer, type NatsServerProcess } from './test-nats-server'
import { waitFor } from '../../host/test-core'

const binary = findNatsServer()

/** A team core replica as `serve --role core` runs it: startNatsReplica into its own record store. */
const coreReplica = (name: string, dir: string, url: string) => {
  mkdirSync(dir, { recursive: true })
  const sqlite = SqliteStore.open(join(dir, 'outpost.sqlite'), { synchronous: 'normal' })
  const store = new RecordStore(sqlite.db)
  // Every key the replica was handed, with each outcome: a key applied twice would show here.
  const outcomes = new Map<string, string[]>()
  const host: NatsHost = startNatsReplica({
    config: NatsConfig.parse({ enabled: true, servers: [url], site: 'hq', replica: name }),
    sink: {
      apply: (record, key) => {
        const result = store.apply(record, key)
        outcomes.set(key, [...(outcomes.get(key) ?? []), result.outcome])
        return result
      },
    },
    log: silentLogger,
  })
  return {
    store,
    outcomes,
    host,
    async stop() {
      await host.stop()
      sqlite.close()
    },
  }
}

/** The console's outbox keys: with no core connected over HTTP every entry stays there. */
const outboxKeys = (dataDir: string): string[] => {
  const db = new Database(join(dataDir, 'outpost.sqlite'), { readonly: true })
  try {
    return (db.prepare('SELECT key FROM sync_outbox ORDER BY seq').all() as Array<{ key: string }>).map(
      (r) => r.key,
    )
  } finally {
    db.close()
  }
}

const callOk = async <T>(core: Core, name: string, req: unknown): Promise<T> => {
  const result = await core.call(name, req)
  if (!result.ok) throw new Error(`${name}: ${result.error.message}`)
  return result.value as T
}

const natsStatus = async (core: Core): Promise<SyncStatus['nats']> =>
  (await callOk<SyncStatus>(core, 'sync:status', {})).nats

/** Changes made on the console, all at once: each is an asset and its audit entry in the outbox. */
const makeAssets = (core: Core, from: number, count: number): Promise<unknown[]> =>
  Promise.all(
    Array.from({ length: count }, (_, i) =>
      callOk(core, 'assets:create', { kind: 'host', value: `ws-${String(from + i).padStart(4, '0')}` }),
    ),
  )

describe.skipIf(binary === null)(
  'a console publishing its outbox to NATS JetStream (real nats-server)',
  () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-nats-console-'))
    const storeDir = join(dir, 'jetstream')
    const consoleDir = join(dir, 'console')
    let server: NatsServerProcess
    const replicas: Array<ReturnType<typeof coreReplica>> = []
    let console: Core | undefined

    beforeAll(async () => {
      server = await startNatsServer(binary!, storeDir)
      mkdirSync(consoleDir, { recursive: true })
      writeFileSync(
        join(consoleDir, 'config.yaml'),
        ['nats:', '  enabled: true', `  servers: [${server.url}]`, '  site: hq', ''].join('\n'),
      )
    }, 20_000)

    afterAll(async () => {
      await console?.stop()
      for (const r of replicas) await r.stop()
      await server.stop()
      rmSync(dir, { recursive: true, force: true })
    })

    // Every key the console ever queued (an entry leaves the outbox once every channel has it).
    const queued = new Set<string>()
    const snapshot = (): string[] => {
      for (const key of outboxKeys(consoleDir)) queued.add(key)
      return [...queued]
    }

    /** Every key the console queued reached both replicas, each applied exactly once. */
    const expectConverged = async (): Promise<void> => {
      const keys = snapshot()
      await waitFor('both replicas to apply every key', () =>
        replicas.every((r) => keys.every((k) => r.outcomes.has(k))),
      )
      for (const r of replicas) {
        expect([...r.outcomes.keys()].sort()).toEqual([...keys].sort())
        for (const [key, outcomes] of r.outcomes)
          expect(
            outcomes.filter((o) => o !== 'duplicate'),
            key,
          ).toHaveLength(1)
      }
      const a = replicas[0]!.store
      const b = replicas[1]!.store
      expect(b.count()).toBe(a.count())
      expect(a.get('asset', 'host:ws-0001')?.record.kind).toBe('asset')
      // JetStream stored each key once too (Nats-Msg-Id de-duplicated the retries).
      const nc = await connect({ servers: server.url })
      try {
        const info = await (await jetstreamManager(nc)).streams.info(STREAM)
        expect(info.state.messages).toBe(keys.length)
      } finally {
        await nc.close()
      }
    }

    it('publishes in order to outpost.<site>.<kind>; two core replicas converge on it', async () => {
      replicas.push(coreReplica('core-a', join(dir, 'a'), server.url))
      replicas.push(coreReplica('core-b', join(dir, 'b'), server.url))
      console = await createCore({ dataDir: consoleDir, ephemeralPorts: true })
      expect((await natsStatus(console)).enabled).toBe(true)
      await makeAssets(console, 1, 20)
      await waitFor('the NATS queue to drain', async () => (await natsStatus(console!)).queue_depth === 0)
      const status = await natsStatus(console)
      expect(status).toMatchObject({ connected: true, site: 'hq', last_error: null, next_retry: null })
      expect(status.last_success).not.toBeNull()
      // The HTTP connector is not configured: the entries stay queued for it.
      expect((await callOk<SyncStatus>(console, 'sync:status', {})).queue_depth).toBe(40)
      await expectConverged()
      // Each replica got the console's records in the order they were queued.
      const order = (r: (typeof replicas)[number]): string[] => [...r.outcomes.keys()]
      expect(order(replicas[0]!)).toEqual(snapshot())
      expect(order(replicas[1]!)).toEqual(snapshot())
    }, 60_000)

    it('nats-server killed mid-publish and restarted: no loss, no duplicate', async () => {
      const core = console!
      await makeAssets(core, 100, 300)
      // Killed while the publisher is part way through the 600 entries.
      let depthAtKill = 0
      await waitFor(
        'publishing to be under way',
        async () => {
          depthAtKill = (await natsStatus(core)).queue_depth
          return depthAtKill < 600
        },
        10_000,
      )
      await server.kill()
      expect(depthAtKill).toBeGreaterThan(0)
      // Changes go on while NATS is down; the UI's calls are not held up.
      const started = Date.now()
      await makeAssets(core, 500, 20)
      expect(Date.now() - started).toBeLessThan(5000)
      await waitFor('the failure to show', async () => {
        const s = await natsStatus(core)
        return !s.connected && s.last_error !== null && s.queue_depth > 0
      })
      server = await startNatsServer(binary!, storeDir, server.port)
      await waitFor('the NATS queue to drain after the restart', async () => {
        const s = await natsStatus(core)
        return s.queue_depth === 0 && s.connected
      })
      expect((await natsStatus(core)).last_error).toBeNull()
      await expectConverged()
    }, 120_000)

    it('a console restarted mid-publish resumes after the last acknowledged entry', async () => {
      await makeAssets(console!, 1000, 300)
      await waitFor(
        'publishing to be under way',
        async () => (await natsStatus(console!)).queue_depth < 600,
        10_000,
      )
      await console!.stop()
      const left = snapshot().length
      console = await createCore({ dataDir: consoleDir, ephemeralPorts: true })
      await waitFor('the rest to be published', async () => (await natsStatus(console!)).queue_depth === 0)
      expect(outboxKeys(consoleDir)).toHaveLength(left)
      await expectConverged()
    }, 120_000)

    it('with the HTTP connector too, each channel has its own cursor: an entry leaves once both have it', async () => {
      // A team core answering the sync API over HTTP, as `serve --role core` does.
      const team = await createCore({ dataDir: join(dir, 'team'), ephemeralPorts: true, role: 'core' })
      const api = team.syncApi!
      const http = createServer((req, res) => {
        void api.handle(req, res, new URL(req.url ?? '/', 'http://127.0.0.1'))
      })
      await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
      try {
        const db = new Database(join(dir, 'team', 'outpost.sqlite'))
        db.pragma('busy_timeout = 5000')
        const { token } = new SyncConsoles(db).add('ws-nats', 'analyst')
        db.close()
        // NATS is down while the console works and connects: the core gets everything first.
        await server.kill()
        await makeAssets(console!, 2000, 10)
        const entries = snapshot().length
        await callOk(console!, 'sync:connect', {
          url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
          token,
        })
        await waitFor('the core to take the outbox', async () => {
          const s = await callOk<SyncStatus>(console!, 'sync:status', {})
          return s.queue_depth === 0
        })
        const status = await callOk<SyncStatus>(console!, 'sync:status', {})
        expect(status.nats.queue_depth).toBe(20)
        expect(outboxKeys(consoleDir)).toHaveLength(20)
        const onTeam = await callOk<CallRes<'assets:get'>>(team, 'assets:get', { id: 'host:ws-2000' })
        expect(onTeam.asset.value).toBe('ws-2000')
        // NATS back: it publishes its share, and then the outbox is empty.
        server = await startNatsServer(binary!, storeDir, server.port)
        await waitFor('NATS to catch up', async () => (await natsStatus(console!)).queue_depth === 0)
        await waitFor('the outbox to empty', () => outboxKeys(consoleDir).length === 0)
        expect(snapshot()).toHaveLength(entries)
        await expectConverged()
      } finally {
        await new Promise<void>((resolve) => http.close(() => resolve()))
        await team.stop()
      }
    }, 120_000)
  },
)

describe('a console with nats.enabled and no NATS server', () => {
  it('keeps working, says why nothing is published, and stops promptly', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outpost-nats-console-none-'))
    try {
      writeFileSync(
        join(dataDir, 'config.yaml'),
        ['nats:', '  enabled: true', '  servers: [nats://127.0.0.1:1]', ''].join('\n'),
      )
      const core = await createCore({ dataDir, ephemeralPorts: true })
      await makeAssets(core, 1, 3)
      await waitFor('the error to show', async () => (await natsStatus(core)).last_error !== null, 10_000)
      const status = await natsStatus(core)
      expect(status).toMatchObject({ enabled: true, connected: false, queue_depth: 6 })
      expect(status.next_retry).not.toBeNull()
      const started = Date.now()
      await core.stop()
      expect(Date.now() - started).toBeLessThan(3000)
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  }, 30_000)
})

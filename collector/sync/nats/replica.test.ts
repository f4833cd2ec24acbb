import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { silentLogger } from '../../host/log'
import { SqliteStore } from '../../store/sqlite/sqlite-store'
import { RecordStore, type StoredRecord } from '../core/record-store'
import { idempotencyKey, type SyncKind, type SyncRecord } from '../records'
import { NatsPublisher } from './publisher'
import { NatsReplica, type RecordSink } from './replica'
import { STREAM, ensureConsumer, ensureStream, subjectFor } from './stream'
import { findNatsServer, startNatsServer, type NatsServerProcess } from './test-nats-server'
import { waitFor } from '../../host/test-core'

const binary = findNatsServer()
const dirs: string[] = []
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-nats-'))
  dirs.push(dir)
  return dir
}

const record = (kind: SyncKind, id: string, version: number, origin = 'console-a'): SyncRecord => ({
  kind,
  id,
  version,
  updated_at: new Date(Date.UTC(2026, 11, 7, 12, 0, version)).toISOString(),
  origin,
  deleted: false,
  body: { title: `${kind} ${id} v${version}` },
})

/** A store's contents without its local seqs: what two converged replicas must agree on. */
const contents = (store: RecordStore): SyncRecord[] =>
  store
    .since(0, [], 1000)
    .records.map((r: StoredRecord) => r.record)
    .sort((a, b) => (a.kind + a.id < b.kind + b.id ? -1 : 1))

/** A core replica: its own SQLite record store, its own connection and durable consumer. */
const replica = (name: string, dbDir = tempDir()) => {
  const sqlite = SqliteStore.open(join(dbDir, 'outpost.sqlite'), { synchronous: 'normal' })
  const store = new RecordStore(sqlite.db)
  const outcomes = new Map<string, string[]>()
  let beforeAck: ((key: string) => void) | undefined
  const sink: RecordSink = {
    apply: (r, key) => {
      const result = store.apply(r, key)
      outcomes.set(key, [...(outcomes.get(key) ?? []), result.outcome])
      beforeAck?.(key)
      return result
    },
  }
  let nc: NatsConnection | undefined
  let consumer: NatsReplica | undefined
  return {
    name,
    dbDir,
    store,
    outcomes,
    /** Runs after each apply commits and before its ack (a crash there is what redelivery covers). */
    onApplied(hook: ((key: string) => void) | undefined) {
      beforeAck = hook
    },
    async start(url: string) {
      nc = await connect({ servers: url })
      const durable = await ensureConsumer(await jetstreamManager(nc), name, { ackWaitMs: 1000 })
      consumer = new NatsReplica({ js: jetstream(nc), durable, sink, log: silentLogger, retryMs: 50 })
      await consumer.start()
    },
    rejected: () => consumer?.stats.rejected ?? 0,
    async stop() {
      await consumer?.stop()
      await nc?.close()
    },
    close() {
      sqlite.close()
    },
  }
}

describe.skipIf(binary === null)('NATS JetStream replicas (a real nats-server on loopback)', () => {
  let server: NatsServerProcess
  let storeDir = ''
  let console1: NatsConnection
  let publisher: NatsPublisher

  beforeAll(async () => {
    storeDir = tempDir()
    server = await startNatsServer(binary!, storeDir)
    console1 = await connect({ servers: server.url })
    await ensureStream(await jetstreamManager(console1), { replicas: 1, duplicateWindowS: 120 })
    publisher = new NatsPublisher(jetstream(console1), 'site-a')
  }, 20_000)
  afterAll(async () => {
    await console1.close()
    await server.stop()
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
  })

  it('names subjects per site and kind, and refuses tokens that would break them', () => {
    expect(subjectFor('site-a', 'incident')).toBe('outpost.site-a.incident')
    expect(() => subjectFor('a.b', 'alert')).toThrow(/site "a.b"/)
    expect(() => subjectFor('*', 'alert')).toThrow(/site/)
    expect(() => subjectFor('x', 'nope' as SyncKind)).toThrow(/kind "nope"/)
  })

  it('stores a republished key once (JetStream dedup by message id)', async () => {
    const r = record('alert', 'dedup-1', 1)
    const first = await publisher.publish(r, 'console-a:dedup')
    const again = await publisher.publish(r, 'console-a:dedup')
    expect(first.duplicate).toBe(false)
    expect(again).toEqual({ seq: first.seq, duplicate: true })
    await expect(publisher.publish({ ...r, version: 0 }, 'k')).rejects.toThrow(/version must be/)
  })

  it('two replicas converge, one stopped mid-way catches up, each record applied once; records published while it was down survive', async () => {
    const a = replica('a')
    const b = replica('b')
    // Replica b fails right after its 10th apply committed, before the ack (the window a crash
    // leaves), and is stopped: that record comes again after the restart.
    let appliedByB = 0
    let crashed = false
    b.onApplied(() => {
      if (++appliedByB === 10 && !crashed) {
        crashed = true
        void b.stop()
        throw new Error('crash after commit, before ack')
      }
    })
    await a.start(server.url)
    await b.start(server.url)

    // A console's records: incidents and alerts, with a conflict published out of order (v2 before v1).
    const keys: string[] = []
    let seq = 0
    const send = async (r: SyncRecord): Promise<void> => {
      const key = idempotencyKey(r.origin, ++seq)
      keys.push(key)
      await publisher.publish(r, key)
    }
    for (let i = 0; i < 20; i++) await send(record(i % 2 ? 'alert' : 'incident', `obj-${i}`, 1))
    await send(record('incident', 'contested', 2, 'console-b'))
    await send(record('incident', 'contested', 1, 'console-a'))

    await waitFor('a to apply all', () => keys.every((k) => a.outcomes.has(k)))
    await waitFor('b to stop', () => crashed)
    await b.stop()
    const bBefore = b.store.count()
    expect(bBefore).toBeLessThan(a.store.count())

    // While b is down the console keeps publishing: JetStream keeps them for b's durable consumer.
    for (let i = 20; i < 30; i++) await send(record('report', `obj-${i}`, 1))
    await send(record('alert', 'obj-1', 2))

    b.onApplied(undefined)
    await b.start(server.url)
    await waitFor('b to catch up', () => keys.every((k) => b.outcomes.has(k)))
    await waitFor('a to apply the rest', () => keys.every((k) => a.outcomes.has(k)))

    expect(contents(b.store)).toEqual(contents(a.store))
    // 20 + contested + 10 reports, and the alert of the dedup test: durable consumers start at the first record.
    expect(a.store.count()).toBe(32)
    expect(a.store.get('incident', 'contested')?.record).toMatchObject({ version: 2, origin: 'console-b' })
    expect(a.store.get('alert', 'obj-1')?.record.version).toBe(2)
    for (const r of [a, b])
      for (const key of keys) {
        // Stored once per key: a redelivery (the record b applied but never acked) is a duplicate.
        const outcomes = r.outcomes.get(key) ?? []
        expect(
          outcomes.filter((o) => o !== 'duplicate'),
          `${r.name} ${key}`,
        ).toHaveLength(1)
      }
    const redelivered = [...b.outcomes.values()].filter((o) => o.length > 1)
    expect(redelivered.length).toBeGreaterThanOrEqual(1)
    expect(redelivered.every((o) => o.slice(1).every((x) => x === 'duplicate'))).toBe(true)

    await a.stop()
    await b.stop()
    a.close()
    b.close()
  }, 60_000)

  it('a replica restarted on the same database after nats-server restarts still gets what was published meanwhile (file storage)', async () => {
    const c = replica('c')
    await c.start(server.url)
    const before = await publisher.publish(record('asset', 'persist-0', 1), 'console-a:persist-0')
    await waitFor('c to apply the first', () => c.outcomes.has('console-a:persist-0'))
    await c.stop()
    await publisher.publish(record('asset', 'persist-1', 1), 'console-a:persist-1')
    await console1.close()
    await server.stop()

    server = await startNatsServer(binary!, storeDir, server.port)
    console1 = await connect({ servers: server.url })
    publisher = new NatsPublisher(jetstream(console1), 'site-a')
    const info = await (await jetstreamManager(console1)).streams.info(STREAM)
    expect(info.state.last_seq).toBeGreaterThan(before.seq)

    await c.start(server.url)
    await waitFor('c to apply what came while it was down', () => c.outcomes.has('console-a:persist-1'))
    expect(c.store.get('asset', 'persist-1')?.record.version).toBe(1)
    expect(c.outcomes.get('console-a:persist-0')).toEqual(['applied'])
    await c.stop()
    c.close()
  }, 60_000)

  it('terminates a message that is not a record instead of redelivering it forever', async () => {
    const d = replica('d')
    await d.start(server.url)
    await jetstream(console1).publish(subjectFor('site-a', 'alert'), 'not json', { msgID: 'junk-1' })
    await jetstream(console1).publish(
      subjectFor('site-a', 'alert'),
      JSON.stringify({ key: 'k', record: {} }),
      {
        msgID: 'junk-2',
      },
    )
    await publisher.publish(record('alert', 'after-junk', 1), 'console-a:after-junk')
    await waitFor('d to pass the junk', () => d.outcomes.has('console-a:after-junk'))
    expect(d.rejected()).toBe(2)
    expect(d.store.get('alert', 'after-junk')).not.toBeNull()
    await d.stop()
    d.close()
  }, 30_000)
})

import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes } from '../../contract'
import { createCore, type Core } from '../../host/create-core'
import { callOk } from '../../host/test-core'
import { SyncConsoles } from '../core/consoles'
import { idempotencyKey, type SyncRecord } from '../records'
import { NatsPublisher } from './publisher'
import { ensureStream, STREAM } from './stream'
import { findNatsServer, startNatsServer, type NatsServerProcess } from './test-nats-server'

const binary = findNatsServer()

const waitFor = async (what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> => {
  const until = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 100))
  }
}

/** One synced record as a core's database holds it, read beside the running core (WAL). */
const stored = (dataDir: string, kind: string, id: string): SyncRecord | null => {
  const db = new Database(join(dataDir, 'outpost.sqlite'), { readonly: true })
  try {
    const row = db.prepare('SELECT * FROM sync_records WHERE kind = ? AND id = ?').get(kind, id) as
      { version: number; origin: string; body: string } | undefined
    return row
      ? ({ ...row, body: JSON.parse(row.body) as Record<string, unknown> } as unknown as SyncRecord)
      : null
  } finally {
    db.close()
  }
}

describe.skipIf(binary === null)('core replicas publish the records they make to the stream', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-nats-core-publish-'))
  let server: NatsServerProcess
  let nc: NatsConnection
  let jsm: JetStreamManager
  let r1: Core
  let r2: Core
  let analyst: Core
  let http: Server

  const messages = async (): Promise<number> => (await jsm.streams.info(STREAM)).state.messages

  beforeAll(async () => {
    server = await startNatsServer(binary!, join(dir, 'jetstream'))
    nc = await connect({ servers: server.url })
    jsm = await jetstreamManager(nc)
    await ensureStream(jsm, { replicas: 1, duplicateWindowS: 120 })
    const start = (name: string): Promise<Core> => {
      const dataDir = join(dir, name)
      mkdirSync(dataDir, { recursive: true })
      writeFileSync(
        join(dataDir, 'config.yaml'),
        [
          'nats:',
          '  enabled: true',
          `  servers: [${server.url}]`,
          '  site: hq',
          `  replica: ${name}`,
          '',
        ].join('\n'),
      )
      return createCore({ dataDir, ephemeralPorts: true, role: 'core' })
    }
    ;[r1, r2, analyst] = await Promise.all([
      start('core-1'),
      start('core-2'),
      createCore({ dataDir: join(dir, 'console'), ephemeralPorts: true }),
    ])
    // The console reaches replica 2 only, over its sync API.
    const api = r2.syncApi!
    http = createServer((req, res) => {
      void api.handle(req, res, new URL(req.url ?? '/', 'http://127.0.0.1'))
    })
    await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve))
    const db = new Database(join(dir, 'core-2', 'outpost.sqlite'))
    db.pragma('busy_timeout = 5000')
    const { token } = new SyncConsoles(db).add('ws-1', 'admin')
    db.close()
    await callOk(analyst, 'sync:connect', {
      url: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
      token,
    })
  }, 60_000)
  afterAll(async () => {
    await new Promise<void>((resolve) => http.close(() => resolve()))
    await Promise.all([r1.stop(), r2.stop(), analyst.stop()])
    await nc.close()
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('an operation created on replica 1 is pulled by a console from replica 2', async () => {
    const { operation } = await callOk<CallRes<'operations:create'>>(r1, 'operations:create', {
      name: 'Op Lantern',
    })
    await waitFor(
      'replica 2 to store the operation',
      () => stored(join(dir, 'core-2'), 'operation', operation.id) !== null,
    )
    // In replica 2's own tables too.
    const onR2 = await callOk<CallRes<'operations:list'>>(r2, 'operations:list', {})
    expect(onR2.operations.map((o) => o.name)).toContain('Op Lantern')
    await callOk(analyst, 'sync:pull-now', {})
    const onConsole = await callOk<CallRes<'operations:list'>>(analyst, 'operations:list', {})
    expect(onConsole.operations.map((o) => o.name)).toContain('Op Lantern')
  }, 60_000)

  it("a core analyst's edit of a console's incident on replica 1 reaches replica 2, and nothing echoes", async () => {
    // A console's incident, published to the stream: both replicas apply it.
    const incident: SyncRecord = {
      kind: 'incident',
      id: 'inc-nats-1',
      version: 1,
      updated_at: '2026-12-07T09:00:00.000Z',
      origin: 'console-7',
      deleted: false,
      body: { title: 'Beacon from ws-3', status: 'new', severity: 'high' },
    }
    await new NatsPublisher(jetstream(nc), 'hq').publish(incident, idempotencyKey('console-7', 1))
    const title = async (core: Core): Promise<string | null> => {
      const result = await core.call('incidents:get', { id: 'inc-nats-1' })
      return result.ok ? (result.value as CallRes<'incidents:get'>).incident.title : null
    }
    await waitFor(
      'both replicas to show the incident',
      async () => (await title(r1)) !== null && (await title(r2)) !== null,
    )
    await callOk(r1, 'incidents:update', { id: 'inc-nats-1', status: 'triage', assignee: 'core-analyst' })
    await waitFor('replica 2 to show the edit', async () => {
      const result = await r2.call('incidents:get', { id: 'inc-nats-1' })
      return result.ok && (result.value as CallRes<'incidents:get'>).incident.status === 'triage'
    })
    const onR2 = await callOk<CallRes<'incidents:get'>>(r2, 'incidents:get', { id: 'inc-nats-1' })
    expect(onR2.incident.assignee).toBe('core-analyst')
    expect(stored(join(dir, 'core-2'), 'incident', 'inc-nats-1')).toMatchObject({ version: 2 })
    // The stream holds the operation, the console's incident and the one edit: no replica
    // republished what it applied, however long we wait.
    await new Promise((r) => setTimeout(r, 1500))
    expect(await messages()).toBe(3)
    expect(stored(join(dir, 'core-1'), 'incident', 'inc-nats-1')).toMatchObject({ version: 2 })
    const status = await callOk<CallRes<'sync:status'>>(r1, 'sync:status', {})
    expect(status.nats).toMatchObject({ enabled: true, connected: true, queue_depth: 0 })
  }, 60_000)
})

import { createHash } from 'node:crypto'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import type { Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream'
import { connect, type NatsConnection } from '@nats-io/transport-node'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes } from '../../contract'
import { createCore, type Core } from '../../host/create-core'
import { callOk, waitFor } from '../../host/test-core'
import { addConsole, serveSync } from '../test-sync-service'
import { idempotencyKey, type SyncRecord } from '../records'
import { NatsPublisher } from './publisher'
import { ensureStream, STREAM } from './stream'
import { findNatsServer, startNatsServer, type NatsServerProcess, natsConfigYaml } from './test-nats-server'

const binary = findNatsServer()

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

const syncCall = async (url: string, token: string, init: RequestInit = {}): Promise<unknown> => {
  const res = await fetch(url, {
    ...init,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  })
  const body = (await res.json()) as { ok: boolean; value?: unknown; error?: unknown }
  if (!body.ok) throw new Error(`${url}: ${JSON.stringify(body.error)}`)
  return body.value
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
      writeFileSync(join(dataDir, 'config.yaml'), natsConfigYaml(server.url, name))
      return createCore({ dataDir, ephemeralPorts: true, role: 'core' })
    }
    ;[r1, r2, analyst] = await Promise.all([
      start('core-1'),
      start('core-2'),
      createCore({ dataDir: join(dir, 'console'), ephemeralPorts: true }),
    ])
    // The console reaches replica 2 only, over its sync API.
    const served = await serveSync(r2)
    http = served.server
    await callOk(analyst, 'sync:connect', {
      url: served.url,
      token: addConsole(join(dir, 'core-2'), 'ws-1', 'admin'),
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
  it("a console's push over HTTP to replica 2 reaches replica 1; concurrent edits on the two merge to the same record on both", async () => {
    const r2Url = (await serveSync(r2)).url
    const r1Served = await serveSync(r1)
    const viaR2 = addConsole(join(dir, 'core-2'), 'ws-9', 'analyst')
    const viaR1 = addConsole(join(dir, 'core-1'), 'ws-9', 'analyst')
    const push = (record: SyncRecord, key: string): Promise<unknown> =>
      syncCall(`${r2Url}/sync/v1/push`, viaR2, {
        method: 'POST',
        body: JSON.stringify({ records: [{ key, record }] }),
      })
    const v1: SyncRecord = {
      kind: 'incident',
      id: 'inc-http-1',
      version: 1,
      updated_at: '2026-12-07T10:00:00.000Z',
      origin: 'console-9',
      deleted: false,
      body: {
        incident: {
          id: 'inc-http-1',
          title: 'Lateral movement from ws-9',
          status: 'new',
          severity: 'medium',
        },
        comments: [],
      },
    }
    await push(v1, idempotencyKey('console-9', 1))
    // Replica 1 never saw the push: it has the record from the stream, relayed by replica 2.
    await waitFor(
      'replica 1 to store the pushed incident',
      () => stored(join(dir, 'core-1'), 'incident', 'inc-http-1') !== null,
    )
    const onR1 = await callOk<CallRes<'incidents:get'>>(r1, 'incidents:get', { id: 'inc-http-1' })
    expect(onR1.incident.title).toBe('Lateral movement from ws-9')

    // Concurrently: replica 1's analyst takes the incident; the console raises its severity and
    // comments, pushed to replica 2. Each replica merges the other's version against its own.
    const v2: SyncRecord = {
      ...v1,
      version: 2,
      base: 1,
      updated_at: '2026-12-07T10:05:00.000Z',
      body: {
        incident: { ...(v1.body.incident as object), severity: 'high' },
        comments: [
          { id: 'c-9-1', author: 'ws-9', at: '2026-12-07T10:05:00.000Z', text: 'Seen on two hosts' },
        ],
      },
    }
    await Promise.all([
      callOk(r1, 'incidents:update', { id: 'inc-http-1', status: 'triage', assignee: 'core-analyst' }),
      push(v2, idempotencyKey('console-9', 2)),
    ])
    const settled = (d: string): boolean => {
      const record = stored(join(dir, d), 'incident', 'inc-http-1')
      return record !== null && record.version === 3
    }
    await waitFor('both replicas to merge', () => settled('core-1') && settled('core-2'))
    const a = stored(join(dir, 'core-1'), 'incident', 'inc-http-1')!
    const b = stored(join(dir, 'core-2'), 'incident', 'inc-http-1')!
    expect(a.body.incident).toMatchObject({ status: 'triage', assignee: 'core-analyst', severity: 'high' })
    expect((a.body.comments as Array<{ id: string }>).map((c) => c.id)).toEqual(['c-9-1'])
    // The same record on both, made by the team, not by either replica.
    const record = ({ kind, id, version, updated_at, origin, deleted, body }: SyncRecord) => ({
      ...{ kind, id, version, updated_at, origin, deleted, body },
    })
    expect(record(b)).toEqual(record(a))
    expect(a.origin).toBe('outpost-team-hq')

    // The console that pushed through replica 2 pulls the merge from replica 1 too (it holds the
    // incident on every replica), and neither replica publishes the merge: nothing echoes.
    const page = (await syncCall(`${r1Served.url}/sync/v1/pull?cursor=0&kinds=incident`, viaR1)) as {
      records: Array<{ record: SyncRecord }>
    }
    expect(page.records.map((r) => [r.record.id, r.record.version])).toContainEqual(['inc-http-1', 3])
    await new Promise((r) => setTimeout(r, 1500))
    expect(stored(join(dir, 'core-1'), 'incident', 'inc-http-1')).toMatchObject({ version: 3 })
    const status = await callOk<CallRes<'sync:status'>>(r2, 'sync:status', {})
    expect(status.nats).toMatchObject({ connected: true, queue_depth: 0 })
  }, 60_000)
  it('evidence a console pushed to replica 2 is served by replica 1 (the shared bucket), hash checked', async () => {
    const r1Url = (await serveSync(r1)).url
    const r2Url = (await serveSync(r2)).url
    const viaR2 = addConsole(join(dir, 'core-2'), 'ws-evidence', 'analyst')
    const viaR1 = addConsole(join(dir, 'core-1'), 'ws-evidence', 'analyst')
    const bytes = Buffer.from('pcap excerpt: 10.0.0.5 -> 203.0.113.9:443\n'.repeat(2000))
    const sha = createHash('sha256').update(bytes).digest('hex')
    const put = await fetch(`${r2Url}/sync/v1/evidence/${sha}`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${viaR2}`, 'content-type': 'application/octet-stream' },
      body: bytes,
    })
    expect(put.status).toBe(200)
    let got: Response | undefined
    await waitFor('replica 1 to serve the file', async () => {
      got = await fetch(`${r1Url}/sync/v1/evidence/${sha}`, { headers: { authorization: `Bearer ${viaR1}` } })
      return got.status === 200
    })
    expect(got!.headers.get('x-content-sha256')).toBe(sha)
    expect(Buffer.from(await got!.arrayBuffer()).equals(bytes)).toBe(true)
    // Kept by replica 1 from then on.
    expect(readFileSync(join(dir, 'core-1', 'sync', 'evidence', sha)).equals(bytes)).toBe(true)
    const unknown = '0'.repeat(64)
    const missing = await fetch(`${r1Url}/sync/v1/evidence/${unknown}`, {
      headers: { authorization: `Bearer ${viaR1}` },
    })
    expect(missing.status).toBe(404)
  }, 60_000)
})

import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import type { CallRes, SettingsSnapshot, SyncStatus } from '../contract'
import { SyncConsoles } from '../sync/core/consoles'
import { STREAM } from '../sync/nats/stream'
import { findNatsServer, startNatsServer, type NatsServerProcess } from '../sync/nats/test-nats-server'
import { TaxiiPuller } from '../sync/taxii/client'
import { TaxiiConfig } from '../sync/taxii/config'
import { createCore, type Core, type CoreOptions } from './create-core'
import { callOk } from './test-core'

const dirs: string[] = []
const cores: Core[] = []
const servers: Server[] = []
const dataDir = (config = ''): string => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-settings-sync-'))
  dirs.push(dir)
  if (config) writeFileSync(join(dir, 'config.yaml'), config)
  return dir
}
const start = async (dir: string, options: Partial<CoreOptions> = {}): Promise<Core> => {
  const core = await createCore({ dataDir: dir, ephemeralPorts: true, ...options })
  cores.push(core)
  return core
}
const listen = async (server: Server): Promise<number> => {
  servers.push(server)
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return (server.address() as AddressInfo).port
}
afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.stop()))
  await Promise.all(servers.splice(0).map((s) => new Promise<void>((resolve) => s.close(() => resolve()))))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const save = async (core: Core, section: string, values: Record<string, unknown>) => {
  const { hash } = await callOk<SettingsSnapshot>(core, 'settings:get', {})
  return callOk<CallRes<'settings:update'>>(core, 'settings:update', { section, values, base_hash: hash })
}

const waitFor = async (what: string, check: () => boolean | Promise<boolean>, ms = 20_000): Promise<void> => {
  const until = Date.now() + ms
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`)
    await new Promise((r) => setTimeout(r, 25))
  }
}

const status = (core: Core): Promise<SyncStatus> => callOk<SyncStatus>(core, 'sync:status', {})

describe('sync settings applied to a running core', () => {
  it('connector.interval_s: the next run is retimed to the new interval', async () => {
    // A team core's sync API over HTTP, counting the pulls a console makes.
    const team = await start(dataDir(), { role: 'core' })
    const pulls: number[] = []
    const port = await listen(
      createServer((req, res) => {
        const url = new URL(req.url ?? '/', 'http://127.0.0.1')
        if (url.pathname === '/sync/v1/pull') pulls.push(Date.now())
        void team.syncApi!.handle(req, res, url)
      }),
    )
    const db = new Database(join(team.dataDir, 'outpost.sqlite'))
    db.pragma('busy_timeout = 5000')
    const { token } = new SyncConsoles(db).add('ws-interval', 'analyst')
    db.close()
    const console = await start(
      dataDir(`connector:\n  url: http://127.0.0.1:${port}\n  token: ${token}\n  interval_s: 3600\n`),
    )
    await waitFor('the first run', () => pulls.length === 1)
    await new Promise((r) => setTimeout(r, 1500))
    expect(pulls).toHaveLength(1) // the next is an hour away

    const saved = await save(console, 'connector', { interval_s: 1 })
    expect(saved).toMatchObject({ applied: ['connector.interval_s'], restart: [] })
    expect(saved.settings.restart_required).toEqual([])
    // The last run was over a second ago: the next comes at once, then every second.
    await waitFor('runs at the new interval', () => pulls.length >= 3, 10_000)
    expect(pulls[1]! - pulls[0]!).toBeGreaterThanOrEqual(1000)
    expect(pulls[2]! - pulls[1]!).toBeGreaterThanOrEqual(900)
    expect(pulls[2]! - pulls[1]!).toBeLessThan(3000)
    expect(console.config.connector.interval_s).toBe(1)
  }, 30_000)

  it('taxii.sources: a source added is pulled, one removed is not, and status follows', async () => {
    const seen: string[] = []
    const port = await listen(
      createServer((req, res) => {
        seen.push(new URL(req.url ?? '/', 'http://x').pathname)
        res.writeHead(200, { 'content-type': 'application/taxii+json;version=2.1' })
        res.end(JSON.stringify({ more: false }))
      }),
    )
    const url = (collection: string) => `http://127.0.0.1:${port}/api1/collections/${collection}/objects/`
    const core = await start(dataDir())
    const added = await save(core, 'taxii', { sources: [{ name: 'feed-a', url: url('a') }] })
    expect(added).toMatchObject({ applied: ['taxii.sources'], restart: [] })
    await waitFor('feed-a to be pulled', () => seen.includes('/api1/collections/a/objects/'))

    const replaced = await save(core, 'taxii', { sources: [{ name: 'feed-b', url: url('b') }] })
    expect(replaced.applied).toEqual(['taxii.sources'])
    await waitFor('feed-b to be pulled', () => seen.includes('/api1/collections/b/objects/'))
    const { sources } = await callOk<CallRes<'taxii:sources'>>(core, 'taxii:sources', {})
    expect(sources.map((s) => s.name)).toEqual(['feed-b'])
    const gone = await core.call('taxii:pull-now', { source: 'feed-a' })
    expect(gone).toMatchObject({ ok: false, error: { code: 'not_found' } })
    expect(seen.filter((path) => path.includes('/a/'))).toHaveLength(1)
  })

  it('bundles.mode: the next import is refused, and the bundle channel shows in sync:status', async () => {
    const core = await start(dataDir())
    expect((await status(core)).bundles).toMatchObject({ mode: 'two-way', channel: false })
    const saved = await save(core, 'bundles', { mode: 'export-only' })
    expect(saved).toMatchObject({ applied: ['bundles.mode'], restart: [] })
    const refused = await core.call('bundles:import', { path: join(core.dataDir, 'none.bundle') })
    expect(refused).toMatchObject({ ok: false, error: { code: 'unsupported' } })
    if (!refused.ok) expect(refused.error.message).toMatch(/this installation is export-only/)
    // The outbox is now carried by bundles: what is queued counts as not carried yet.
    await callOk(core, 'reports:create', { title: 'Diode sitrep' })
    const after = (await status(core)).bundles
    expect(after).toMatchObject({ mode: 'export-only', channel: true, last_export: null })
    expect(after.queue_depth).toBeGreaterThan(0)
    const out = join(core.dataDir, 'out.bundle')
    await callOk(core, 'bundles:export', { out, outbox: true })
    const exported = (await status(core)).bundles
    expect(exported.queue_depth).toBe(0)
    expect(exported.last_export).not.toBeNull()

    await save(core, 'bundles', { mode: 'import-only' })
    const noExport = await core.call('bundles:export', { out: join(core.dataDir, 'x.bundle') })
    expect(noExport).toMatchObject({ ok: false, error: { code: 'unsupported' } })
    expect((await status(core)).bundles).toMatchObject({ mode: 'import-only', channel: false })
  })
})

describe('TaxiiPuller.setSources', () => {
  afterEach(() => {
    vi.useRealTimers()
  })

  it('stops pulling a removed source, keeps an unchanged one on its timers, pulls a new one', () => {
    vi.useFakeTimers()
    const sources = TaxiiConfig.parse({
      sources: [
        { name: 'a', url: 'https://a.example.org/api1/collections/c/objects/', interval_s: 60 },
        { name: 'b', url: 'https://b.example.org/api1/collections/c/objects/', interval_s: 60 },
      ],
    }).sources
    const puller = new TaxiiPuller({ sources, repo: {} as never, db: {} as never, log: {} as never })
    const pulled: string[] = []
    vi.spyOn(puller, 'pull').mockImplementation((name) => {
      pulled.push(name)
      return Promise.resolve({ source: name, stored: 0, removed: 0, skipped: {}, pages: 0, error: null })
    })
    puller.start(5_000)
    vi.advanceTimersByTime(5_000)
    expect(pulled.sort()).toEqual(['a', 'b'])
    pulled.length = 0
    const c = TaxiiConfig.parse({
      sources: [{ name: 'c', url: 'https://c.example.org/api1/collections/c/objects/', interval_s: 120 }],
    }).sources[0]!
    puller.setSources([sources[1]!, c])
    vi.advanceTimersByTime(1_000)
    expect(pulled).toEqual(['c'])
    vi.advanceTimersByTime(59_000) // b's interval from its start; a is gone
    expect(pulled).toEqual(['c', 'b'])
    vi.advanceTimersByTime(600_000)
    expect(pulled.filter((name) => name === 'a')).toEqual([])
    expect(pulled.filter((name) => name === 'b')).toHaveLength(11)
    expect(pulled.filter((name) => name === 'c')).toHaveLength(6)
  })
})

const binary = findNatsServer()

describe.skipIf(binary === null)('NATS settings on a running Outpost (real nats-server)', () => {
  const root = mkdtempSync(join(tmpdir(), 'outpost-settings-nats-'))
  let server: NatsServerProcess
  beforeAll(async () => {
    server = await startNatsServer(binary!, join(root, 'jetstream'), undefined, { monitor: true })
  }, 20_000)
  afterAll(async () => {
    await server.stop()
    rmSync(root, { recursive: true, force: true })
  })

  /** The names of the clients connected to the server now. */
  const clients = async (): Promise<string[]> => {
    const response = await fetch(`${server.monitorUrl!}/connz`)
    const body = (await response.json()) as { connections?: Array<{ name?: string }> }
    return (body.connections ?? []).map((c) => c.name ?? '')
  }
  const streamMessages = async (): Promise<number> => {
    const nc = await connect({ servers: server.url })
    try {
      return (await (await jetstreamManager(nc)).streams.info(STREAM)).state.messages
    } catch {
      return 0
    } finally {
      await nc.close()
    }
  }
  const outboxKeys = (dir: string): string[] => {
    const db = new Database(join(dir, 'outpost.sqlite'), { readonly: true })
    try {
      return db.prepare('SELECT key FROM sync_outbox ORDER BY seq').pluck().all() as string[]
    } finally {
      db.close()
    }
  }
  const makeAssets = (core: Core, from: number, count: number) =>
    Promise.all(
      Array.from({ length: count }, (_, i) =>
        callOk(core, 'assets:create', { kind: 'host', value: `live-${from + i}` }),
      ),
    )

  it('a console: switched on while records wait (first to a dead server), publishes; off, it stops and disconnects', async () => {
    const dir = dataDir()
    const console = await start(dir)
    await makeAssets(console, 0, 10) // 20 entries: each asset and its audit entry
    expect((await status(console)).nats.enabled).toBe(false)

    // On, but to a server that does not answer: nothing is lost while it retries.
    const dead = await save(console, 'nats', { enabled: true, servers: ['nats://127.0.0.1:1'], site: 'live' })
    expect(dead.applied).toEqual(['nats.enabled', 'nats.servers', 'nats.site'])
    expect(dead.settings.restart_required).toEqual([])
    await waitFor('the NATS error to show', async () => (await status(console)).nats.last_error !== null)
    expect((await status(console)).nats).toMatchObject({ enabled: true, connected: false, queue_depth: 20 })

    // Switched to the real server with the 20 entries queued: all of them published.
    await save(console, 'nats', { servers: [server.url] })
    await waitFor('the queue to drain', async () => {
      const s = (await status(console)).nats
      return s.connected && s.queue_depth === 0
    })
    expect(await streamMessages()).toBe(20)
    expect(await clients()).toContain('outpost-console-live')
    // The HTTP channel (not configured) still keeps every entry for the core it will reach.
    expect(outboxKeys(dir)).toHaveLength(20)

    // Off: the publisher stops and its connection closes; changes queue meanwhile.
    await save(console, 'nats', { enabled: false })
    await waitFor('the connection to close', async () => !(await clients()).includes('outpost-console-live'))
    expect((await status(console)).nats).toMatchObject({ enabled: false, connected: false })
    await makeAssets(console, 100, 5)
    await new Promise((r) => setTimeout(r, 300))
    expect(await streamMessages()).toBe(20)

    // On again: what was queued while off is published, nothing twice.
    await save(console, 'nats', { enabled: true })
    await waitFor('the rest to be published', async () => (await status(console)).nats.queue_depth === 0)
    expect(await streamMessages()).toBe(30)
    expect(outboxKeys(dir)).toHaveLength(30)
  }, 60_000)

  it('a core: switched on, its replica consumes what a console published; off, it disconnects', async () => {
    const team = await start(dataDir(), { role: 'core' })
    const console = await start(
      dataDir(`nats:\n  enabled: true\n  servers: [${server.url}]\n  site: branch\n`),
    )
    await callOk(console, 'assets:create', { kind: 'host', value: 'nats-live-1' })
    await waitFor('the console to publish', async () => (await status(console)).nats.queue_depth === 0)
    const onTeam = async (value: string): Promise<boolean> =>
      (await team.call('assets:get', { id: `host:${value}` })).ok
    expect(await onTeam('nats-live-1')).toBe(false)

    const saved = await save(team, 'nats', { enabled: true, servers: [server.url], replica: 'live-core' })
    expect(saved.applied).toEqual(['nats.enabled', 'nats.replica', 'nats.servers'])
    await waitFor('the core replica to apply it', () => onTeam('nats-live-1'))
    expect(await clients()).toEqual(expect.arrayContaining(['outpost-live-core', 'outpost-core-live-core']))

    await save(team, 'nats', { enabled: false })
    await waitFor('the core to disconnect', async () => {
      const names = await clients()
      return !names.includes('outpost-live-core') && !names.includes('outpost-core-live-core')
    })
    await callOk(console, 'assets:create', { kind: 'host', value: 'nats-live-2' })
    await waitFor('the console to publish', async () => (await status(console)).nats.queue_depth === 0)
    await new Promise((r) => setTimeout(r, 500))
    expect(await onTeam('nats-live-2')).toBe(false)

    // On again: its durable consumer hands over what it missed meanwhile.
    await save(team, 'nats', { enabled: true })
    await waitFor('the core replica to catch up', () => onTeam('nats-live-2'))
  }, 60_000)
})

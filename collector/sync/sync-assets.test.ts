import Database from 'better-sqlite3'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { callOk, waitFor } from '../host/test-core'
import { SyncConsoles } from './core/consoles'

type AssetDetail = CallRes<'assets:get'>

const read = <T>(dataDir: string, sql: string, ...args: unknown[]): T | undefined => {
  const db = new Database(join(dataDir, 'outpost.sqlite'), { readonly: true })
  try {
    return db.prepare(sql).get(...args) as T | undefined
  } finally {
    db.close()
  }
}

const freePort = async (): Promise<number> => {
  const probe = createServer()
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve))
  const { port } = probe.address() as AddressInfo
  await new Promise<void>((resolve) => probe.close(() => resolve()))
  return port
}

// An asset's analyst fields set on one console survive another console's inventory of the same
// asset reaching the core later with a higher version (last-version-wins would clear them).
describe("an asset's analyst fields and two consoles' inventories on a team core", () => {
  const root = mkdtempSync(join(tmpdir(), 'outpost-sync-assets-'))
  let team: Core
  let a: Core
  let b: Core
  let server: Server
  let url = ''
  const tokens: string[] = []

  beforeAll(async () => {
    team = await createCore({ dataDir: join(root, 'core'), ephemeralPorts: true, role: 'core' })
    const api = team.syncApi!
    server = createServer((req, res) => {
      void api.handle(req, res, new URL(req.url ?? '/', 'http://127.0.0.1'))
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
    const db = new Database(join(root, 'core', 'outpost.sqlite'))
    db.pragma('busy_timeout = 5000')
    const consoles = new SyncConsoles(db)
    tokens.push(consoles.add('console-a', 'analyst').token, consoles.add('console-b', 'analyst').token)
    db.close()
    // B starts with a connector to a core that does not answer yet: its inventory is queued
    // (versions rising per drain) but nothing reaches the core until it connects for real.
    const bDir = join(root, 'console-b')
    mkdirSync(bDir, { recursive: true })
    writeFileSync(
      join(bDir, 'config.yaml'),
      `connector:\n  url: http://127.0.0.1:${await freePort()}\n  token: ${tokens[1]}\n`,
    )
    ;[a, b] = await Promise.all([
      createCore({ dataDir: join(root, 'console-a'), ephemeralPorts: true }),
      createCore({ dataDir: bDir, ephemeralPorts: true }),
    ])
  }, 60_000)
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await Promise.all([team.stop(), a.stop(), b.stop()])
    rmSync(root, { recursive: true, force: true })
  })

  it('console A sets the owner; B’s later inventory with a higher version keeps it, on the core and on both consoles', async () => {
    // A's analyst enters the host by hand with an owner and pushes it (version 1, no events).
    await callOk(a, 'sync:connect', { url, token: tokens[0] })
    await callOk(a, 'assets:create', { kind: 'host', value: 'web-1', owner: 'alice', criticality: 'high' })
    await callOk(a, 'sync:push-now', {})
    expect((await callOk<AssetDetail>(team, 'assets:get', { id: 'host:web-1' })).asset.owner).toBe('alice')
    const aVersion = read<{ version: number }>(
      join(root, 'console-a'),
      "SELECT version FROM sync_versions WHERE kind = 'asset' AND id = 'host:web-1'",
    )!.version

    // B sees the host in its events, several inventory drains apart (one every 5 s).
    const post = async (n: number): Promise<void> => {
      const lines = Array.from({ length: n }, (_, i) =>
        JSON.stringify({ host: 'web-1', message: `login ${i}` }),
      )
      const response = await fetch(`http://127.0.0.1:${b.listeners.http!.port}/v1/events`, {
        method: 'POST',
        body: lines.join('\n'),
      })
      expect(response.status).toBe(200)
    }
    const bVersion = (): number =>
      read<{ version: number }>(
        join(root, 'console-b'),
        "SELECT version FROM sync_versions WHERE kind = 'asset' AND id = 'host:web-1'",
      )?.version ?? 0
    await post(3)
    await waitFor('B to queue its inventory', () => bVersion() >= 1)
    await post(4)
    await waitFor('B to queue a newer inventory, above A’s version', () => bVersion() > aVersion)
    const bEvents = (await callOk<AssetDetail>(b, 'assets:get', { id: 'host:web-1' })).asset.events
    expect(bEvents).toBe(7)

    // Now B reaches the core: its version is the higher one, its analyst fields empty.
    await callOk(b, 'sync:connect', { url, token: tokens[1] })
    await callOk(b, 'sync:push-now', {})
    const onCore = await callOk<AssetDetail>(team, 'assets:get', { id: 'host:web-1' })
    expect(onCore.asset).toMatchObject({ owner: 'alice', criticality: 'high' })
    // The record consoles pull carries each console's inventory and their sum.
    const stored = read<{ version: number; body: string }>(
      join(root, 'core'),
      "SELECT version, body FROM sync_records WHERE kind = 'asset' AND id = 'host:web-1'",
    )!
    expect(stored.version).toBeGreaterThan(bVersion() - 1)
    const body = JSON.parse(stored.body) as {
      asset: Record<string, unknown>
      inventory: Record<string, unknown>
    }
    expect(body.asset).toMatchObject({ owner: 'alice', events: 7 })
    expect(Object.keys(body.inventory)).toHaveLength(2)

    // B took the merged version (the push's answer, then any pull): the owner is on B too.
    await callOk(b, 'sync:pull-now', {})
    const onB = await callOk<AssetDetail>(b, 'assets:get', { id: 'host:web-1' })
    expect(onB.asset).toMatchObject({ owner: 'alice', criticality: 'high', events: 7 })
    // A pulls: still its owner; and nothing bounced back into either outbox.
    await callOk(a, 'sync:pull-now', {})
    expect((await callOk<AssetDetail>(a, 'assets:get', { id: 'host:web-1' })).asset.owner).toBe('alice')
    for (const c of [a, b])
      expect((await callOk<CallRes<'sync:status'>>(c, 'sync:status', {})).queue_depth).toBe(0)
  }, 90_000)
})

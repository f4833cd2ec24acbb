import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes } from '../../contract'
import { createCore, type Core } from '../../host/create-core'
import { findNatsServer, startNatsServer, type NatsServerProcess, natsConfigYaml } from './test-nats-server'
import { waitFor } from '../../host/test-core'

const binary = findNatsServer()

const read = <T>(dataDir: string, sql: string): T[] => {
  const db = new Database(join(dataDir, 'outpost.sqlite'), { readonly: true })
  try {
    return db.prepare(sql).all() as T[]
  } finally {
    db.close()
  }
}

const HOSTS = ['web-1', 'web-2', 'db-1']

describe.skipIf(binary === null)('the asset inventory built from events reaches the core', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-nats-inventory-'))
  let server: NatsServerProcess
  const cores: Core[] = []

  beforeAll(async () => {
    server = await startNatsServer(binary!, join(dir, 'jetstream'))
  }, 20_000)

  afterAll(async () => {
    for (const core of cores) await core.stop()
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  })

  it('many events about a few hosts queue one outbox entry per asset, and a core replica gets the inventory', async () => {
    const start = async (name: string, role: 'console' | 'core'): Promise<Core> => {
      const dataDir = join(dir, name)
      mkdirSync(dataDir, { recursive: true })
      writeFileSync(
        join(dataDir, 'config.yaml'),
        natsConfigYaml(server.url, name, ['detection:', '  enabled: false']),
      )
      const core = await createCore({ dataDir, ephemeralPorts: true, role })
      cores.push(core)
      return core
    }
    const core = await start('core-1', 'core')
    const console = await start('console', 'console')
    const consoleDir = join(dir, 'console')
    // 2,000 events in 10 batches, every one naming one of three hosts.
    let sent = 0
    for (let batch = 0; batch < 10; batch++) {
      const lines = Array.from({ length: 200 }, (_, i) =>
        JSON.stringify({ host: HOSTS[(batch * 200 + i) % HOSTS.length], message: `login ${sent + i}` }),
      )
      sent += lines.length
      const response = await fetch(`http://127.0.0.1:${console.listeners.http!.port}/v1/events`, {
        method: 'POST',
        body: lines.join('\n'),
      })
      expect(response.status).toBe(200)
      // Spread over 3 s: the indexer flushes every 0.5 s, six times or more meanwhile.
      await new Promise((r) => setTimeout(r, 300))
    }
    const assetsOn = async (c: Core): Promise<string[]> => {
      const result = await c.call('assets:list', { kind: 'host' })
      if (!result.ok) throw new Error(result.error.message)
      return (result.value as CallRes<'assets:list'>).assets.map((a) => a.id).sort()
    }
    const hostIds = HOSTS.map((h) => `host:${h}`).sort()
    await waitFor('the console to count every event', async () => {
      const result = await console.call('assets:get', { id: 'host:web-1' })
      return result.ok && (result.value as CallRes<'assets:get'>).asset.events > 600
    })
    await waitFor('the inventory to reach the outbox', () =>
      hostIds.every(
        (id) =>
          read<{ n: number }>(
            consoleDir,
            `SELECT count(*) AS n FROM sync_outbox WHERE kind = 'asset' AND object_id = '${id}'`,
          )[0]!.n === 1,
      ),
    )
    // At most one queued entry per asset, whatever the number of events; no audit entries for
    // inventory counting; versions rise per drain (every 5 s), not per event or per indexer flush.
    const queued = read<{ object_id: string; n: number }>(
      consoleDir,
      "SELECT object_id, count(*) AS n FROM sync_outbox WHERE kind = 'asset' GROUP BY object_id",
    )
    expect(queued.every((q) => q.n === 1)).toBe(true)
    expect(queued.map((q) => q.object_id).filter((id) => id.startsWith('host:'))).toEqual(
      expect.arrayContaining(hostIds),
    )
    expect(read<{ n: number }>(consoleDir, 'SELECT count(*) AS n FROM sync_outbox')[0]!.n).toBeLessThan(20)
    const versions = read<{ version: number }>(
      consoleDir,
      "SELECT version FROM sync_versions WHERE kind = 'asset'",
    )
    expect(Math.max(...versions.map((v) => v.version))).toBeLessThanOrEqual(3)
    // The core replica applied the console's inventory to its own.
    await waitFor('the core to have the hosts', async () => {
      const onCore = await assetsOn(core)
      return hostIds.every((id) => onCore.includes(id))
    })
    expect(sent).toBe(2000)
  }, 90_000)
})

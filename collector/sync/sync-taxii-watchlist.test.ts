import Database from 'better-sqlite3'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Alert, CallRes } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { callOk } from '../host/test-core'
import { TLP2_MARKING_IDS } from '../workspace/export/stix'
import { addConsole, serveSync } from './test-sync-service'
import { TAXII_MEDIA_TYPE } from './taxii/server'

const indicator = (n: number, pattern: string, extra: Record<string, unknown> = {}) => ({
  type: 'indicator',
  spec_version: '2.1',
  id: `indicator--00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
  created: '2026-12-01T00:00:00.000Z',
  modified: '2026-12-01T00:00:00.000Z',
  pattern,
  pattern_type: 'stix',
  valid_from: '2026-12-01T00:00:00.000Z',
  ...extra,
})

/**
 * An ISAC's TAXII 2.1 collection: every object with its date added, `added_after` honoured, one
 * page, the date headers a client moves its cursor by.
 */
const isacServer = async () => {
  const served: Array<{ date_added: string; object: Record<string, unknown> }> = []
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x')
    const after = url.searchParams.get('added_after')
    const page = served.filter((s) => after === null || s.date_added > after)
    res.writeHead(200, {
      'content-type': TAXII_MEDIA_TYPE,
      ...(page.length > 0 && {
        'X-TAXII-Date-Added-First': page[0]!.date_added,
        'X-TAXII-Date-Added-Last': page.at(-1)!.date_added,
      }),
    })
    res.end(JSON.stringify({ more: false, ...(page.length > 0 && { objects: page.map((s) => s.object) }) }))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return {
    served,
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/api1/collections/feed-1/objects/`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  }
}

const listed = (dataDir: string, list: string): string[] => {
  const db = new Database(join(dataDir, 'outpost.sqlite'), { readonly: true })
  try {
    return (
      db
        .prepare('SELECT type, value, source FROM watchlist_indicators WHERE list = ? ORDER BY type, value')
        .all(list) as Array<{ type: string; value: string; source: string }>
    ).map((r) => `${r.type} ${r.value} ${r.source.slice(-2)}`)
  } finally {
    db.close()
  }
}

// A team core pulls an ISAC's TAXII feed; its consoles get the indicators by sync and match them.
describe("a team core's TAXII indicators pulled by its consoles", () => {
  const root = mkdtempSync(join(tmpdir(), 'outpost-sync-taxii-'))
  const consoleDir = join(root, 'console')
  let isac: Awaited<ReturnType<typeof isacServer>>
  let team: Core
  let analyst: Core
  let server: Server

  const iocAlerts = async (host: string): Promise<Alert[]> =>
    (await callOk<CallRes<'alerts:list'>>(analyst, 'alerts:list', { limit: 100 })).alerts.filter(
      (a) => a.origin === 'ioc' && a.host === host,
    )
  const corePull = async () =>
    (await callOk<CallRes<'taxii:pull-now'>>(team, 'taxii:pull-now', { source: 'isac' })).results[0]!
  const consolePull = async () =>
    (await callOk<CallRes<'sync:pull-now'>>(analyst, 'sync:pull-now', {})).pulled

  beforeAll(async () => {
    isac = await isacServer()
    isac.served.push(
      // TLP:GREEN, unmarked, a range: shared with consoles.
      {
        date_added: '2026-12-01T00:00:01.000Z',
        object: indicator(1, "[ipv4-addr:value = '203.0.113.81']", {
          object_marking_refs: [TLP2_MARKING_IDS.green],
        }),
      },
      {
        date_added: '2026-12-01T00:00:02.000Z',
        object: indicator(2, "[domain-name:value = 'bad.example.net']"),
      },
      {
        date_added: '2026-12-01T00:00:03.000Z',
        object: indicator(3, "[ipv4-addr:value = '198.51.100.0/24']"),
      },
      // TLP:AMBER (by its TLP 1.0 definition): above the core's ceiling (green), kept on the core.
      {
        date_added: '2026-12-01T00:00:04.000Z',
        object: indicator(4, "[ipv4-addr:value = '203.0.113.83']", {
          object_marking_refs: ['marking-definition--f88d31f6-486f-44da-b317-01333bde0b82'],
        }),
      },
      // Expired: nothing to match any more.
      {
        date_added: '2026-12-01T00:00:05.000Z',
        object: indicator(5, "[ipv4-addr:value = '203.0.113.84']", {
          valid_until: '2026-12-02T00:00:00.000Z',
        }),
      },
    )
    mkdirSync(join(root, 'core'), { recursive: true })
    writeFileSync(
      join(root, 'core', 'config.yaml'),
      ['taxii:', '  sources:', '    - name: isac', `      url: ${isac.url}`, ''].join('\n'),
    )
    ;[team, analyst] = await Promise.all([
      createCore({ dataDir: join(root, 'core'), ephemeralPorts: true, role: 'core', syncLoop: false }),
      createCore({ dataDir: consoleDir, ephemeralPorts: true, syncLoop: false }),
    ])
    const served = await serveSync(team)
    server = served.server
    await callOk(analyst, 'sync:connect', {
      url: served.url,
      token: addConsole(join(root, 'core'), 'ws-analyst-1', 'viewer'),
    })
  }, 60_000)
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await Promise.all([team.stop(), analyst.stop()])
    await isac.close()
    rmSync(root, { recursive: true, force: true })
  })

  it('a console gets what the core may share, and an event matching one raises an IOC alert there', async () => {
    expect(await corePull()).toMatchObject({ stored: 5, error: null })
    expect(await consolePull()).toBeGreaterThan(0)
    expect(listed(consoleDir, 'taxii/isac')).toEqual([
      'cidr 198.51.100.0/24 03',
      'domain bad.example.net 02',
      'ip 203.0.113.81 01',
    ])
    // A pull that changed nothing makes no new version for consoles.
    expect(await corePull()).toMatchObject({ stored: 0, error: null })
    expect(await consolePull()).toBe(0)

    const response = await fetch(`http://127.0.0.1:${analyst.listeners.http!.port}/v1/events`, {
      method: 'POST',
      body: JSON.stringify({
        Channel: 'Microsoft-Windows-Sysmon/Operational',
        EventID: 3,
        Computer: 'ws-taxii',
        '@timestamp': '2026-12-07T10:05:00.000Z',
        Image: 'C:\\Windows\\System32\\rundll32.exe',
        SourceIp: '10.1.2.3',
        DestinationIp: '203.0.113.81',
      }),
    })
    expect(response.status).toBe(200)
    for (let i = 0; i < 200 && (await iocAlerts('ws-taxii')).length === 0; i++)
      await new Promise((r) => setTimeout(r, 50))
    const [alert] = await iocAlerts('ws-taxii')
    expect(alert).toMatchObject({
      title: 'Watchlist match: ip 203.0.113.81',
      rule_id: 'indicator--00000000-0000-4000-8000-000000000001',
    })
  }, 60_000)

  it('a revoked indicator leaves the console with the next pulls', async () => {
    isac.served.push({
      date_added: '2026-12-03T00:00:00.000Z',
      object: indicator(1, "[ipv4-addr:value = '203.0.113.81']", {
        modified: '2026-12-03T00:00:00.000Z',
        revoked: true,
      }),
    })
    expect(await corePull()).toMatchObject({ removed: 1, error: null })
    await consolePull()
    expect(listed(consoleDir, 'taxii/isac')).toEqual(['cidr 198.51.100.0/24 03', 'domain bad.example.net 02'])
  }, 60_000)

  it('a higher TLP ceiling on the core (taxii.serve_max_tlp, applied live) shares the AMBER one', async () => {
    const { hash } = await callOk<CallRes<'settings:get'>>(team, 'settings:get', {})
    await callOk(team, 'settings:update', {
      section: 'taxii',
      values: { serve_max_tlp: 'amber' },
      base_hash: hash,
    })
    await consolePull()
    expect(listed(consoleDir, 'taxii/isac')).toContain('ip 203.0.113.83 04')
    expect(listed(consoleDir, 'taxii/isac')).not.toContain('ip 203.0.113.84 05')
  }, 60_000)
})

import Database from 'better-sqlite3'
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import type { Server } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Alert, CallRes } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { callOk } from '../host/test-core'
import { addConsole, serveSync } from './test-sync-service'

const connection = (host: string, ip: string, time: string) => ({
  Channel: 'Microsoft-Windows-Sysmon/Operational',
  EventID: 3,
  Computer: host,
  UtcTime: time,
  '@timestamp': time,
  Image: 'C:\\Windows\\System32\\rundll32.exe',
  SourceIp: '10.1.2.3',
  DestinationIp: ip,
  DestinationHostname: '-',
  User: 'CORP\\bob',
})

const lists = (dataDir: string): Array<{ list: string; type: string; value: string }> => {
  const db = new Database(join(dataDir, 'outpost.sqlite'), { readonly: true })
  try {
    return db
      .prepare('SELECT list, type, value FROM watchlist_indicators ORDER BY list, type, value')
      .all() as Array<{ list: string; type: string; value: string }>
  } finally {
    db.close()
  }
}

// A team core's IOC list reaches its console by pull and is matched there at once.
describe('watchlists pulled from a team core', () => {
  const root = mkdtempSync(join(tmpdir(), 'outpost-sync-watchlist-'))
  let team: Core
  let analyst: Core
  let server: Server

  const post = async (events: unknown[]): Promise<void> => {
    const response = await fetch(`http://127.0.0.1:${analyst.listeners.http!.port}/v1/events`, {
      method: 'POST',
      body: events.map((e) => JSON.stringify(e)).join('\n'),
    })
    expect(response.status).toBe(200)
  }
  const iocAlerts = async (host: string): Promise<Alert[]> =>
    (await callOk<CallRes<'alerts:list'>>(analyst, 'alerts:list', { limit: 100 })).alerts.filter(
      (a) => a.origin === 'ioc' && a.host === host,
    )

  beforeAll(async () => {
    ;[team, analyst] = await Promise.all([
      createCore({ dataDir: join(root, 'core'), ephemeralPorts: true, role: 'core' }),
      createCore({ dataDir: join(root, 'console'), ephemeralPorts: true }),
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
    rmSync(root, { recursive: true, force: true })
  })

  it("the core's list is installed on the console by a pull and raises an IOC alert there", async () => {
    // The console's analyst has a list of their own: a pulled list never replaces it.
    await callOk(analyst, 'watchlist:add', { type: 'domain', value: 'own.example.org' })
    await callOk(team, 'watchlist:add', { type: 'ip', value: '203.0.113.77', source: 'core', level: 'high' })
    await callOk(team, 'watchlist:add', { type: 'domain', value: 'c2.example.net' })

    const pulled = await callOk<CallRes<'sync:pull-now'>>(analyst, 'sync:pull-now', {})
    expect(pulled.pulled).toBeGreaterThan(0)
    expect(lists(join(root, 'console'))).toEqual([
      { list: 'analyst', type: 'domain', value: 'own.example.org' },
      { list: 'core-analyst', type: 'domain', value: 'c2.example.net' },
      { list: 'core-analyst', type: 'ip', value: '203.0.113.77' },
    ])
    // Applied, not left waiting in the inbox.
    const inbox = new Database(join(root, 'console', 'outpost.sqlite'), { readonly: true })
    expect(inbox.prepare("SELECT count(*) AS n FROM sync_inbox WHERE kind = 'watchlist'").get()).toEqual({
      n: 0,
    })
    inbox.close()

    await post([connection('ws-after', '203.0.113.77', '2026-12-07T10:05:00.000Z')])
    for (let i = 0; i < 200 && (await iocAlerts('ws-after')).length === 0; i++)
      await new Promise((r) => setTimeout(r, 50))
    const [alert] = await iocAlerts('ws-after')
    expect(alert).toMatchObject({ title: 'Watchlist match: ip 203.0.113.77', level: 'high' })
  }, 60_000)

  it('a watchlist and a rule pack installed on the core from content bundles reach the console', async () => {
    // The core installs content it signed itself (trusted for content), as a team lead would.
    const files = join(root, 'content')
    mkdirSync(files, { recursive: true })
    const { public_key } = await callOk<CallRes<'keys:show'>>(team, 'keys:show', {})
    await callOk(team, 'keys:trust', { name: 'lead', public_key, scope: 'content' })
    writeFileSync(join(files, 'apt-iocs.csv'), 'type,value,level\nip,198.51.100.66,critical\n')
    writeFileSync(
      join(files, 'team-rules.yml'),
      [
        'title: Team certutil download',
        'id: 6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b',
        'logsource: {product: windows, category: process_creation}',
        'detection:',
        "  selection: {Image|endswith: '\\\\certutil.exe'}",
        '  condition: selection',
        'level: high',
        '',
      ].join('\n'),
    )
    for (const [type, file] of [
      ['watchlist', 'apt-iocs.csv'],
      ['rule-pack', 'team-rules.yml'],
    ] as const) {
      const out = join(files, `${type}.bundle`)
      await callOk(team, 'bundles:content-export', { type, in: join(files, file), version: '1', out })
      await callOk(team, 'bundles:import', { path: out })
    }
    await callOk(analyst, 'sync:pull-now', {})
    expect(lists(join(root, 'console'))).toContainEqual({
      list: 'apt-iocs',
      type: 'ip',
      value: '198.51.100.66',
    })
    const inbox = new Database(join(root, 'console', 'outpost.sqlite'), { readonly: true })
    expect(inbox.prepare('SELECT count(*) AS n FROM sync_inbox').get()).toEqual({ n: 0 })
    inbox.close()

    await post([
      connection('ws-apt', '198.51.100.66', '2026-12-07T11:00:00.000Z'),
      {
        Channel: 'Microsoft-Windows-Sysmon/Operational',
        EventID: 1,
        Computer: 'ws-rule',
        host: 'ws-rule',
        '@timestamp': '2026-12-07T11:00:05Z',
        Image: 'C:\\Windows\\System32\\certutil.exe',
      },
    ])
    const alerts = async (): Promise<Alert[]> =>
      (await callOk<CallRes<'alerts:list'>>(analyst, 'alerts:list', { limit: 100 })).alerts
    for (let i = 0; i < 200; i++) {
      const all = await alerts()
      if (all.some((a) => a.host === 'ws-apt') && all.some((a) => a.host === 'ws-rule')) break
      await new Promise((r) => setTimeout(r, 50))
    }
    const all = await alerts()
    expect(all.find((a) => a.host === 'ws-apt')).toMatchObject({ origin: 'ioc', level: 'critical' })
    expect(all.find((a) => a.host === 'ws-rule')).toMatchObject({
      title: 'Team certutil download',
      level: 'high',
    })
  }, 60_000)

  it('a removal on the core reaches the console with the next pull', async () => {
    await callOk(team, 'watchlist:remove', { type: 'ip', value: '203.0.113.77' })
    await callOk(analyst, 'sync:pull-now', {})
    expect(lists(join(root, 'console')).map((r) => `${r.list}/${r.value}`)).toEqual([
      'analyst/own.example.org',
      'apt-iocs/198.51.100.66',
      'core-analyst/c2.example.net',
    ])
  }, 60_000)
})

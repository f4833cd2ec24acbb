import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { Alert, CallRes, SettingsSnapshot } from '../contract'
import { createCore, type Core } from './create-core'
import { keepSecrets } from './settings'
import { callOk, raiseAlert } from './test-core'

const dirs: string[] = []
const cores: Core[] = []
const start = async (): Promise<Core> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-settings-live-'))
  dirs.push(dataDir)
  const core = await createCore({ dataDir, ephemeralPorts: true })
  cores.push(core)
  return core
}
afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.stop()))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const save = async (core: Core, section: string, values: Record<string, unknown>) => {
  const { hash } = await callOk<SettingsSnapshot>(core, 'settings:get', {})
  return callOk<CallRes<'settings:update'>>(core, 'settings:update', { section, values, base_hash: hash })
}

const postWhoami = async (core: Core, host: string): Promise<void> => {
  const response = await fetch(`http://127.0.0.1:${core.listeners.http!.port}/v1/events`, {
    method: 'POST',
    body: JSON.stringify({
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      EventID: 1,
      Computer: host,
      host,
      '@timestamp': '2026-11-21T09:00:00Z',
      Image: 'C:\\Windows\\System32\\whoami.exe',
    }),
  })
  expect(response.status).toBe(200)
}

/** The sigma alerts of `host` once `done` holds for them (the live engine runs behind ingest). */
const alertsOf = async (core: Core, host: string, done: (alerts: Alert[]) => boolean): Promise<Alert[]> => {
  let found: Alert[] = []
  for (let i = 0; i < 200; i++) {
    const { alerts } = await callOk<CallRes<'alerts:list'>>(core, 'alerts:list', {})
    found = alerts.filter((a) => a.origin === 'sigma' && a.host === host)
    if (done(found)) return found
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`alerts of ${host} never got there: ${JSON.stringify(found.map((a) => a.count))}`)
}

describe('settings applied to a running core', () => {
  it('detection: the suppression window and incident grouping change what the next match does', async () => {
    const core = await start()
    const first = await raiseAlert(core, 'ws-live')
    expect(first.incident_id).toBeNull() // medium, below incidents.min_level high
    await postWhoami(core, 'ws-live')
    // Within the default 300 s window: folded into the same alert.
    await alertsOf(core, 'ws-live', (alerts) => alerts.length === 1 && alerts[0]!.count === 2)

    const saved = await save(core, 'detection', {
      suppression_window_s: 0,
      incidents: { min_level: 'medium' },
    })
    expect(saved.applied).toEqual(['detection.incidents.min_level', 'detection.suppression_window_s'])
    expect(saved.restart).toEqual([])
    expect(saved.settings.restart_required).toEqual([])

    await postWhoami(core, 'ws-live')
    const alerts = await alertsOf(core, 'ws-live', (found) => found.length === 2)
    const newest = alerts.find((a) => a.id !== first.id)!
    expect(newest.count).toBe(1)
    expect(newest.incident_id).not.toBeNull()
  })

  it('detection.ioc: the default level and turning the watchlist off apply to the next event', async () => {
    const core = await start()
    const connection = (host: string) => ({
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      EventID: 3,
      Computer: host,
      '@timestamp': '2026-11-20T10:00:00.000Z',
      Image: 'C:\\Windows\\System32\\rundll32.exe',
      DestinationIp: '203.0.113.50',
    })
    const post = async (host: string) => {
      const url = `http://127.0.0.1:${core.listeners.http!.port}/v1/events`
      const response = await fetch(url, { method: 'POST', body: JSON.stringify(connection(host)) })
      expect(response.status).toBe(200)
    }
    const iocAlerts = async () =>
      (await callOk<CallRes<'alerts:list'>>(core, 'alerts:list', {})).alerts.filter((a) => a.origin === 'ioc')
    await callOk(core, 'watchlist:add', { type: 'ip', value: '203.0.113.50' })
    expect((await save(core, 'detection', { ioc: { default_level: 'low' } })).applied).toEqual([
      'detection.ioc.default_level',
    ])
    await post('ws-on')
    for (let i = 0; i < 200 && (await iocAlerts()).length === 0; i++)
      await new Promise((r) => setTimeout(r, 25))
    expect(await iocAlerts()).toMatchObject([{ host: 'ws-on', level: 'low' }]) // not the default high

    const saved = await save(core, 'detection', { ioc: { enabled: false } })
    expect(saved.applied).toEqual(['detection.ioc.enabled'])
    await post('ws-off')
    // Events are evaluated in order: once a later event's alert is there, ws-off's was evaluated.
    await raiseAlert(core, 'ws-marker')
    expect((await iocAlerts()).map((a) => a.host)).toEqual(['ws-on'])
  })

  it('actions and webhooks: allowlists, the two-person rule and retries apply to the next call', async () => {
    const core = await start()
    const types = async () => callOk<CallRes<'actions:types'>>(core, 'actions:types', {})
    const command = async () => (await types()).types.find((t) => t.type === 'command')!
    expect((await command()).enabled).toBe(false)
    expect((await types()).two_person_rule).toBe(false)
    const hook = { name: 'n8n', url: 'http://127.0.0.1:5678/webhook/x', events: ['alert.raised'] }
    const refused = await core.call('webhooks:save', hook)
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_request' } })

    const actions = await save(core, 'actions', {
      commands: ['/usr/bin/true'],
      two_person_rule: true,
      max_attempts: 7,
    })
    expect(actions.applied).toEqual(['actions.commands', 'actions.max_attempts', 'actions.two_person_rule'])
    expect(await command()).toMatchObject({ enabled: true, disabled_reason: null })
    expect((await types()).two_person_rule).toBe(true)
    expect(core.config.actions.max_attempts).toBe(7)

    const webhooks = await save(core, 'webhooks', { allow: ['http://127.0.0.1:5678/webhook/'] })
    expect(webhooks.applied).toEqual(['webhooks.allow'])
    await callOk(core, 'webhooks:save', hook)
    const listed = await callOk<CallRes<'webhooks:list'>>(core, 'webhooks:list', {})
    expect(listed.allow).toEqual(['http://127.0.0.1:5678/webhook/'])
    expect(listed.subscriptions.map((s) => s.name)).toEqual(['n8n'])
  })

  it('detection.enabled: off, nothing is evaluated; on again, what was stored meanwhile is', async () => {
    const core = await start()
    await raiseAlert(core, 'ws-before')
    expect((await save(core, 'detection', { enabled: false })).applied).toEqual(['detection.enabled'])
    await postWhoami(core, 'ws-while-off')
    await new Promise((r) => setTimeout(r, 500))
    const { alerts } = await callOk<CallRes<'alerts:list'>>(core, 'alerts:list', {})
    expect(alerts.map((a) => a.host)).toEqual(['ws-before'])
    await save(core, 'detection', { enabled: true })
    await alertsOf(core, 'ws-while-off', (found) => found.length === 1)
  })

  it('taxii.serve_max_tlp: the next TAXII read serves reports up to the new ceiling', async () => {
    const core = await start()
    const { report } = await callOk<CallRes<'reports:create'>>(core, 'reports:create', {
      title: 'Amber report',
      tlp: 'amber',
    })
    await callOk(core, 'reports:update', { id: report.id, version: 1, status: 'review' })
    await callOk(core, 'reports:update', { id: report.id, version: 2, status: 'published' })
    const served = () => JSON.stringify(core.taxiiEntries())
    expect(served()).not.toContain('Amber report') // the default ceiling is green
    expect((await save(core, 'taxii', { serve_max_tlp: 'amber' })).applied).toEqual(['taxii.serve_max_tlp'])
    expect(served()).toContain('Amber report')
  })

  it('keeps restart-only sections waiting, and says so', async () => {
    const core = await start()
    const saved = await save(core, 'storage', { sqlite_synchronous: 'normal' })
    expect(saved).toMatchObject({ applied: [], restart: ['storage.sqlite_synchronous'] })
    expect(saved.settings.restart_required).toEqual(['storage.sqlite_synchronous'])
    expect(core.config.storage.sqlite_synchronous).toBe('full')
    // The connector's endpoint changes live through sync:connect, not config.yaml.
    const connector = await save(core, 'connector', { url: 'https://core.example.org:7480' })
    expect(connector.restart).toEqual(['connector.url'])
    expect(core.config.connector.url).toBeNull()
  })

  it('saves TAXII sources as a list, keeping masked secrets and refusing a bad row by its place', async () => {
    const core = await start()
    const token = 'taxii-secret-token-abcd'
    const first = {
      name: 'partner',
      url: 'https://taxii.example.org/api1/collections/c1/objects/',
      token,
      interval_s: 3600,
      page_size: 500,
    }
    await save(core, 'taxii', { sources: [first] })
    const shown = (await callOk<SettingsSnapshot>(core, 'settings:get', {})).config.taxii as {
      sources: Array<Record<string, unknown>>
    }
    expect(shown.sources[0]!.token).toBe('…abcd')
    expect(JSON.stringify(shown)).not.toContain('secret')
    // The view sends the whole list back, the masked token in it, with a row added before it.
    const second = {
      name: 'isac',
      url: 'https://isac.example.org/taxii2/',
      collection: 'ioc',
      page_size: 100,
    }
    const saved = await save(core, 'taxii', { sources: [second, shown.sources[0]] })
    expect(saved).toMatchObject({ applied: ['taxii.sources'], restart: [] })
    const file = readFileSync(join(dirs[0]!, 'config.yaml'), 'utf8')
    expect(file).toContain(token)
    expect(file).not.toContain('…abcd')

    // A masked token in a row that never had one is refused, not saved as the token.
    const stray = await core.call('settings:update', {
      section: 'taxii',
      values: { sources: [second, shown.sources[0], { ...second, name: 'third', token: '…abcd' }] },
      base_hash: (await callOk<SettingsSnapshot>(core, 'settings:get', {})).hash,
    })
    expect(stray.ok).toBe(false)
    if (!stray.ok)
      expect(stray.error.message).toMatch(/^taxii\.sources\.2\.token: this is how a saved secret is shown/)
    expect(readFileSync(join(dirs[0]!, 'config.yaml'), 'utf8')).toBe(file)

    const bad = await core.call('settings:update', {
      section: 'taxii',
      values: { sources: [second, { name: 'x', url: 'https://no-collection.example.org/' }] },
      base_hash: (await callOk<SettingsSnapshot>(core, 'settings:get', {})).hash,
    })
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.error.message).toMatch(/^taxii\.sources\.1\.url: give the objects URL/)
  })
})

describe('keepSecrets', () => {
  it('restores masked secrets by row name, else by place, and leaves new ones', () => {
    const was = [
      { name: 'a', token: 'aaaaaaaaaaaaaaaa1111' },
      { name: 'b', password: 'short' },
    ]
    expect(
      keepSecrets(
        [
          { name: 'b', password: '…' },
          { name: 'a', token: '…1111' },
          { name: 'c', token: '…1111' },
        ],
        was,
      ),
    ).toEqual([
      { name: 'b', password: 'short' },
      { name: 'a', token: 'aaaaaaaaaaaaaaaa1111' },
      { name: 'c', token: '…1111' },
    ])
    expect(keepSecrets([{ token: '…1111' }], was)).toEqual([{ token: 'aaaaaaaaaaaaaaaa1111' }])
  })
})

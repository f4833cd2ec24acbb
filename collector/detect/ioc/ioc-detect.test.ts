import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Alert, CallRes, EventPayload } from '../../contract'
import { createCore, type Core } from '../../host/create-core'
import { callOk } from '../../host/test-core'

const str = (value: unknown): string => (typeof value === 'string' ? value : '')

const OTRF = join(__dirname, '../../../../shared/datasets/otrf/cmd_bitsadmin_download_psh_script.ndjson')

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

describe('IOC matching in the core', () => {
  let core: Core
  let dataDir: string
  const raised: Alert[] = []
  const post = async (events: unknown[]): Promise<void> => {
    const response = await fetch(`http://127.0.0.1:${core.listeners.http!.port}/v1/events`, {
      method: 'POST',
      body: events.map((e) => JSON.stringify(e)).join('\n'),
    })
    expect(response.status).toBe(200)
  }
  let marks = 0
  /**
   * Waits until every event posted so far went through detection: posts a marker event naming the
   * marker domain from a host of its own, and waits for its alert (events are evaluated in order).
   */
  const settled = async (): Promise<void> => {
    const host = `marker-${++marks}`
    await post([{ ...connection(host, '192.0.2.1', '2026-11-20T12:00:00.000Z'), QueryName: 'x.marker.test' }])
    for (let i = 0; i < 400; i++) {
      const { alerts } = await callOk<CallRes<'alerts:list'>>(core, 'alerts:list', { limit: 5, query: host })
      if (alerts.length > 0) return
      await new Promise((r) => setTimeout(r, 25))
    }
    throw new Error('detection did not reach the marker event')
  }
  const iocAlerts = async (): Promise<Alert[]> =>
    (await callOk<CallRes<'alerts:list'>>(core, 'alerts:list', { limit: 500 })).alerts.filter(
      (a) => a.origin === 'ioc' && !a.host?.startsWith('marker-'),
    )

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'outpost-ioc-'))
    core = await createCore({ dataDir, ephemeralPorts: true })
    core.subscribe((name, payload) => {
      if (name === 'alerts:raised') raised.push(...(payload as EventPayload<'alerts:raised'>).alerts)
    })
    await callOk(core, 'watchlist:add', { type: 'domain', value: 'marker.test', level: 'low' })
  })
  afterAll(async () => {
    await core.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('raises nothing for an address not listed, and takes a new indicator without a restart', async () => {
    await post([connection('ws-1', '203.0.113.50', '2026-11-20T10:00:00.000Z')])
    await settled()
    expect(await iocAlerts()).toEqual([])

    const added = await callOk<CallRes<'watchlist:add'>>(core, 'watchlist:add', {
      type: 'ipv4',
      value: '203.0.113.50',
      source: 'CERT',
      level: 'critical',
    })
    expect(added).toMatchObject({ indicator: { list: 'analyst', type: 'ip' }, watchlist_size: 2 })
    // Events already evaluated stay as they were; the next ones are matched.
    await post([
      connection('ws-1', '203.0.113.50', '2026-11-20T10:01:00.000Z'),
      connection('ws-1', '203.0.113.50', '2026-11-20T10:01:30.000Z'),
      connection('ws-1', '203.0.113.51', '2026-11-20T10:01:40.000Z'),
    ])
    await settled()
    const alerts = await iocAlerts()
    expect(alerts).toHaveLength(1)
    expect(alerts[0]).toMatchObject({
      origin: 'ioc',
      title: 'Watchlist match: ip 203.0.113.50',
      level: 'critical',
      host: 'ws-1',
      user: 'CORP\\bob',
      count: 2,
      author: 'analyst',
      group: {
        indicator_type: 'ip',
        indicator: '203.0.113.50',
        list: 'analyst',
        source: 'CERT',
        stix_id: null,
        field: 'DestinationIp',
        matched: '203.0.113.50',
      },
    })
    expect(alerts[0]!.event_ids).toHaveLength(2)
    // Through the same path as rules: pushed, and (critical >= high) grouped into an incident.
    expect(raised.some((a) => a.id === alerts[0]!.id)).toBe(true)
    expect(alerts[0]!.incident_id).not.toBeNull()
    // The edit is audited.
    const { entries } = await callOk<CallRes<'audit:list'>>(core, 'audit:list', { limit: 5 })
    expect(entries.some((e) => e.object_type === 'watchlist' && e.object_id === 'ip:203.0.113.50')).toBe(true)
    // Its hits, with the time of the last matching event, committed with the alert.
    const { indicators } = await callOk<CallRes<'watchlist:list'>>(core, 'watchlist:list', {
      list: 'analyst',
      sort: 'hits',
    })
    expect(indicators.find((i) => i.value === '203.0.113.50')).toMatchObject({
      value: '203.0.113.50',
      hits: 2,
      last_hit_at: '2026-11-20T10:01:30.000Z',
    })
    // Most matched first: the marker domain, hit by every settle.
    expect(indicators.map((i) => i.value)).toEqual(['marker.test', '203.0.113.50'])
  })

  it('matches nothing before valid_from has come, every event after (older ones too); an edit moves it without a reload', async () => {
    const added = await callOk<CallRes<'watchlist:add'>>(core, 'watchlist:add', {
      type: 'ip',
      value: '203.0.113.60',
      valid_from: '2099-01-01T00:00:00Z',
    })
    expect(added).toMatchObject({
      updated: false,
      indicator: { valid_from: '2099-01-01T00:00:00.000Z', hits: 0 },
    })
    await post([
      connection('ws-3', '203.0.113.60', '2026-11-20T11:59:59.999Z'),
      connection('ws-4', '203.0.113.60', new Date().toISOString()),
    ])
    await settled()
    const hosts = async () =>
      (await iocAlerts()).filter((a) => a.group?.indicator === '203.0.113.60').map((a) => a.host)
    expect(await hosts()).toEqual([])

    // Edited: valid from a past time, level low; an event from before that time matches now.
    const edited = await callOk<CallRes<'watchlist:add'>>(core, 'watchlist:add', {
      type: 'ip',
      value: '203.0.113.60',
      valid_from: '2026-11-20T12:00:00Z',
      level: 'low',
    })
    expect(edited).toMatchObject({
      updated: true,
      indicator: { valid_from: '2026-11-20T12:00:00.000Z', level: 'low', hits: 0 },
    })
    expect(edited.watchlist_size).toBe(added.watchlist_size)
    await post([connection('ws-5', '203.0.113.60', '2026-11-20T11:00:00.000Z')])
    await settled()
    expect(await hosts()).toEqual(['ws-5'])
    expect((await iocAlerts()).find((a) => a.host === 'ws-5')).toMatchObject({ level: 'low' })
    const { entries } = await callOk<CallRes<'audit:list'>>(core, 'audit:list', { limit: 5 })
    expect(
      entries.find((e) => e.object_id === 'ip:203.0.113.60' && e.action === 'update')?.details,
    ).toMatchObject({
      level: 'low',
      before: { valid_from: '2099-01-01T00:00:00.000Z', level: null },
    })
    const bad = await core.call('watchlist:add', {
      type: 'ip',
      value: '203.0.113.61',
      valid_from: '2026-12-02T00:00:00Z',
      valid_until: '2026-12-01T00:00:00Z',
    })
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    if (!bad.ok) expect(bad.error.message).toContain('must be after valid_from')
    await callOk(core, 'watchlist:remove', { type: 'ip', value: '203.0.113.60' })
  })

  it('stops matching an indicator once it is removed or expired', async () => {
    await callOk(core, 'watchlist:remove', { type: 'ip', value: '203.0.113.50' })
    await callOk(core, 'watchlist:add', {
      type: 'domain',
      value: 'old.example',
      valid_until: '2020-01-01T00:00:00Z',
    })
    const before = (await iocAlerts()).length
    await post([
      connection('ws-2', '203.0.113.50', '2026-11-20T11:00:00.000Z'),
      {
        ...connection('ws-2', '198.51.100.1', '2026-11-20T11:00:01.000Z'),
        DestinationHostname: 'old.example',
      },
    ])
    await settled()
    expect(await iocAlerts()).toHaveLength(before)
    const removed = await core.call('watchlist:remove', { type: 'ip', value: '203.0.113.50' })
    expect(removed).toMatchObject({ ok: false, error: { code: 'not_found' } })
    const bad = await core.call('watchlist:add', { type: 'sha256', value: 'abc' })
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    if (!bad.ok) expect(bad.error.message).toContain('64 hex digits')
  })

  it('raises one alert per indicator and host on a real recording, repeats counted', async () => {
    const lines = readFileSync(OTRF, 'utf8')
      .split('\n')
      .filter((l) => l.trim() !== '')
    const events = lines.map((l) => JSON.parse(l) as Record<string, unknown>)
    const bitsadmin = events.find((e) => e.EventID === 1 && str(e.Image).endsWith('bitsadmin.exe'))!
    const sha256 = /SHA256=([0-9A-F]{64})/.exec(str(bitsadmin.Hashes))![1]!
    await callOk(core, 'watchlist:add', { type: 'domain', value: 'githubusercontent.com' })
    await callOk(core, 'watchlist:add', { type: 'sha256', value: sha256, level: 'medium' })
    await post(events)
    await settled()
    const alerts = (await iocAlerts()).filter(
      (a) => a.group?.list === 'analyst' && a.host !== 'ws-1' && a.group.indicator !== '203.0.113.60',
    )
    const byIndicator = new Map(alerts.map((a) => [a.group!.indicator, a]))
    expect([...byIndicator.keys()].sort()).toEqual([sha256.toLowerCase(), 'githubusercontent.com'])
    // The recording spans seconds on one host: every match of one indicator folds into one alert.
    expect(alerts.map((a) => a.host)).toEqual([alerts[0]!.host, alerts[0]!.host])
    expect(alerts).toHaveLength(2)
    const withHash = events.filter((e) => str(e.Hashes).includes(sha256)).length
    expect(byIndicator.get(sha256.toLowerCase())).toMatchObject({ level: 'medium', count: withHash })
    expect(byIndicator.get('githubusercontent.com')).toMatchObject({ level: 'high' })
    expect(byIndicator.get('githubusercontent.com')!.count).toBeGreaterThan(1)
  })
})

describe('IOC lists from content bundles', () => {
  it('matches a list installed from a bundle, valid_from carried, the other lists kept', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outpost-ioc-bundle-'))
    const core = await createCore({ dataDir, ephemeralPorts: true })
    try {
      await callOk(core, 'watchlist:add', { type: 'ip', value: '203.0.113.70' })
      const csv = join(dataDir, 'iocs.csv')
      writeFileSync(csv, 'type,value,valid_from\ndomain,bundled.example,2026-11-20T00:00:00Z\n')
      const own = await callOk<CallRes<'keys:show'>>(core, 'keys:show', {})
      await callOk(core, 'keys:trust', { name: 'self', public_key: own.public_key, scope: 'content' })
      const out = join(dataDir, 'iocs.bundle')
      await callOk(core, 'bundles:content-export', {
        type: 'watchlist',
        in: csv,
        version: '1',
        name: 'iocs',
        out,
      })
      await callOk(core, 'bundles:import', { path: out })
      const { indicators } = await callOk<CallRes<'watchlist:list'>>(core, 'watchlist:list', { list: 'iocs' })
      expect(indicators).toMatchObject([{ value: 'bundled.example', valid_from: '2026-11-20T00:00:00.000Z' }])
      const response = await fetch(`http://127.0.0.1:${core.listeners.http!.port}/v1/events`, {
        method: 'POST',
        body: JSON.stringify([
          {
            ...connection('ws-b1', '198.51.100.2', '2026-11-19T12:00:00.000Z'),
            DestinationHostname: 'bundled.example',
          },
          {
            ...connection('ws-b2', '198.51.100.2', '2026-11-20T12:00:00.000Z'),
            DestinationHostname: 'bundled.example',
          },
          connection('ws-b3', '203.0.113.70', '2026-11-20T12:00:01.000Z'),
        ]),
      })
      expect(response.status).toBe(200)
      let alerts: Alert[] = []
      for (let i = 0; i < 200 && alerts.length < 3; i++) {
        alerts = (await callOk<CallRes<'alerts:list'>>(core, 'alerts:list', { limit: 10 })).alerts
        if (alerts.length < 3) await new Promise((r) => setTimeout(r, 25))
      }
      // Its valid_from has come: events from before it match too (ws-b1).
      expect(alerts.map((a) => [a.title, a.host]).sort()).toEqual([
        ['Watchlist match: domain bundled.example', 'ws-b1'],
        ['Watchlist match: domain bundled.example', 'ws-b2'],
        ['Watchlist match: ip 203.0.113.70', 'ws-b3'],
      ])
    } finally {
      await core.stop()
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})

describe('IOC matching catching up', () => {
  it('matches events stored while detection was off once it runs again', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'outpost-ioc-catchup-'))
    const config = join(dataDir, 'config.yaml')
    try {
      writeFileSync(config, 'detection:\n  enabled: false\n')
      let core = await createCore({ dataDir, ephemeralPorts: true })
      await callOk(core, 'watchlist:add', { type: 'ip', value: '203.0.113.99' })
      const response = await fetch(`http://127.0.0.1:${core.listeners.http!.port}/v1/events`, {
        method: 'POST',
        body: JSON.stringify([
          connection('ws-9', '203.0.113.99', '2026-11-21T08:00:00.000Z'),
          connection('ws-9', '203.0.113.98', '2026-11-21T08:00:01.000Z'),
        ]),
      })
      expect(response.status).toBe(200)
      await new Promise((r) => setTimeout(r, 200))
      expect((await callOk<CallRes<'alerts:list'>>(core, 'alerts:list', { limit: 10 })).alerts).toEqual([])
      await core.stop()

      writeFileSync(config, 'detection:\n  enabled: true\n')
      core = await createCore({ dataDir, ephemeralPorts: true })
      try {
        let alerts: Alert[] = []
        for (let i = 0; i < 200 && alerts.length === 0; i++) {
          alerts = (await callOk<CallRes<'alerts:list'>>(core, 'alerts:list', { limit: 10 })).alerts
          if (alerts.length === 0) await new Promise((r) => setTimeout(r, 25))
        }
        expect(alerts.map((a) => [a.origin, a.title, a.host, a.count])).toEqual([
          ['ioc', 'Watchlist match: ip 203.0.113.99', 'ws-9', 1],
        ])
      } finally {
        await core.stop()
      }
      // The hit count is stored: a restart keeps it.
      core = await createCore({ dataDir, ephemeralPorts: true })
      try {
        const { indicators } = await callOk<CallRes<'watchlist:list'>>(core, 'watchlist:list', {})
        expect(indicators.map((i) => [i.value, i.hits, i.last_hit_at])).toEqual([
          ['203.0.113.99', 1, '2026-11-21T08:00:00.000Z'],
        ])
      } finally {
        await core.stop()
      }
    } finally {
      rmSync(dataDir, { recursive: true, force: true })
    }
  })
})

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Alert, EventPayload, IngestToken, StoredEvent } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { detectWazuh, wazuhLevel } from './wazuh'

// As Wazuh writes it to /var/ossec/logs/alerts/alerts.json (one object per line).
const SSH_BRUTE_FORCE = {
  timestamp: '2026-11-21T10:15:03.123+0000',
  rule: {
    level: 10,
    description: 'sshd: brute force trying to get access to the system. Authentication failed.',
    id: '5763',
    mitre: { id: ['T1110'], tactic: ['Credential Access'], technique: ['Brute Force'] },
    frequency: 8,
    firedtimes: 1,
    mail: false,
    groups: ['syslog', 'sshd', 'authentication_failures'],
    pci_dss: ['11.4', '10.2.4'],
  },
  agent: { id: '001', name: 'web-01', ip: '10.0.0.21' },
  manager: { name: 'wazuh-manager' },
  id: '1763720103.123456',
  full_log:
    'Nov 21 10:15:03 web-01 sshd[1234]: Failed password for invalid user admin from 203.0.113.7 port 51234 ssh2',
  decoder: { parent: 'sshd', name: 'sshd' },
  data: { srcip: '203.0.113.7', srcport: '51234', srcuser: 'admin' },
  location: '/var/log/auth.log',
}

describe('Wazuh recognition', () => {
  it('recognizes alerts.json objects and integration wrappers, and nothing merely rule-shaped', () => {
    expect(detectWazuh(SSH_BRUTE_FORCE)).not.toBeNull()
    expect(detectWazuh({ alert: SSH_BRUTE_FORCE })).not.toBeNull()
    expect(detectWazuh({ rule: { level: 5, description: 'x' } })).toBeNull() // no agent/manager/decoder
    expect(detectWazuh({ rule: { level: 'high', description: 'x' }, agent: {} })).toBeNull()
  })

  it.each([
    [0, 'informational'],
    [3, 'informational'],
    [4, 'low'],
    [7, 'medium'],
    [10, 'high'],
    [12, 'high'],
    [13, 'critical'],
    [15, 'critical'],
  ])('level %i -> %s', (level, expected) => {
    expect(wazuhLevel(level)).toBe(expected)
  })
})

describe('Wazuh alerts through the collector', () => {
  let core: Core
  let dataDir: string
  const raised: Alert[] = []
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'outpost-wazuh-'))
    core = await createCore({ dataDir, ephemeralPorts: true })
    core.subscribe((name, payload) => {
      if (name === 'alerts:raised') raised.push(...(payload as EventPayload<'alerts:raised'>).alerts)
    })
  })
  afterAll(async () => {
    await core.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })
  const alerts = async (): Promise<Alert[]> => {
    const result = await core.call('alerts:list', {})
    if (!result.ok) throw new Error(result.error.message)
    return (result.value as { alerts: Alert[] }).alerts
  }

  it('raises an alert from an alerts.json line, once, with the event mapped to ECS', async () => {
    const url = `http://127.0.0.1:${core.listeners.http!.port}/v1/events`
    const line = JSON.stringify(SSH_BRUTE_FORCE)
    expect((await fetch(url, { method: 'POST', body: `${line}\n{"message":"not an alert"}` })).status).toBe(
      200,
    )
    expect((await fetch(url, { method: 'POST', body: line })).status).toBe(200) // re-sent: same Wazuh id
    const [alert, ...more] = await alerts()
    expect(more).toEqual([])
    expect(alert).toMatchObject({
      origin: 'wazuh',
      rule_id: 'wazuh:5763',
      title: SSH_BRUTE_FORCE.rule.description,
      level: 'high',
      timestamp: '2026-11-21T10:15:03.123Z',
      host: 'web-01',
      techniques: ['T1110'],
      tags: ['syslog', 'sshd', 'authentication_failures', 'attack.t1110'],
      event_id: 'wazuh:1763720103.123456',
    })
    expect(raised.map((a) => a.id)).toEqual([alert!.id])
    const event = await core.call('events:get', { id: alert!.event_id })
    if (!event.ok) throw new Error(event.error.message)
    expect((event.value as { event: StoredEvent }).event.fields).toMatchObject({
      'event.kind': 'alert',
      'rule.name': SSH_BRUTE_FORCE.rule.description,
      'threat.technique.id': ['T1110'],
      'host.name': 'web-01',
      'event.original': SSH_BRUTE_FORCE.full_log,
      data: { srcip: '203.0.113.7' }, // the original, intact
    })
  })

  it('raises one from Wazuh’s Splunk (HEC) integration too', async () => {
    const tokens = await core.call('tokens:list', {})
    if (!tokens.ok) throw new Error(tokens.error.message)
    const token = (tokens.value as { tokens: IngestToken[] }).tokens[0]!.token
    const alert = {
      ...SSH_BRUTE_FORCE,
      id: '1763720200.555',
      rule: { ...SSH_BRUTE_FORCE.rule, level: 14, id: '100002' },
    }
    const response = await fetch(`http://127.0.0.1:${core.listeners.hec!.port}/services/collector/event`, {
      method: 'POST',
      headers: { authorization: `Splunk ${token}` },
      body: JSON.stringify({ sourcetype: 'wazuh-alerts', event: alert }),
    })
    expect(response.status).toBe(200)
    expect((await alerts())[0]).toMatchObject({ rule_id: 'wazuh:100002', level: 'critical', origin: 'wazuh' })
  })
})

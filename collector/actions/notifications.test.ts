import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Action, Alert, CallRes, Notification } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { callOk } from '../host/test-core'
import { actionNotification, alertNotification, SILENT_SOURCE_RULE } from './notifications'

const alert = (patch: Partial<Alert>): Alert =>
  ({
    id: 'al-1',
    title: 'Mimikatz',
    level: 'high',
    rule_id: 'r-1',
    host: 'ws-1',
    user: null,
    origin: 'sigma',
    incident_id: null,
    ...patch,
  }) as Alert

describe('what is notified', () => {
  it('critical alerts and silent sources, nothing else', () => {
    expect(alertNotification(alert({ level: 'high' }))).toBeUndefined()
    expect(alertNotification(alert({ level: 'critical', user: 'bob' }))).toEqual({
      kind: 'critical_alert',
      title: 'Critical alert: Mimikatz',
      body: 'on ws-1, bob',
      ref_type: 'alert',
      ref_id: 'al-1',
      incident_id: null,
    })
    expect(
      alertNotification(
        alert({
          level: 'medium',
          rule_id: SILENT_SOURCE_RULE,
          title: 'fw-01 stopped sending',
          host: 'fw-01',
        }),
      ),
    ).toMatchObject({ kind: 'silent_source', title: 'Source silent: fw-01', body: 'fw-01 stopped sending' })
  })

  it('actions waiting for approval once proposed, not on later moves', () => {
    const action: Action = {
      id: 'a-1',
      idempotency_key: 'a-1',
      type: 'block_ip',
      params: { ip: '203.0.113.7', direction: 'both' },
      incident_id: 'inc-1',
      proposed_by: 'analyzer',
      proposed_source: 'agent',
      status: 'proposed',
      preview: null,
      approved_by: null,
      attempts: 0,
      next_attempt_at: null,
      last_error: null,
      created_at: '2026-12-07T12:00:00.000Z',
      updated_at: '2026-12-07T12:00:00.000Z',
    }
    expect(actionNotification(action)).toEqual({
      kind: 'approval_needed',
      title: 'Action waiting for approval: block ip',
      body: '203.0.113.7 both — proposed by analyzer (agent)',
      ref_type: 'action',
      ref_id: 'a-1',
      incident_id: 'inc-1',
    })
    expect(actionNotification({ ...action, status: 'dry_run' })).toBeUndefined()
  })
})

const CRITICAL_RULE = `title: Test Critical Tool
id: 5b0f3c52-2f0e-4d35-a7a1-0f6f7c2d9e11
logsource: {product: windows, category: process_creation}
detection:
  selection: {Image|endswith: '\\\\critical-tool.exe'}
  condition: selection
level: critical
`

describe('the core notifies of critical alerts', () => {
  let core: Core
  let dataDir: string
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'outpost-notify-'))
    core = await createCore({ dataDir, ephemeralPorts: true })
  })
  afterAll(async () => {
    await core.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('pushes notifications:new once per alert and lists it unread until read', async () => {
    const pushed: Notification[] = []
    core.subscribe((name, payload) => {
      if (name === 'notifications:new') pushed.push((payload as { notification: Notification }).notification)
    })
    await callOk(core, 'rules:save', { text: CRITICAL_RULE })
    const event = {
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      EventID: 1,
      Computer: 'ws-crit',
      host: 'ws-crit',
      Image: 'C:\\Temp\\critical-tool.exe',
    }
    const url = `http://127.0.0.1:${core.listeners.http!.port}/v1/events`
    for (let i = 0; i < 2; i++) await fetch(url, { method: 'POST', body: JSON.stringify(event) })
    await expect.poll(() => pushed.length, { timeout: 5000 }).toBeGreaterThan(0)
    await new Promise((resolve) => setTimeout(resolve, 300))
    expect(pushed).toHaveLength(1) // the second match folds into the same alert: still one notification
    expect(pushed[0]).toMatchObject({
      kind: 'critical_alert',
      title: 'Critical alert: Test Critical Tool',
      read: false,
    })
    const listed = await callOk<CallRes<'notifications:list'>>(core, 'notifications:list', { unread: true })
    expect(listed.unread).toBe(1)
    expect(await callOk(core, 'notifications:read', { ids: [pushed[0]!.id] })).toEqual({ unread: 0 })
    expect(
      (await callOk<CallRes<'notifications:list'>>(core, 'notifications:list', { unread: true }))
        .notifications,
    ).toEqual([])
  })
})

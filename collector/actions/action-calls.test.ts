import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { callOk, raiseAlert } from '../host/test-core'

describe('actions over the contract, with the two-person rule on', () => {
  let core: Core
  let dataDir: string
  let incidentId: string
  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'outpost-action-calls-'))
    writeFileSync(join(dataDir, 'config.yaml'), 'actions:\n  two_person_rule: true\n')
    core = await createCore({ dataDir, ephemeralPorts: true })
    const alert = await raiseAlert(core, 'ws-tp')
    incidentId = (await callOk<CallRes<'alerts:escalate'>>(core, 'alerts:escalate', { ids: [alert.id] }))
      .incident.id
  })
  afterAll(async () => {
    await core.stop()
    rmSync(dataDir, { recursive: true, force: true })
  })

  it('says the rule is on, and refuses an approval by the proposer with a clear error', async () => {
    const types = await callOk<CallRes<'actions:types'>>(core, 'actions:types', {})
    expect(types.two_person_rule).toBe(true)
    expect(types.types.map((t) => [t.type, t.enabled])).toEqual([
      ['block_ip', true],
      ['isolate_host', true],
      ['disable_user', true],
      ['collect_evidence', true],
      ['webhook', false],
      ['command', false],
    ])
    await callOk(core, 'operators:create', { name: 'alice', passphrase: 'alice passphrase' })
    await callOk(core, 'operators:create', { name: 'bob', passphrase: 'bob passphrase' })
    expect(await core.call('operators:create', { name: 'carol', passphrase: 'short' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_request', message: 'operators:create: passphrase: at least 8 characters' },
    })
    const { operators } = await callOk<CallRes<'operators:list'>>(core, 'operators:list', {})
    expect(operators.map((o) => o.name)).toEqual(['alice', 'bob'])
    expect(JSON.stringify(operators)).not.toContain('passphrase')

    expect(
      await core.call('actions:propose', {
        type: 'isolate_host',
        params: { host: 'ws-tp', platform: 'windows', keep_ip: '10.0.0.5' },
        incident_id: incidentId,
      }),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'invalid_request',
        message: expect.stringMatching(/^actions:propose: proposed_by: the two-person rule is on/) as string,
      },
    })
    const { action } = await callOk<CallRes<'actions:propose'>>(core, 'actions:propose', {
      type: 'isolate_host',
      params: { host: 'ws-tp', platform: 'windows', keep_ip: '10.0.0.5' },
      incident_id: incidentId,
      proposed_by: 'alice',
      passphrase: 'alice passphrase',
    })
    await callOk(core, 'actions:dry-run', { id: action.id })
    expect(
      await core.call('actions:approve', {
        id: action.id,
        approver: 'alice',
        passphrase: 'alice passphrase',
      }),
    ).toEqual({
      ok: false,
      error: {
        code: 'invalid_request',
        message:
          'actions:approve: approver: alice proposed this action; the two-person rule needs another operator to approve it',
      },
    })
    const approved = await callOk<CallRes<'actions:approve'>>(core, 'actions:approve', {
      id: action.id,
      approver: 'bob',
      passphrase: 'bob passphrase',
    })
    expect(approved.action).toMatchObject({ status: 'approved', proposed_by: 'alice', approved_by: 'bob' })
    const done = await callOk<CallRes<'actions:execute'>>(core, 'actions:execute', { id: action.id })
    expect(done.action.status).toBe('completed')
    expect(await core.call('actions:execute', { id: action.id })).toMatchObject({
      ok: false,
      error: { code: 'conflict' },
    })

    const { entries } = await callOk<CallRes<'audit:list'>>(core, 'audit:list', { limit: 100 })
    const mine = entries.filter((e) => e.object_id === action.id).reverse()
    expect(mine.map((e) => [e.action, e.actor])).toEqual([
      ['propose', 'alice'],
      ['dry-run', expect.any(String)],
      ['approve', 'bob'],
      ['run', 'outpost-executor'],
      ['verify', 'outpost-executor'],
      ['complete', 'outpost-executor'],
    ])
    const detail = await callOk<CallRes<'incidents:get'>>(core, 'incidents:get', { id: incidentId })
    expect(detail.evidence.map((e) => e.name)).toContain(`action-${action.id.slice(0, 8)}-isolate-ws-tp.ps1`)
    // The case's timeline carries every transition.
    const texts = detail.timeline.filter((t) => t.kind === 'action').map((t) => t.text)
    expect(texts).toContain('alice propose response action isolate_host (proposed)')
    expect(texts).toContain('bob approve response action isolate_host (dry_run → approved)')
    expect(texts).toContain('outpost-executor complete response action isolate_host (verifying → completed)')
    expect((await callOk<CallRes<'audit:verify'>>(core, 'audit:verify', {})).intact).toBe(true)
  })
})

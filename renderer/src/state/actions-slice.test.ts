import { describe, expect, it } from 'vitest'
import type { ActionTypeInfo, Notification } from '../../../collector/contract'
import { formParams, splitProblems } from './actions-slice'
import { fakeTransport } from './fake-transport'
import { createAppStore } from './store'

const BLOCK_IP: ActionTypeInfo = {
  type: 'block_ip',
  title: 'Block an IP address',
  description: '',
  fields: [
    { name: 'ip', label: 'IP address', kind: 'text' },
    {
      name: 'direction',
      label: 'Direction',
      kind: 'choice',
      choices: ['both', 'inbound', 'outbound'],
      default: 'both',
    },
  ],
  enabled: true,
  disabled_reason: null,
}
const WEBHOOK: ActionTypeInfo = {
  type: 'webhook',
  title: 'Call a local webhook',
  description: '',
  fields: [
    { name: 'url', label: 'URL', kind: 'text' },
    { name: 'body', label: 'Body (JSON object)', kind: 'json', default: '{}' },
  ],
  enabled: true,
  disabled_reason: null,
}

describe('response actions in the console', () => {
  it('checks the form as the core does, field by field, before sending anything', () => {
    expect(formParams(BLOCK_IP, { ip: ' 2001:DB8::0:7 ' })).toEqual({
      ok: true,
      params: { ip: '2001:db8::7', direction: 'both' },
    })
    const bad = formParams(BLOCK_IP, { ip: '10.0.0.1; reboot' })
    expect(bad.ok).toBe(false)
    if (!bad.ok) expect(bad.problems.ip).toMatch(/is not an IPv4 or IPv6 address/)
    const json = formParams(WEBHOOK, { url: 'http://127.0.0.1/x', body: '{nope' })
    expect(json.ok).toBe(false)
    if (!json.ok) expect(json.problems.body).toMatch(/^not JSON/)
  })

  it("puts the core's refusals beside the fields they name", () => {
    expect(
      splitProblems(
        'actions:propose: params.host: a host name is letters; params.keep_ip: "x" is not an IPv4',
      ),
    ).toEqual({ 'params.host': 'a host name is letters', 'params.keep_ip': '"x" is not an IPv4' })
    expect(splitProblems('actions:propose: the command action is off: list programs')).toEqual({
      propose: 'the command action is off: list programs',
    })
  })

  it('proposes nothing while a field is wrong, and sends the canonical values once right', async () => {
    const { transport, named } = fakeTransport({
      'actions:list': () => ({ ok: true, value: { actions: [] } }),
      'actions:dead-letters': () => ({ ok: true, value: { dead_letters: [] } }),
      'actions:types': () => ({ ok: true, value: { types: [BLOCK_IP], two_person_rule: false } }),
      'actions:propose': () => ({
        ok: false,
        error: { code: 'invalid_request', message: 'actions:propose: params.ip: blocked already' },
      }),
    })
    const store = createAppStore(transport)
    store.setState({ caseId: 'inc-1' })
    await store.getState().loadActionTypes()
    expect(await store.getState().proposeAction('block_ip', { ip: '300.1.1.1' })).toBe(false)
    expect(named('actions:propose')).toHaveLength(0)
    expect(store.getState().actionErrors['params.ip']).toMatch(/not an IPv4 or IPv6/)
    expect(
      await store.getState().proposeAction('block_ip', { ip: '203.0.113.7', direction: 'inbound' }),
    ).toBe(false)
    expect(named('actions:propose').map((c) => c.req)).toEqual([
      { type: 'block_ip', params: { ip: '203.0.113.7', direction: 'inbound' }, incident_id: 'inc-1' },
    ])
    expect(store.getState().actionErrors).toEqual({ 'params.ip': 'blocked already' })
  })

  it('counts pushed notifications once', () => {
    const store = createAppStore(fakeTransport({}).transport)
    const n: Notification = {
      id: 7,
      at: '2026-12-07T12:00:00Z',
      kind: 'approval_needed',
      title: 'Action waiting for approval: block ip',
      body: '203.0.113.7',
      ref_type: 'action',
      ref_id: 'a-1',
      incident_id: 'inc-1',
      read: false,
    }
    store.getState().notificationArrived(n)
    store.getState().notificationArrived(n)
    expect(store.getState().unreadNotifications).toBe(1)
    expect(store.getState().notifications.map((x) => x.id)).toEqual([7])
  })
})

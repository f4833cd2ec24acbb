import { describe, expect, it, vi } from 'vitest'
import { CALL_NAMES, CORE_CALLS, SHELL_CALLS, type CallReq, type CoreCallName } from '../collector/contract'
import { registerContract, type IpcEventLike, type IpcMainLike, type ShellHandlers } from './ipc'

const APP = 'file:///opt/outpost/out/renderer/index.html'

/** A valid request for every core call: a new call fails to compile here until it has one. */
const VALID: { [K in CoreCallName]: CallReq<K> } = {
  'system:health': {},
  'system:info': {},
  'search:global': { text: 'ws01' },
  'collector:stats': {},
  'collector:dead-letters': {},
  'collector:heartbeats': {},
  'alerts:list': {},
  'alerts:update': { ids: ['a'], action: 'acknowledge' },
  'alerts:escalate': { ids: ['a'] },
  'incidents:list': {},
  'incidents:export': { id: 'x', format: 'md' },
  'incidents:get': { id: 'x' },
  'incidents:attach': { id: 'x', path: '/tmp/capture.pcap' },
  'evidence:get': { id: 'x' },
  'assets:list': {},
  'assets:get': { id: 'host:ws01' },
  'assets:create': { kind: 'host', value: 'ws01' },
  'assets:update': { id: 'host:ws01', criticality: 'high' },
  'graph:get': {},
  'incidents:update': { id: 'x', status: 'triage' },
  'incidents:comment': { id: 'x', body: 'seen' },
  'incidents:observe': { id: 'x', observables: [{ type: 'ipv4', value: '10.0.0.1' }] },
  'incidents:unobserve': { id: 'x', type: 'ipv4', value: '10.0.0.1' },
  'incidents:retract': { id: 'x', comment_id: 'c' },
  'rules:list': {},
  'rules:get': { key: 'x' },
  'rules:validate': { text: 'title: x' },
  'rules:save': { text: 'title: x' },
  'rules:delete': { file: 'user/x.yml' },
  'rules:import': { paths: ['/tmp/rules'] },
  'rules:set-enabled': { folder: 'user', enabled: false },
  'rules:test': { key: 'x' },
  'rules:test-cancel': { test_id: 'x' },
  'audit:list': {},
  'audit:verify': {},
  'reports:list': {},
  'reports:get': { id: 'x' },
  'reports:versions': { id: 'x' },
  'reports:create': { title: 'x' },
  'reports:update': { id: 'x', version: 1 },
  'reports:export': { id: 'x', format: 'stix' },
  'operations:list': {},
  'operations:create': { name: 'x' },
  'operations:update': { id: 'x', status: 'active' },
  'missions:list': {},
  'missions:create': { operation_id: 'x', title: 'y' },
  'missions:update': { id: 'x', status: 'done' },
  'attack:import': { path: '/tmp/enterprise-attack.json' },
  'attack:matrix': {},
  'attack:techniques': { ids: ['T1059'] },
  'hunt:search': { query: 'host:ws01 AND NOT user:svc_*', from: '-24h' },
  'hunt:histogram': { query: 'EventID:4625', buckets: 60 },
  'hunt:fields': { query: '' },
  'hunt:sql': { sql: 'SELECT count(*) FROM events', query_id: 'q1' },
  'hunt:cancel': { query_id: 'q1' },
  'hunt:export': { query: 'host:ws01', format: 'csv' },
  'hunts:list': {},
  'hunts:save': { name: 'failed logons', query: 'EventID:4625', from: '-24h', schedule_minutes: 60 },
  'hunts:delete': { id: 'h1' },
  'hunts:run': { id: 'x' },
  'hunts:to-sigma': { query: 'Image:*\\powershell.exe AND CommandLine:*-enc*' },
  'taxii:sources': {},
  'taxii:pull-now': { source: 'partner-feed' },
  'archive:status': {},
  'dashboard:summary': { from: '-24h' },
  'agents:list': {},
  'agents:update': { name: 'monitor', interval_s: 600, options: { silent_after_s: 1800 } },
  'agents:run': { name: 'monitor' },
  'agents:runs': { name: 'analyzer', limit: 20 },
  'settings:get': {},
  'settings:update': { section: 'ui', values: { banner: null }, base_hash: '0'.repeat(64) },
  'tokens:list': {},
  'tokens:create': { name: 'x' },
  'tokens:revoke': { id: 'x' },
  'events:list': {},
  'events:get': { id: 'x' },
  'import:start': { paths: ['/tmp/a.ndjson'] },
  'import:cancel': { job_id: 'x' },
  'import:list': {},
  'metrics:sources': {},
  'metrics:series': { source: 'web-1', name: 'cpu' },
  'actions:types': {},
  'actions:list': { incident_id: 'x', status: 'proposed' },
  'actions:get': { id: 'x' },
  'actions:propose': { type: 'block_ip', params: { ip: '203.0.113.7' }, incident_id: 'x' },
  'actions:dry-run': { id: 'x' },
  'actions:approve': { id: 'x', approver: 'bob', passphrase: 'correct horse' },
  'actions:reject': { id: 'x', reason: 'wrong host' },
  'actions:execute': { id: 'x' },
  'actions:dead-letters': {},
  'operators:list': {},
  'operators:create': { name: 'bob', passphrase: 'correct horse' },
  'webhooks:list': {},
  'webhooks:save': { name: 'n8n', url: 'http://127.0.0.1:5678/webhook/outpost', events: ['alert.raised'] },
  'webhooks:delete': { id: 'x' },
  'webhooks:test': { id: 'x' },
  'notifications:list': {},
  'notifications:read': { ids: [1] },
  'keys:show': {},
  'keys:list': {},
  'keys:trust': { name: 'core', public_key: 'ed25519:' + 'A'.repeat(43) + '=', scope: 'records' },
  'keys:revoke': { name: 'core' },
  'bundles:export': { out: '/media/usb/outpost.bundle', since: '2026-12-01T00:00:00Z', kinds: ['incident'] },
  'bundles:content-export': { type: 'watchlist', in: '/tmp/iocs.csv', version: '1', out: '/tmp/iocs.bundle' },
  'bundles:preview': { path: '/media/usb/outpost.bundle' },
  'bundles:import': { path: '/media/usb/outpost.bundle' },
  'bundles:content-list': {},
  'bundles:content-rollback': { type: 'rule-pack', to: '1' },
  'watchlist:list': {},
  'watchlist:add': { type: 'domain', value: 'evil.example', level: 'critical' },
  'watchlist:remove': { type: 'domain', value: 'evil.example' },
  'sync:status': {},
  'tasks:list': {},
  'tasks:cancel': { id: 'task-1' },
  'sync:connect': { url: 'https://core.example.org:7480', token: 'osync_0123456789' },
  'sync:disconnect': {},
  'sync:push-now': {},
  'sync:pull-now': {},
  'sync:conflicts': {},
  'sync:resolve': { id: 1, choose: 'local' },
}

const setup = () => {
  const handlers = new Map<string, (event: IpcEventLike, ...args: unknown[]) => Promise<unknown>>()
  const ipcMain: IpcMainLike = {
    handle: (channel, listener) => {
      if (handlers.has(channel)) throw new Error(`second handler for ${channel}`)
      handlers.set(channel, listener)
    },
    removeHandler: (channel) => handlers.delete(channel),
  }
  const core = {
    call: vi.fn((name: string, req: unknown) => Promise.resolve({ ok: true as const, value: { name, req } })),
  }
  const shell: ShellHandlers = {
    'dialog:open': vi.fn(() => Promise.resolve({ paths: ['/tmp/a.evtx'] })),
    'dialog:save': vi.fn(() => Promise.reject(new Error('no display'))),
  }
  const unregister = registerContract({ ipcMain, core, shell, isTrustedSender: (url) => url === APP })
  const invoke = (name: string, req: unknown, url = APP) => handlers.get(name)!({ senderFrame: { url } }, req)
  return { handlers, core, shell, unregister, invoke }
}

describe('registerContract', () => {
  it('registers exactly one handler per contract call', () => {
    const { handlers, unregister } = setup()
    expect([...handlers.keys()].sort()).toEqual([...CALL_NAMES].sort())
    unregister()
    expect(handlers.size).toBe(0)
  })

  it('forwards every core call to the core with the validated request (defaults filled)', async () => {
    const { core, invoke } = setup()
    for (const name of CORE_CALLS) expect(await invoke(name, VALID[name])).toMatchObject({ ok: true })
    expect(core.call).toHaveBeenCalledTimes(CORE_CALLS.length)
    expect(core.call).toHaveBeenCalledWith('events:list', { limit: 100 })
  })

  it('rejects an invalid payload before it reaches the core', async () => {
    const { core, invoke } = setup()
    const result = await invoke('events:list', { limit: 'all' })
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'invalid_request', message: expect.stringMatching(/^events:list: limit/) as string },
    })
    expect(await invoke('events:get', { id: 1, extra: true })).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    })
    expect(core.call).not.toHaveBeenCalled()
  })

  it('refuses senders that are not the app', async () => {
    const { core, invoke } = setup()
    expect(await invoke('system:health', {}, 'https://evil.example/')).toMatchObject({
      ok: false,
      error: { code: 'invalid_request' },
    })
    expect(core.call).not.toHaveBeenCalled()
  })

  it('answers shell calls in main, and turns their failures into results', async () => {
    const { core, shell, invoke } = setup()
    expect(SHELL_CALLS).toContain('dialog:open')
    expect(await invoke('dialog:open', { title: 'Import' })).toEqual({
      ok: true,
      value: { paths: ['/tmp/a.evtx'] },
    })
    expect(shell['dialog:open']).toHaveBeenCalledWith({ title: 'Import' })
    expect(await invoke('dialog:save', {})).toMatchObject({
      ok: false,
      error: { code: 'internal', message: 'dialog:save failed: no display' },
    })
    expect(core.call).not.toHaveBeenCalled()
  })
})

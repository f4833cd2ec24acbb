import { createHmac } from 'node:crypto'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import type { CallRes, EventName } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { Config } from '../host/config'
import { silentLogger } from '../host/log'
import { callOk } from '../host/test-core'
import { SqliteStore } from '../store/sqlite/sqlite-store'
import { WebhooksRepo } from '../store/sqlite/webhooks-repo'
import { WebhookDispatcher } from './webhooks'

type Received = { headers: IncomingHttpHeaders; body: string }

/** A local automation endpoint on 127.0.0.1 answering with the statuses given, then 200. */
const listen = async (
  statuses: number[] = [],
): Promise<{ url: string; received: Received[]; server: Server }> => {
  const received: Received[] = []
  const server = createServer((req, res) => {
    let body = ''
    req.on('data', (chunk: Buffer) => (body += chunk.toString()))
    req.on('end', () => {
      received.push({ headers: req.headers, body })
      res.statusCode = statuses.shift() ?? 200
      res.end('ok')
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook/`, received, server }
}

const cleanups: Array<() => unknown> = []
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup()
})

const dispatcher = (allow: string[], max_attempts = 3) => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-webhooks-'))
  const sqlite = SqliteStore.open(join(dir, 'outpost.sqlite'), { synchronous: 'normal' })
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }))
  cleanups.push(() => sqlite.db.close())
  const clock = { now: 1_700_000_000_000 }
  const repo = new WebhooksRepo(sqlite.db)
  const hooks = new WebhookDispatcher({
    repo,
    config: { ...Config.parse({}).webhooks, allow, max_attempts, retry_base_s: 10 },
    log: silentLogger,
    now: () => clock.now,
    random: () => 0.5,
  })
  return { hooks, repo, clock }
}

describe('webhooks', () => {
  it('POSTs the change signed with HMAC-SHA256 of the body and a timestamp header', async () => {
    const endpoint = await listen()
    cleanups.push(() => endpoint.server.close())
    const { hooks } = dispatcher([endpoint.url])
    const subscription = hooks.save({
      name: 'n8n',
      url: `${endpoint.url}outpost`,
      events: ['incident.changed'],
      enabled: true,
    })
    expect(subscription.secret).toMatch(/^[0-9a-f]{64}$/)
    expect(hooks.publish('alert.raised', { alerts: [] })).toBe(0) // not subscribed to that kind
    expect(hooks.publish('incident.changed', { id: 'inc-1' })).toBe(1)
    await hooks.pump()
    expect(endpoint.received).toHaveLength(1)
    const [{ headers, body }] = endpoint.received as [Received]
    const expected = createHmac('sha256', subscription.secret).update(body).digest('hex')
    expect(headers['x-outpost-signature']).toBe(`sha256=${expected}`)
    expect(headers['x-outpost-timestamp']).toBe('1700000000')
    expect(headers['x-outpost-event']).toBe('incident.changed')
    expect(headers['content-type']).toBe('application/json')
    expect(JSON.parse(body)).toEqual({
      event: 'incident.changed',
      at: '2023-11-14T22:13:20.000Z',
      data: { id: 'inc-1' },
    })
  })

  it('retries after a 500 with backoff, and delivers', async () => {
    const endpoint = await listen([500])
    cleanups.push(() => endpoint.server.close())
    const { hooks, repo, clock } = dispatcher([endpoint.url])
    hooks.save({ name: 'n8n', url: endpoint.url, events: ['action.changed'], enabled: true })
    hooks.publish('action.changed', { action: { id: 'a' } })
    await hooks.pump()
    let [delivery] = repo.deliveries(10)
    expect(delivery).toMatchObject({
      status: 'pending',
      attempts: 1,
      last_error: 'answered HTTP 500',
      response_status: 500,
    })
    expect(Date.parse(delivery!.next_attempt_at!) - clock.now).toBe(10_000)
    expect(await hooks.pump()).toBe(0) // not due yet
    clock.now += 10_000
    await hooks.pump()
    ;[delivery] = repo.deliveries(10)
    expect(delivery).toMatchObject({
      status: 'delivered',
      attempts: 2,
      last_error: null,
      response_status: 200,
    })
    expect(endpoint.received).toHaveLength(2)
    expect(endpoint.received[0]!.body).toBe(endpoint.received[1]!.body)
  })

  it('dead-letters a delivery after its last attempt, with the reason', async () => {
    const endpoint = await listen()
    const url = endpoint.url
    await new Promise((resolve) => endpoint.server.close(resolve)) // nobody listens there now
    const { hooks, repo, clock } = dispatcher([url], 2)
    hooks.save({ name: 'gone', url, events: ['alert.raised'], enabled: true })
    hooks.publish('alert.raised', { alerts: [] })
    await hooks.pump()
    clock.now += 60_000
    await hooks.pump()
    const [delivery] = repo.deliveries(10)
    expect(delivery).toMatchObject({ status: 'dead', attempts: 2, next_attempt_at: null })
    expect(delivery!.last_error).toMatch(/^after 2 attempts: fetch failed \(ECONNREFUSED\)/)
  })

  it('refuses destinations that are not allowlisted, and everything while the list is empty', () => {
    expect(() =>
      dispatcher([]).hooks.save({
        name: 'x',
        url: 'http://127.0.0.1:5678/',
        events: ['alert.raised'],
        enabled: true,
      }),
    ).toThrow(
      /webhooks are off until destinations are allowed: add a URL prefix to webhooks\.allow \(Settings, or config\.yaml\)/,
    )
    expect(() =>
      dispatcher(['http://127.0.0.1:5678/webhook/']).hooks.save({
        name: 'x',
        url: 'http://10.1.1.1/',
        events: ['alert.raised'],
        enabled: true,
      }),
    ).toThrow(
      /http:\/\/10\.1\.1\.1\/ is not under any of webhooks\.allow \(http:\/\/127\.0\.0\.1:5678\/webhook\/\)/,
    )
  })
})

describe('the core: webhooks and notifications follow what it pushes', () => {
  let core: Core
  it('sends action changes to a subscription and notifies of actions waiting for approval', async () => {
    const endpoint = await listen()
    cleanups.push(() => endpoint.server.close())
    const dataDir = mkdtempSync(join(tmpdir(), 'outpost-webhooks-core-'))
    cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }))
    writeFileSync(join(dataDir, 'config.yaml'), `webhooks:\n  allow: ['${endpoint.url}']\n`)
    core = await createCore({ dataDir, ephemeralPorts: true })
    cleanups.push(() => core.stop())
    const pushed: EventName[] = []
    core.subscribe((name) => pushed.push(name))

    const { subscription } = await callOk<CallRes<'webhooks:save'>>(core, 'webhooks:save', {
      name: 'n8n',
      url: endpoint.url,
      events: ['action.changed'],
    })
    const { action } = await callOk<CallRes<'actions:propose'>>(core, 'actions:propose', {
      type: 'disable_user',
      params: { user: 'svc_backup', platform: 'linux' },
    })
    await expect.poll(() => endpoint.received.length).toBe(1)
    const body = JSON.parse(endpoint.received[0]!.body) as {
      event: string
      data: { action: { id: string; status: string } }
    }
    expect(body).toMatchObject({
      event: 'action.changed',
      data: { action: { id: action.id, status: 'proposed' } },
    })
    expect(endpoint.received[0]!.headers['x-outpost-signature']).toBe(
      `sha256=${createHmac('sha256', subscription.secret).update(endpoint.received[0]!.body).digest('hex')}`,
    )

    const { notifications, unread } = await callOk<CallRes<'notifications:list'>>(
      core,
      'notifications:list',
      {},
    )
    expect(unread).toBe(1)
    expect(notifications[0]).toMatchObject({
      kind: 'approval_needed',
      ref_type: 'action',
      ref_id: action.id,
      read: false,
    })
    expect(pushed).toContain('notifications:new')
    expect(pushed).toContain('actions:changed')
    expect(await callOk(core, 'notifications:read', {})).toEqual({ unread: 0 })

    const test = await callOk<CallRes<'webhooks:test'>>(core, 'webhooks:test', { id: subscription.id })
    expect(test.delivery).toMatchObject({ status: 'delivered', attempts: 1, response_status: 200 })
    const refused = await core.call('webhooks:save', {
      name: 'x',
      url: 'http://10.0.0.1/',
      events: ['alert.raised'],
    })
    expect(refused).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    const listed = await callOk<CallRes<'webhooks:list'>>(core, 'webhooks:list', {})
    expect(listed.allow).toEqual([endpoint.url])
    expect(listed.deliveries.every((d) => d.status === 'delivered')).toBe(true)
  })
})

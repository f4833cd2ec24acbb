import { describe, expect, it } from 'vitest'
import type { SyncConflict, SyncStatus } from '../../../collector/contract'
import { fakeTransport } from './fake-transport'
import { createAppStore } from './store'
import { syncErrorField } from './sync-slice'

const status = (patch: Partial<SyncStatus> = {}): SyncStatus => ({
  role: 'console',
  node_id: 'outpost-1',
  configured: false,
  url: null,
  console_id: null,
  role_on_core: null,
  queue_depth: 0,
  conflicts: 0,
  last_success: null,
  last_error: null,
  next_retry: null,
  cursor: 0,
  nats: {
    enabled: false,
    connected: false,
    servers: [],
    site: 'default',
    queue_depth: 0,
    last_success: null,
    last_error: null,
    next_retry: null,
  },
  bundles: { mode: 'two-way', channel: false, queue_depth: 0, last_export: null },
  ...patch,
})

const conflict: SyncConflict = {
  id: 4,
  kind: 'operation',
  object_id: 'op-1',
  local: {
    kind: 'operation',
    id: 'op-1',
    version: 2,
    updated_at: '2026-12-07T10:00:00Z',
    origin: 'me',
    deleted: false,
    body: { name: 'A' },
  },
  remote: {
    kind: 'operation',
    id: 'op-1',
    version: 2,
    updated_at: '2026-12-07T11:00:00Z',
    origin: 'core',
    deleted: false,
    body: { name: 'B' },
  },
  winner: 'remote',
  detected_at: '2026-12-07T11:00:01Z',
  resolved_at: null,
  resolution: null,
}

describe('sync slice', () => {
  it('puts a refusal beside the field it names', async () => {
    const { transport } = fakeTransport({
      'sync:connect': () => ({
        ok: false,
        error: {
          code: 'invalid_request',
          message: 'sync:connect: url: use an http:// or https:// URL of the core',
        },
      }),
    })
    const store = createAppStore(transport)
    expect(await store.getState().syncConnect({ url: 'ftp://x', token: 'osync_123456', ca_pem: '' })).toBe(
      false,
    )
    expect(store.getState().syncFieldErrors).toEqual({
      url: 'sync:connect: url: use an http:// or https:// URL of the core',
    })
    expect(store.getState().syncError).toBeNull()
    expect(syncErrorField('GET /sync/v1/hello: HTTP 401: missing, wrong or revoked console token')).toBe(
      'token',
    )
    expect(syncErrorField('http://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1')).toBe('url')
    expect(syncErrorField('something else')).toBeNull()
  })

  it('connects without sending an empty CA, and resolves a conflict then reloads', async () => {
    let open = [conflict]
    const fake = fakeTransport({
      'sync:connect': () => ({ ok: true, value: status({ configured: true, console_id: 'alpha' }) }),
      'sync:status': () => ({ ok: true, value: status({ configured: true, conflicts: open.length }) }),
      'sync:conflicts': () => ({ ok: true, value: { conflicts: open } }),
      'sync:resolve': () => {
        open = []
        return { ok: true, value: { conflict: { ...conflict, resolution: 'local' } } }
      },
    })
    const store = createAppStore(fake.transport)
    expect(
      await store.getState().syncConnect({ url: 'http://core:7480', token: 'osync_123456', ca_pem: ' ' }),
    ).toBe(true)
    expect(fake.named('sync:connect')[0]!.req).toEqual({ url: 'http://core:7480', token: 'osync_123456' })
    await store.getState().loadSync()
    expect(store.getState().syncConflicts).toHaveLength(1)
    await store.getState().syncResolve(4, 'local')
    expect(fake.named('sync:resolve')[0]!.req).toEqual({ id: 4, choose: 'local' })
    expect(store.getState().syncConflicts).toEqual([])
    expect(store.getState().syncStatus?.conflicts).toBe(0)
  })

  it('sends a client certificate and key instead of an empty token, and shows a key refusal beside it', async () => {
    let answer: 'refuse' | 'ok' = 'refuse'
    const fake = fakeTransport({
      'sync:connect': () =>
        answer === 'refuse'
          ? {
              ok: false,
              error: {
                code: 'invalid_request',
                message: 'key_pem: this key does not belong to the certificate',
              },
            }
          : { ok: true, value: status({ configured: true, console_id: 'device-ok' }) },
    })
    const store = createAppStore(fake.transport)
    const req = { url: 'https://core:7480', token: '', ca_pem: '', cert_pem: 'CERT ', key_pem: 'KEY' }
    expect(await store.getState().syncConnect(req)).toBe(false)
    expect(store.getState().syncFieldErrors).toEqual({
      key_pem: 'key_pem: this key does not belong to the certificate',
    })
    answer = 'ok'
    expect(await store.getState().syncConnect(req)).toBe(true)
    expect(fake.named('sync:connect')[1]!.req).toEqual({
      url: 'https://core:7480',
      cert_pem: 'CERT',
      key_pem: 'KEY',
    })
  })

  it('follows sync:changed pushes', () => {
    const fake = fakeTransport({ 'sync:conflicts': () => ({ ok: true, value: { conflicts: [] } }) })
    const store = createAppStore(fake.transport)
    store.getState().syncChanged(status({ queue_depth: 7 }))
    expect(store.getState().syncStatus?.queue_depth).toBe(7)
  })
})

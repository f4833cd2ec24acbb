import { describe, expect, it } from 'vitest'
import { fail, ok, type BundlePreview } from '../../../collector/contract'
import { fakeTransport } from './fake-transport'
import { createAppStore } from './store'

const preview: BundlePreview = {
  bundle: {
    bundle_id: 'b-1',
    kind: 'records',
    content_type: null,
    name: null,
    version: '2026-12-07T10:00:00.000Z',
    created_at: '2026-12-07T10:00:00.000Z',
    origin: 'outpost-0123456789abcdef',
    signer: { name: 'console-1', key_id: '0123456789abcdef' },
    counts: { records: 1 },
  },
  already_imported: false,
  counts: { new: 1, changed: 0, unchanged: 0, conflict: 0 },
  items: [
    {
      kind: 'incident',
      id: 'i-1',
      status: 'new',
      incoming_version: '1',
      stored_version: null,
      stored_origin: null,
      winner: 'incoming',
      fields: [],
    },
  ],
}

describe('bundles slice', () => {
  it('previews a bundle, imports only once confirmed, then reloads keys and content', async () => {
    const fake = fakeTransport({
      'keys:show': () => ok({ key_id: 'k', public_key: 'ed25519:x', fingerprint: 'f' }),
      'keys:list': () => ok({ keys: [] }),
      'bundles:content-list': () => ok({ versions: [] }),
      'bundles:preview': () => ok(preview),
      'bundles:import': () => ok({ ...preview, applied: 1 }),
    })
    const store = createAppStore(fake.transport)
    await store.getState().previewBundle('/media/usb/a.bundle')
    expect(store.getState().bundlePreview).toMatchObject({ path: '/media/usb/a.bundle', counts: { new: 1 } })
    expect(fake.named('bundles:import')).toHaveLength(0)
    await store.getState().confirmBundleImport()
    expect(fake.named('bundles:import').map((c) => c.req)).toEqual([{ path: '/media/usb/a.bundle' }])
    expect(store.getState().bundlePreview).toBeNull()
    expect(store.getState().bundleImported?.applied).toBe(1)
    expect(fake.named('keys:list')).toHaveLength(1)
  })

  it('exports the outbox or a selection, never both', async () => {
    const done = {
      file: '/m/a.bundle',
      bundle_id: 'b',
      version: '1',
      bytes: 1,
      sha256: 'x',
      counts: { records: 0 },
    }
    const fake = fakeTransport({ 'bundles:export': () => ok(done) })
    const store = createAppStore(fake.transport)
    await store.getState().exportBundle('/m/a.bundle', '3', true)
    await store.getState().exportBundle('/m/b.bundle', '3')
    await store.getState().exportBundle('/m/c.bundle', undefined)
    expect(fake.named('bundles:export').map((c) => c.req)).toEqual([
      { out: '/m/a.bundle', outbox: true },
      { out: '/m/b.bundle', since: '3' },
      { out: '/m/c.bundle' },
    ])
    expect(store.getState().bundleExported).toEqual(done)
  })

  it('shows a refused bundle beside the import form and keeps nothing previewed', async () => {
    const fake = fakeTransport({
      'bundles:preview': () => fail('invalid_request', 'bundle /x refused: it is unsigned (no manifest.sig)'),
    })
    const store = createAppStore(fake.transport)
    await store.getState().previewBundle('/x')
    expect(store.getState().bundleError).toEqual({
      where: 'import',
      message: 'bundle /x refused: it is unsigned (no manifest.sig)',
    })
    expect(store.getState().bundlePreview).toBeNull()
  })

  it('trusts a key with its scope and reports a bad one', async () => {
    const fake = fakeTransport({
      'keys:trust': (req) =>
        (req as { public_key: string }).public_key === 'bad'
          ? fail('invalid_request', 'not a public key')
          : ok({ key: {} }),
      'keys:show': () => ok({ key_id: 'k', public_key: 'ed25519:x', fingerprint: 'f' }),
      'keys:list': () => ok({ keys: [] }),
      'bundles:content-list': () => ok({ versions: [] }),
    })
    const store = createAppStore(fake.transport)
    expect(await store.getState().trustKey('core', 'ed25519:abc', 'records')).toBe(true)
    expect(fake.named('keys:trust')[0]!.req).toEqual({
      name: 'core',
      public_key: 'ed25519:abc',
      scope: 'records',
    })
    expect(await store.getState().trustKey('core', 'bad', 'both')).toBe(false)
    expect(store.getState().bundleError).toEqual({ where: 'keys', message: 'not a public key' })
  })
})

import { describe, expect, it } from 'vitest'
import type { SettingsSnapshot } from '../../../collector/contract'
import { fakeTransport } from './fake-transport'
import { settingsErrorFields } from './settings-slice'
import { connectStore, createAppStore } from './store'

const snapshot = (patch: Partial<SettingsSnapshot> = {}): SettingsSnapshot => ({
  data_dir: '/d',
  data_dir_source: 'Given with --data-dir.',
  config_file: '/d/config.yaml',
  hash: 'a'.repeat(64),
  mtime: null,
  config: { listeners: { http: { port: 5080 } } },
  file_error: null,
  sections: [],
  restart_required: [],
  certificates: [],
  ...patch,
})

describe('settingsErrorFields', () => {
  it('splits a refusal into its fields', () => {
    expect(
      settingsErrorFields(
        'listeners.http.port: a port is at most 65535; listeners.http.host: too short; b; c (nothing was saved)',
      ),
    ).toEqual({ 'listeners.http.port': 'a port is at most 65535', 'listeners.http.host': 'too short; b; c' })
    expect(settingsErrorFields('config.yaml changed on disk')).toEqual({ '': 'config.yaml changed on disk' })
  })
})

describe('the settings slice', () => {
  it('sends the hash it read, shows refusals by field, and takes the new snapshot when saved', async () => {
    let refuse = true
    const fake = fakeTransport({
      'settings:get': () => ({ ok: true, value: snapshot() }),
      'settings:update': () =>
        refuse
          ? {
              ok: false,
              error: {
                code: 'invalid_request',
                message: 'listeners.http.port: a port is at most 65535 (nothing was saved)',
              },
            }
          : {
              ok: true,
              value: {
                changed: ['listeners.http.port'],
                applied: [],
                restart: ['listeners.http.port'],
                settings: snapshot({ hash: 'b'.repeat(64), restart_required: ['listeners.http.port'] }),
              },
            },
    })
    const store = createAppStore(fake.transport)
    await store.getState().loadSettings()
    expect(await store.getState().saveSettings('listeners.http', { port: 99999 })).toBe(false)
    expect(fake.named('settings:update')[0]!.req).toEqual({
      section: 'listeners.http',
      values: { port: 99999 },
      base_hash: 'a'.repeat(64),
    })
    expect(store.getState().settingsFieldErrors).toEqual({ 'listeners.http.port': 'a port is at most 65535' })
    refuse = false
    expect(await store.getState().saveSettings('listeners.http', { port: 6000 })).toBe(true)
    expect(store.getState().settingsFieldErrors).toEqual({})
    expect(store.getState().settings?.hash).toBe('b'.repeat(64))
    expect(store.getState().settings?.restart_required).toEqual(['listeners.http.port'])
  })

  it('shows a conflict on the section', async () => {
    const fake = fakeTransport({
      'settings:get': () => ({ ok: true, value: snapshot() }),
      'settings:update': () => ({ ok: false, error: { code: 'conflict', message: 'changed on disk' } }),
    })
    const store = createAppStore(fake.transport)
    await store.getState().loadSettings()
    await store.getState().saveSettings('archive', { max_age_days: 3 })
    expect(store.getState().settingsSectionErrors.archive).toBe('changed on disk')
  })

  it('reloads the banner and the settings when another window saved', async () => {
    let banner: { text: string; color: string } | null = null
    const fake = fakeTransport({
      'settings:get': () => ({ ok: true, value: snapshot() }),
      'system:info': () => ({ ok: true, value: { ui: { banner } } }),
    })
    const store = createAppStore(fake.transport)
    const stop = connectStore(store, fake.transport)
    await store.getState().loadSettings()
    banner = { text: 'TLP:RED', color: '#cc0033' }
    fake.emit('settings:changed', { applied: ['ui.banner'], restart_required: [] })
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(store.getState().info?.ui.banner).toEqual(banner)
    expect(fake.named('settings:get')).toHaveLength(2)
    stop()
  })

  it('reloads the action types and webhooks when their settings applied at once', async () => {
    const fake = fakeTransport({
      'system:info': () => ({ ok: true, value: { ui: { banner: null } } }),
      'actions:types': () => ({ ok: true, value: { types: [], two_person_rule: true } }),
      'webhooks:list': () => ({
        ok: true,
        value: { subscriptions: [], allow: ['http://127.0.0.1:5678/'], deliveries: [] },
      }),
    })
    const store = createAppStore(fake.transport)
    const stop = connectStore(store, fake.transport)
    fake.emit('settings:changed', { applied: ['actions.two_person_rule'], restart_required: [] })
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(store.getState().twoPersonRule).toBe(true)
    expect(fake.named('webhooks:list')).toHaveLength(0)
    fake.emit('settings:changed', { applied: ['webhooks.allow'], restart_required: [] })
    await new Promise((resolve) => setTimeout(resolve, 0))
    expect(store.getState().webhookAllow).toEqual(['http://127.0.0.1:5678/'])
    stop()
  })
})

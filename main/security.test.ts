import { describe, expect, it, vi } from 'vitest'
import {
  appUrlMatcher,
  hardenSession,
  hardenWebContents,
  type PreventableEvent,
  type WebContentsLike,
} from './security'

const fakeContents = () => {
  const listeners = new Map<string, (event: PreventableEvent, url: string) => void>()
  let openHandler: ((details: { url: string }) => { action: 'deny' }) | undefined
  const contents: WebContentsLike = {
    setWindowOpenHandler: (handler) => {
      openHandler = handler
    },
    on: (event: string, listener: (event: PreventableEvent, url: string) => void) =>
      listeners.set(event, listener),
  }
  const fire = (name: string, url = '') => {
    const event = { preventDefault: vi.fn() }
    listeners.get(name)!(event, url)
    return event.preventDefault.mock.calls.length > 0
  }
  return { contents, fire, open: (url: string) => openHandler!({ url }) }
}

describe('window hardening', () => {
  const isApp = appUrlMatcher('file:///opt/outpost/out/renderer/index.html')

  it('refuses window.open, navigation away, redirects and webviews', () => {
    const { contents, fire, open } = fakeContents()
    hardenWebContents(contents, isApp)
    expect(open('https://example.com/')).toEqual({ action: 'deny' })
    expect(open('file:///opt/outpost/out/renderer/index.html')).toEqual({ action: 'deny' })
    expect(fire('will-navigate', 'https://example.com/')).toBe(true)
    expect(fire('will-navigate', 'file:///etc/passwd')).toBe(true)
    expect(fire('will-redirect', 'http://127.0.0.1:9/')).toBe(true)
    expect(fire('will-attach-webview')).toBe(true)
    // Reloading the app itself (hash routes included) stays allowed.
    expect(fire('will-navigate', 'file:///opt/outpost/out/renderer/index.html#/events')).toBe(false)
  })

  it('matches the dev server by origin only', () => {
    const dev = appUrlMatcher('http://localhost:5173/')
    expect(dev('http://localhost:5173/#/system')).toBe(true)
    expect(dev('http://localhost:5174/')).toBe(false)
    expect(dev('not a url')).toBe(false)
  })

  it('denies every permission request and check but desktop notifications', () => {
    let request: ((wc: unknown, permission: string, callback: (granted: boolean) => void) => void) | undefined
    let check: ((wc: unknown, permission: string) => boolean) | undefined
    hardenSession({
      setPermissionRequestHandler: (h) => (request = h),
      setPermissionCheckHandler: (h) => (check = h),
    })
    const callback = vi.fn()
    for (const permission of ['media', 'geolocation', 'openExternal', 'clipboard-read'])
      request!(null, permission, callback)
    expect(callback.mock.calls.every(([granted]) => granted === false)).toBe(true)
    for (const permission of ['media', 'geolocation', 'openExternal'])
      expect(check!(null, permission)).toBe(false)
    request!(null, 'notifications', callback)
    expect(callback).toHaveBeenLastCalledWith(true)
    expect(check!(null, 'notifications')).toBe(true)
  })
})

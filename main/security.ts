/** The slices of Electron's objects hardening needs (so tests can hand in fakes). */
export type PreventableEvent = { preventDefault(): void }
export type WebContentsLike = {
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void
  on(
    event: 'will-navigate' | 'will-redirect',
    listener: (event: PreventableEvent, url: string) => void,
  ): unknown
  on(event: 'will-attach-webview', listener: (event: PreventableEvent) => void): unknown
}
export type SessionLike = {
  setPermissionRequestHandler(
    handler: (wc: unknown, permission: string, callback: (granted: boolean) => void) => void,
  ): void
  setPermissionCheckHandler(handler: (wc: unknown, permission: string) => boolean): void
}

/**
 * Every web contents: no new windows, no navigation away from the app, no webviews.
 * `isAppUrl` says what counts as the app (its file:// page, or the dev server in development).
 */
export const hardenWebContents = (contents: WebContentsLike, isAppUrl: (url: string) => boolean): void => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }))
  const guard = (event: PreventableEvent, url: string): void => {
    if (!isAppUrl(url)) event.preventDefault()
  }
  contents.on('will-navigate', guard)
  contents.on('will-redirect', guard)
  contents.on('will-attach-webview', (event) => event.preventDefault())
}

/** The one permission the renderer has: desktop notifications (critical alerts, approvals waiting). */
const ALLOWED_PERMISSIONS: ReadonlySet<string> = new Set(['notifications'])

/** Every other permission (camera, geolocation, openExternal…) is denied. */
export const hardenSession = (session: SessionLike): void => {
  session.setPermissionRequestHandler((_wc, permission, callback) =>
    callback(ALLOWED_PERMISSIONS.has(permission)),
  )
  session.setPermissionCheckHandler((_wc, permission) => ALLOWED_PERMISSIONS.has(permission))
}

/** The app's own pages: exactly the renderer's index (file:// build) or the dev server's origin. */
export const appUrlMatcher = (rendererUrl: string): ((url: string) => boolean) => {
  const base = new URL(rendererUrl)
  return (url: string): boolean => {
    try {
      const candidate = new URL(url)
      if (base.protocol === 'file:')
        return candidate.protocol === 'file:' && candidate.pathname === base.pathname
      return candidate.origin === base.origin
    } catch {
      return false
    }
  }
}

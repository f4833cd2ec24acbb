import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

/** Cookies are not port-scoped, so two hosts on 127.0.0.1 each get their own cookie name. */
export const cookieName = (port: number): string => `outpost_token_${port}`

const parseCookies = (header: string | undefined): Map<string, string> => {
  const out = new Map<string, string>()
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0) out.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
  }
  return out
}

export const sameToken = (given: string | null | undefined, token: string): boolean => {
  if (!given) return false
  const a = Buffer.from(given)
  const b = Buffer.from(token)
  return a.length === b.length && timingSafeEqual(a, b)
}

/** The token as the request presents it: bearer header, cookie, or `?token=` on the URL. */
export const presentedToken = (req: IncomingMessage, url: URL, port: number): string | null => {
  const auth = req.headers.authorization
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length).trim()
  const cookie = parseCookies(req.headers.cookie).get(cookieName(port))
  if (cookie) return cookie
  return url.searchParams.get('token')
}

const LOOPBACK_NAMES = ['127.0.0.1', 'localhost', '[::1]']

/**
 * DNS rebinding defence: a page on evil.example resolving to 127.0.0.1 sends `Host: evil.example`.
 * Only the names this host is really reached by are accepted.
 */
export const hostAllowed = (hostHeader: string | undefined, bindHost: string, port: number): boolean => {
  if (!hostHeader) return false
  const names = bindHost === '0.0.0.0' || bindHost === '::' ? null : new Set([...LOOPBACK_NAMES, bindHost])
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(hostHeader.toLowerCase())
  if (!match) return false
  if (match[2] !== undefined && Number(match[2]) !== port) return false
  return names === null || names.has(match[1]!)
}

/** A cross-site page may not drive the API with the user's cookie (CSRF, WebSocket hijacking). */
export const originAllowed = (originHeader: string | undefined, hostHeader: string | undefined): boolean => {
  if (originHeader === undefined) return true // not a browser, or same-origin navigation
  try {
    return new URL(originHeader).host === hostHeader?.toLowerCase()
  } catch {
    return false
  }
}

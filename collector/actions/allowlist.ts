/**
 * Whether a URL is under one of the allowed prefixes. Compared as parsed URLs, not as text: the
 * same scheme, host and port, and a path under the prefix's path, so `http://127.0.0.1:5678@evil/`
 * or `http://127.0.0.1:56789/` never pass for `http://127.0.0.1:5678/`. URLs carrying credentials
 * are refused outright.
 */
export const urlAllowed = (url: string, prefixes: readonly string[]): boolean => {
  let target: URL
  try {
    target = new URL(url)
  } catch {
    return false
  }
  if (target.username || target.password) return false
  return prefixes.some((prefix) => {
    let allowed: URL
    try {
      allowed = new URL(prefix)
    } catch {
      return false
    }
    if (allowed.origin !== target.origin) return false
    const base = allowed.pathname.endsWith('/') ? allowed.pathname : `${allowed.pathname}/`
    return target.pathname === allowed.pathname || target.pathname.startsWith(base)
  })
}

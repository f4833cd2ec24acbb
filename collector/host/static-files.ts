import { readFile, stat } from 'node:fs/promises'
import { extname, join, normalize, sep } from 'node:path'

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
}

export type StaticFile = { body: Buffer; type: string; immutable: boolean }

/**
 * Resolves a URL path inside the built renderer. Paths that escape the folder are refused;
 * paths without an extension are app routes and get index.html (the SPA's router decides).
 */
export const readStatic = async (root: string, urlPath: string): Promise<StaticFile | undefined> => {
  let decoded: string
  try {
    decoded = decodeURIComponent(urlPath)
  } catch {
    return undefined
  }
  const relative = normalize(decoded).replace(/^([/\\])+/, '')
  const isRoute = extname(relative) === ''
  const file = join(root, isRoute ? 'index.html' : relative)
  if (!file.startsWith(root.endsWith(sep) ? root : root + sep)) return undefined
  try {
    if (!(await stat(file)).isFile()) return undefined
    return {
      body: await readFile(file),
      type: TYPES[extname(file)] ?? 'application/octet-stream',
      immutable: relative.startsWith('assets' + sep) || relative.startsWith('assets/'),
    }
  } catch {
    return undefined
  }
}

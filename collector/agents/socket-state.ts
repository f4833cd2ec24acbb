import { readdirSync, readFileSync, readlinkSync } from 'node:fs'

/** Socket inodes this process holds (`socket:[123]` links in /proc/self/fd); null without /proc. */
const ownSockets = (fdDir: string): Set<string> | null => {
  let fds: string[]
  try {
    fds = readdirSync(fdDir)
  } catch {
    return null
  }
  const inodes = new Set<string>()
  for (const fd of fds) {
    try {
      const match = /^socket:\[(\d+)\]$/.exec(readlinkSync(`${fdDir}/${fd}`))
      if (match) inodes.add(match[1]!)
    } catch {
      // closed meanwhile
    }
  }
  return inodes
}

/**
 * Whether this process still has a socket listening on `port` (TCP: state LISTEN; UDP: bound),
 * from /proc/net and /proc/self/fd. null where there is no /proc (not Linux): the caller then
 * knows only that the listener was bound at start.
 */
export const portListening = (
  port: number,
  protocol: 'tcp' | 'udp',
  paths = { net: '/proc/net', fd: '/proc/self/fd' },
): boolean | null => {
  const own = ownSockets(paths.fd)
  if (!own) return null
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`
  let readable = false
  for (const file of protocol === 'tcp' ? ['tcp', 'tcp6'] : ['udp', 'udp6']) {
    let text: string
    try {
      text = readFileSync(`${paths.net}/${file}`, 'utf8')
    } catch {
      continue
    }
    readable = true
    for (const line of text.split('\n').slice(1)) {
      // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode …
      const columns = line.trim().split(/\s+/)
      if (columns.length < 10 || !columns[1]?.endsWith(hexPort)) continue
      if (protocol === 'tcp' && columns[3] !== '0A') continue
      if (own.has(columns[9]!)) return true
    }
  }
  return readable ? false : null
}

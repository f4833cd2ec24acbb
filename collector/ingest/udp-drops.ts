import { readFileSync } from 'node:fs'

/**
 * Datagrams the kernel dropped for sockets bound to `port` (its receive buffer was full before we
 * read them): the `drops` column of /proc/net/udp and udp6. null where there is no such file
 * (not Linux). UDP cannot be acknowledged, so this count is how an operator sees loss.
 */
export const kernelUdpDrops = (port: number, files = ['/proc/net/udp', '/proc/net/udp6']): number | null => {
  const hexPort = `:${port.toString(16).toUpperCase().padStart(4, '0')}`
  let found = false
  let drops = 0
  for (const file of files) {
    let text: string
    try {
      text = readFileSync(file, 'utf8')
    } catch {
      continue
    }
    found = true
    for (const line of text.split('\n').slice(1)) {
      const columns = line.trim().split(/\s+/)
      if (columns.length < 13 || !columns[1]?.endsWith(hexPort)) continue
      drops += Number(columns.at(-1)) || 0
    }
  }
  return found ? drops : null
}

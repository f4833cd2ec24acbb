/**
 * How the inventory keys what events name: addresses canonical, everything else lowercase (WS01
 * and ws01 are one host). Shared by the indexer (extract.ts) and the repo (looking ids up).
 */
import { isIP } from 'node:net'
import type { AssetKind } from '../../contract'

/**
 * An address as the inventory keys it, or null when it is none or names no asset (loopback,
 * unspecified, multicast, broadcast).
 */
export const canonicalIp = (raw: string): string | null => {
  let value = raw.trim()
  if (value.startsWith('[') && value.endsWith(']')) value = value.slice(1, -1)
  const zone = value.indexOf('%')
  if (zone > 0) value = value.slice(0, zone)
  const family = isIP(value)
  if (family === 0) return null
  if (family === 6) {
    let v6: string
    try {
      v6 = new URL(`http://[${value}]/`).hostname.slice(1, -1)
    } catch {
      return null
    }
    const mapped =
      /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(v6) ?? /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(v6)
    if (mapped) {
      const v4 =
        mapped.length === 2
          ? mapped[1]!
          : [mapped[1]!, mapped[2]!]
              .map((h) => parseInt(h, 16))
              .flatMap((n) => [n >> 8, n & 255])
              .join('.')
      return canonicalIp(v4)
    }
    if (v6 === '::' || v6 === '::1' || v6.startsWith('ff')) return null
    return v6
  }
  const octets = value.split('.').map(Number)
  const first = octets[0]!
  if (first === 0 || first === 127 || (first >= 224 && first <= 239) || value === '255.255.255.255')
    return null
  return value
}

const IP_CACHE = 50_000
const ipKeys = new Map<string, string | null>()

/** The key an asset is found by: IPs canonical, the rest lowercase. Null when `value` names none. */
export const assetKey = (kind: AssetKind, value: string): string | null => {
  if (kind === 'ip') {
    // Events repeat the same few addresses: parse each once (the cache is bounded).
    const known = ipKeys.get(value)
    if (known !== undefined) return known
    if (ipKeys.size >= IP_CACHE) ipKeys.clear()
    const key = canonicalIp(value)
    ipKeys.set(value, key)
    return key
  }
  const trimmed = value.trim()
  return trimmed === '' ? null : trimmed.toLowerCase()
}

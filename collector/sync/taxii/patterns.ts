// The simple STIX patterns a watchlist can hold: one comparison of one observable value by equality.

export const INDICATOR_TYPES = ['ipv4', 'ipv6', 'domain', 'url', 'email', 'md5', 'sha1', 'sha256'] as const
export type IndicatorType = (typeof INDICATOR_TYPES)[number]

/** Why an indicator was not taken; pulls count them per reason. */
export type SkipReason =
  | 'not-stix-pattern' // pattern_type is not stix (snort, yara, sigma…)
  | 'complex-pattern' // more than one comparison, qualifiers, or an operator other than =
  | 'unsupported-object' // a single comparison on a path the watchlist does not hold
  | 'bad-value' // a hash of the wrong length, an address that is not one
  | 'malformed' // an indicator without an id, a pattern or a version

export type Extracted = { ok: true; type: IndicatorType; value: string } | { ok: false; reason: SkipReason }

const PATHS: Record<string, IndicatorType> = {
  'ipv4-addr:value': 'ipv4',
  'ipv6-addr:value': 'ipv6',
  'domain-name:value': 'domain',
  'url:value': 'url',
  'email-addr:value': 'email',
}

const HASHES: Record<string, IndicatorType> = {
  md5: 'md5',
  'sha-1': 'sha1',
  sha1: 'sha1',
  'sha-256': 'sha256',
  sha256: 'sha256',
}
const HASH_LENGTH: Record<string, number> = { md5: 32, sha1: 40, sha256: 64 }

// [ path = 'literal' ] and nothing else: no AND/OR, no qualifiers, no second observation.
const SIMPLE = /^\[\s*([a-z0-9-]+:[A-Za-z0-9_.'-]+)\s*=\s*'((?:[^'\\]|\\['\\])*)'\s*\]$/
const HASH_PATH = /^file:hashes\.(?:'([A-Za-z0-9-]+)'|([A-Za-z0-9]+))$/

const IPV4 = /^(?:(?:25[0-5]|2[0-4]\d|1?\d?\d)\.){3}(?:25[0-5]|2[0-4]\d|1?\d?\d)(?:\/(?:3[0-2]|[12]?\d))?$/
const IPV6 = /^[0-9a-fA-F:.]{2,45}(?:\/(?:12[0-8]|1[01]\d|\d?\d))?$/

/** The watchlist entry a STIX pattern stands for, or why it stands for none. */
export const extractIndicator = (pattern: string, patternType = 'stix'): Extracted => {
  if (patternType !== 'stix') return { ok: false, reason: 'not-stix-pattern' }
  const match = SIMPLE.exec(pattern.trim())
  if (!match) return { ok: false, reason: 'complex-pattern' }
  const path = match[1]!
  const value = match[2]!.replace(/\\(['\\])/g, '$1')
  const hash = HASH_PATH.exec(path)
  if (hash) {
    const type = HASHES[(hash[1] ?? hash[2] ?? '').toLowerCase()]
    if (!type) return { ok: false, reason: 'unsupported-object' }
    const hex = value.toLowerCase()
    if (!/^[0-9a-f]+$/.test(hex) || hex.length !== HASH_LENGTH[type])
      return { ok: false, reason: 'bad-value' }
    return { ok: true, type, value: hex }
  }
  const type = PATHS[path]
  if (!type) return { ok: false, reason: 'unsupported-object' }
  if (value.trim() === '') return { ok: false, reason: 'bad-value' }
  if (type === 'ipv4' && !IPV4.test(value)) return { ok: false, reason: 'bad-value' }
  if (type === 'ipv6' && (!IPV6.test(value) || !value.includes(':')))
    return { ok: false, reason: 'bad-value' }
  if (type === 'domain') return { ok: true, type, value: value.toLowerCase().replace(/\.$/, '') }
  return { ok: true, type, value }
}

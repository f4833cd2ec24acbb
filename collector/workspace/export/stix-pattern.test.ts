import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { checkStixPattern } from './stix-pattern'

const EXAMPLES = fileURLToPath(new URL('../../../../shared/stix/examples/', import.meta.url))

describe('checkStixPattern', () => {
  it.each([
    "[ipv4-addr:value = '10.0.0.1']",
    "[ipv4-addr:value ISSUBSET '10.0.0.0/8']",
    "[file:hashes.'SHA-256' = 'abc']",
    "[file:hashes.MD5 = 'abc' OR file:name = 'a\\'b\\\\c']",
    "[network-traffic:dst_ref.value = '1.2.3.4' AND network-traffic:dst_port = 443]",
    "[email-message:to_refs[*].value NOT = 'x@y.z']",
  ])('accepts %s', (pattern) => {
    expect(checkStixPattern(pattern)).toBeNull()
  })

  it.each([
    ["ipv4-addr:value = '10.0.0.1'", "expected '['"],
    ["[ipv4-addr:value = '10.0.0.1'", "expected ']'"],
    ["[ipv4-addr:value = '10.0.0.1]", 'unterminated string'],
    ["[ipv4-addr:value == '1']", "expected '"],
    ["[ipv4-addr value = '1']", "expected ':'"],
    ["[url:value = 'a\\nb']", 'may be escaped'],
    ["[url:value ~ 'a']", 'comparison operator'],
    ["[url:value = 'a'] x", 'unexpected text'],
  ])('rejects %s', (pattern, message) => {
    expect(checkStixPattern(pattern)).toContain(message)
  })

  it('accepts every pattern in the OASIS example bundles', () => {
    const files = readdirSync(EXAMPLES, { recursive: true, encoding: 'utf8' }).filter((f) =>
      f.endsWith('.json'),
    )
    const patterns = files.flatMap((f) =>
      [...readFileSync(join(EXAMPLES, f), 'utf8').matchAll(/"pattern": ("(?:[^"\\]|\\.)*")/g)].map(
        (m) => JSON.parse(m[1] ?? '""') as string,
      ),
    )
    expect(patterns.length).toBeGreaterThan(20)
    for (const p of patterns) expect(checkStixPattern(p), p).toBeNull()
  })
})

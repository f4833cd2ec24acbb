import { describe, expect, it } from 'vitest'
import { extractIndicator } from './patterns'

describe('extractIndicator', () => {
  it.each([
    ["[ipv4-addr:value = '203.0.113.9']", 'ipv4', '203.0.113.9'],
    ["[ipv4-addr:value = '10.0.0.0/8']", 'ipv4', '10.0.0.0/8'],
    ["[ipv6-addr:value = '2001:db8::1']", 'ipv6', '2001:db8::1'],
    ["[domain-name:value = 'Evil.Example.']", 'domain', 'evil.example'],
    ["[url:value = 'http://evil.example/a?b=\\'c\\'']", 'url', "http://evil.example/a?b='c'"],
    ["[email-addr:value = 'ceo@evil.example']", 'email', 'ceo@evil.example'],
    [`[file:hashes.'SHA-256' = '${'A'.repeat(64)}']`, 'sha256', 'a'.repeat(64)],
    [`[file:hashes.'SHA-1' = '${'b'.repeat(40)}']`, 'sha1', 'b'.repeat(40)],
    [`[file:hashes.MD5 = '${'c'.repeat(32)}']`, 'md5', 'c'.repeat(32)],
    [`[file:hashes.'MD5' = '${'c'.repeat(32)}']`, 'md5', 'c'.repeat(32)],
    [`  [ file:hashes.SHA256='${'d'.repeat(64)}' ]  `, 'sha256', 'd'.repeat(64)],
  ])('%s is a %s', (pattern, type, value) => {
    expect(extractIndicator(pattern)).toEqual({ ok: true, type, value })
  })

  it.each([
    ["[ipv4-addr:value = '1.2.3.4'] OR [ipv4-addr:value = '5.6.7.8']", 'complex-pattern'],
    ["[ipv4-addr:value = '1.2.3.4' OR ipv4-addr:value = '5.6.7.8']", 'complex-pattern'],
    ["[ipv4-addr:value = '1.2.3.4'] WITHIN 5 SECONDS", 'complex-pattern'],
    ["[domain-name:value LIKE '%.evil.example']", 'complex-pattern'],
    ["[ipv4-addr:value ISSUBSET '10.0.0.0/8']", 'complex-pattern'],
    ["[ipv4-addr:value != '1.2.3.4']", 'complex-pattern'],
    ['not a pattern', 'complex-pattern'],
    ["[process:name = 'evil.exe']", 'unsupported-object'],
    ["[file:name = 'evil.exe']", 'unsupported-object'],
    ["[file:hashes.'SHA3-256' = 'aa']", 'unsupported-object'],
    ["[file:hashes.'SHA-256' = 'abc']", 'bad-value'],
    ["[ipv4-addr:value = '999.1.1.1']", 'bad-value'],
    ["[ipv6-addr:value = 'nope']", 'bad-value'],
    ["[domain-name:value = '']", 'bad-value'],
  ])('%s is skipped: %s', (pattern, reason) => {
    expect(extractIndicator(pattern)).toEqual({ ok: false, reason })
  })

  it('takes only STIX patterns', () => {
    expect(extractIndicator('alert tcp any any -> any 80', 'snort')).toEqual({
      ok: false,
      reason: 'not-stix-pattern',
    })
  })
})

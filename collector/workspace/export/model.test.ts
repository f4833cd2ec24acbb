import { describe, expect, it } from 'vitest'
import { sampleDocument } from './fixtures'
import { validateObservable, type ObservableType } from './model'

describe('validateObservable', () => {
  it('accepts every observable of the sample document', () => {
    for (const o of sampleDocument().observables)
      expect(validateObservable(o.type, o.value), o.value).toBeNull()
  })

  it.each<[ObservableType, string]>([
    ['ipv4', '192.168.1.255'],
    ['ipv4', '0.0.0.0/0'],
    ['ipv6', '::1'],
    ['ipv6', '::ffff:10.0.0.1'],
    ['ipv6', 'fe80::/10'],
    ['domain', 'xn--bcher-kva.example.'],
    ['url', 'http://10.0.0.1:8080/x'],
    ['email', 'first.last+tag@sub.example.org'],
    ['user', 'root'],
    ['host', 'ws-042.corp.example'],
    ['file', 'a.tar.gz'],
  ])('accepts %s %s', (type, value) => {
    expect(validateObservable(type, value)).toBeNull()
  })

  it.each<[ObservableType, string, string]>([
    ['ipv4', '256.1.1.1', 'four numbers 0-255'],
    ['ipv4', '10.0.0.0/33', 'from 0 to 32'],
    ['ipv4', ' 10.0.0.1', 'trim'],
    ['ipv6', '2001:db8:::1', 'hex groups'],
    ['ipv6', '1:2:3:4:5:6:7:8:9', 'hex groups'],
    ['domain', 'https://evil.example', 'no scheme'],
    ['domain', 'localhost', 'dot-separated'],
    ['url', 'evil.example/path', 'include the scheme'],
    ['md5', 'd41d8cd98f00b204e9800998ecf8427', '32 hex characters, got 31'],
    ['sha1', 'zz39a3ee5e6b4b0d3255bfef95601890afd80709', 'hexadecimal'],
    ['sha256', 'abc', '64 hex characters'],
    ['email', 'alice.example.com', 'local-part@domain'],
    ['host', '10.0.0.1', 'add it as ipv4'],
    ['host', 'bad host', 'not a host name'],
    ['file', 'C:\\temp\\a.exe', 'name only'],
    ['user', '', 'empty'],
  ])('rejects %s %s', (type, value, message) => {
    expect(validateObservable(type, value)).toContain(message)
  })
})

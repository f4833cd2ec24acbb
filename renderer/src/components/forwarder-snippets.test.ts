import { describe, expect, it } from 'vitest'
import { forwarderSnippets } from './forwarder-snippets'

const DEFAULTS = {
  http: { host: '127.0.0.1', port: 5080 },
  syslog_udp: { host: '127.0.0.1', port: 5514 },
  syslog_tcp: { host: '127.0.0.1', port: 5514 },
  forward: { host: '127.0.0.1', port: 24224 },
  elastic: { host: '0.0.0.0', port: 9201 },
}

describe('forwarder snippets', () => {
  it('gives rsyslog, syslog-ng, Fluent Bit, Vector and Winlogbeat configs aimed at the actual listeners', () => {
    const snippets = Object.fromEntries(forwarderSnippets(DEFAULTS).map((s) => [s.id, s.text]))
    expect(Object.keys(snippets)).toEqual(['rsyslog', 'syslog-ng', 'fluent-bit', 'vector', 'winlogbeat'])
    expect(snippets.rsyslog).toContain('target="127.0.0.1" port="5514" protocol="tcp"')
    expect(snippets['syslog-ng']).toContain('syslog("127.0.0.1" port(5514) transport("tcp"))')
    expect(snippets['fluent-bit']).toMatch(/Name\s+forward[\s\S]*Port\s+24224/)
    expect(snippets.vector).toContain('uri = "http://127.0.0.1:5080/v1/events"')
    // Bound to every address: reached through loopback.
    expect(snippets.winlogbeat).toContain('hosts: ["http://127.0.0.1:9201"]')
  })

  it('falls back to what is on, and leaves out what has no listener', () => {
    const udpOnly = forwarderSnippets({ syslog_udp: { host: '10.0.0.5', port: 1514 } })
    expect(udpOnly.map((s) => s.id)).toEqual(['rsyslog', 'syslog-ng'])
    expect(udpOnly[0]!.text).toBe('*.* @10.0.0.5:1514;RSYSLOG_SyslogProtocol23Format')
    const httpOnly = forwarderSnippets({ http: { host: '127.0.0.1', port: 5080 } })
    expect(httpOnly.find((s) => s.id === 'fluent-bit')?.text).toMatch(/Name\s+http[\s\S]*URI\s+\/v1\/events/)
    expect(forwarderSnippets({})).toEqual([])
  })
})

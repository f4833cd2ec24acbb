import { createServer } from 'node:http'
import { connect } from 'node:net'
import { describe, expect, it } from 'vitest'
import { ListenerGuard, parseCidr } from './guard'

describe('ListenerGuard', () => {
  it.each([
    ['10.0.0.0/8', { address: '10.0.0.0', prefix: 8, family: 'ipv4' }],
    ['192.168.1.7', { address: '192.168.1.7', prefix: 32, family: 'ipv4' }],
    ['fd00::/8', { address: 'fd00::', prefix: 8, family: 'ipv6' }],
    ['10.0.0.0/33', /prefix length must be 0-32/],
    ['10.0.0.0/x', /prefix length/],
    ['fw01.example', /not an IP address or CIDR block/],
  ])('parseCidr(%j)', (text, expected) => {
    const result = parseCidr(text)
    if (expected instanceof RegExp) expect(result).toMatch(expected)
    else expect(result).toEqual(expected)
  })

  it('allows only peers inside the allowlist, IPv4-mapped addresses included', () => {
    const guard = new ListenerGuard({ allowCidrs: ['10.1.0.0/16', '127.0.0.1', 'fd00::/8'], rateLimitEps: 0 })
    expect(guard.allows('10.1.200.3')).toBe(true)
    expect(guard.allows('::ffff:10.1.2.3')).toBe(true)
    expect(guard.allows('10.2.0.1')).toBe(false)
    expect(guard.allows('fd12::1')).toBe(true)
    expect(guard.allows('2001:db8::1')).toBe(false)
    expect(guard.allows(undefined)).toBe(false)
    expect(new ListenerGuard({ allowCidrs: [], rateLimitEps: 0 }).allows('8.8.8.8')).toBe(true)
  })

  it('limits each source to its rate with a one-second burst, and says how long to wait', () => {
    let now = 0
    const guard = new ListenerGuard({ allowCidrs: [], rateLimitEps: 100 }, () => now)
    expect(guard.take('a', 100)).toBe(0)
    expect(guard.take('a', 50)).toBe(500) // 50 events at 100/s
    expect(guard.take('b', 100)).toBe(0) // per source
    now += 500
    expect(guard.take('a', 50)).toBe(0)
    now += 10_000
    expect(guard.take('a', 100)).toBe(0) // refilled, but never beyond the burst
    expect(guard.take('a', 1)).toBe(10)
  })

  it('drops an HTTP connection from outside the allowlist before any request is handled', async () => {
    const guard = new ListenerGuard({ allowCidrs: ['10.0.0.0/8'], rateLimitEps: 0 })
    const refused: string[] = []
    let handled = 0
    const server = createServer(() => handled++)
    guard.protect(server, (peer) => refused.push(peer))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    // A raw socket: fetch would quietly retry a GET on a reset connection.
    const socket = connect((server.address() as { port: number }).port, '127.0.0.1')
    socket.on('error', () => {})
    socket.write('GET / HTTP/1.1\r\nHost: x\r\n\r\n')
    await new Promise((resolve) => socket.on('close', resolve))
    server.close()
    expect(refused).toEqual(['127.0.0.1'])
    expect(handled).toBe(0)
  })
})

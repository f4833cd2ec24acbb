import { createSocket } from 'node:dgram'
import { existsSync } from 'node:fs'
import { createServer, type AddressInfo } from 'node:net'
import { describe, expect, it } from 'vitest'
import { portListening } from './socket-state'

describe.runIf(existsSync('/proc/net/tcp'))('portListening (Linux /proc)', () => {
  it('sees a TCP server of this process listen, then stop', async () => {
    const server = createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as AddressInfo
    expect(portListening(port, 'tcp')).toBe(true)
    expect(portListening(port, 'udp')).toBe(false)
    await new Promise((resolve) => server.close(resolve))
    expect(portListening(port, 'tcp')).toBe(false)
  })

  it('sees a UDP socket of this process bound, then closed', async () => {
    const socket = createSocket('udp4')
    await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
    const { port } = socket.address()
    expect(portListening(port, 'udp')).toBe(true)
    await new Promise<void>((resolve) => socket.close(resolve))
    expect(portListening(port, 'udp')).toBe(false)
  })
})

describe('portListening without /proc', () => {
  it('says it cannot tell', () => {
    expect(portListening(80, 'tcp', { net: '/nonexistent/net', fd: '/nonexistent/fd' })).toBeNull()
  })
})

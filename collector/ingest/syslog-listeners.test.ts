import { execFile } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventSummary } from '../contract'
import { createCore, type Core } from '../host/create-core'

// Real peers: util-linux `logger` sends to the collector over loopback, as a device would.
let core: Core
let dataDir: string
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'outpost-syslog-'))
  core = await createCore({ dataDir, ephemeralPorts: true })
})
afterAll(async () => {
  await core.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

const list = async (): Promise<EventSummary[]> => {
  const result = await core.call('events:list', { limit: 1000 })
  if (!result.ok) throw new Error(result.error.message)
  return (result.value as { events: EventSummary[] }).events
}
const waitForMessage = async (needle: string): Promise<EventSummary> => {
  for (let i = 0; i < 100; i++) {
    const found = (await list()).find((e) => e.message?.includes(needle))
    if (found) return found
    await new Promise((r) => setTimeout(r, 20))
  }
  throw new Error(`no event containing ${needle}`)
}
// Async: the collector runs in this process, a blocking spawn would starve it.
const logger = (args: string[]) => promisify(execFile)('logger', args, { timeout: 5000 })

describe('syslog listeners with util-linux logger', () => {
  it.each([
    ['UDP, RFC 5424', 'syslog_udp', ['--udp', '--rfc5424']],
    ['UDP, RFC 3164', 'syslog_udp', ['--udp', '--rfc3164']],
    ['TCP, LF framing, RFC 5424', 'syslog_tcp', ['--tcp', '--rfc5424']],
    ['TCP, octet counting, RFC 5424', 'syslog_tcp', ['--tcp', '--octet-count', '--rfc5424']],
    ['TCP, octet counting, RFC 3164', 'syslog_tcp', ['--tcp', '--octet-count', '--rfc3164']],
  ])('%s', async (name, listener, flags) => {
    const port = core.listeners[listener]!.port
    const marker = `outpost-test ${name} ${Math.random()}`
    await logger(['-n', '127.0.0.1', '-P', String(port), ...flags, '-t', 'outposttest', marker])
    const event = await waitForMessage(marker)
    expect(event.listener).toBe(listener)
    expect(event.source).toBe('127.0.0.1')
    // Parsed, not just kept: logger's default priority is user.notice.
    expect(event.message).toBe(marker)
    expect(event.severity).toBe('notice')
    const full = await core.call('events:get', { id: event.id })
    if (!full.ok) throw new Error(full.error.message)
    expect((full.value as { event: { fields: Record<string, unknown> } }).event.fields).toMatchObject({
      'log.syslog.format': flags.includes('--rfc5424') ? 'rfc5424' : 'rfc3164',
      'log.syslog.facility.name': 'user',
      'process.name': 'outposttest',
      'event.original': expect.stringContaining(marker) as string,
    })
  })

  it('takes many messages on one TCP connection, split at awkward places', async () => {
    const port = core.listeners.syslog_tcp!.port
    const messages = Array.from(
      { length: 200 },
      (_, i) => `<14>1 2026-11-22T10:00:00Z host app - - - split-test ${i}`,
    )
    const stream = Buffer.from(messages.map((m) => `${Buffer.byteLength(m)} ${m}`).join(''))
    const socket = connect(port, '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    for (let offset = 0; offset < stream.length; offset += 37)
      socket.write(stream.subarray(offset, offset + 37))
    await new Promise<void>((resolve) => socket.end(resolve))
    await waitForMessage('split-test 199')
    expect((await list()).filter((e) => e.message?.includes('split-test')).length).toBe(200)
  })

  it('closes a connection with broken framing and says why in the stats', async () => {
    const port = core.listeners.syslog_tcp!.port
    const socket = connect(port, '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    socket.write('12x<13>broken framing')
    await new Promise((resolve) => socket.once('close', resolve))
    const stats = await core.call('collector:stats', {})
    if (!stats.ok) throw new Error(stats.error.message)
    const tcp = (
      stats.value as { sources: Array<{ listener: string; errors: number; last_error: string | null }> }
    ).sources.find((s) => s.listener === 'syslog_tcp')
    expect(tcp?.errors).toBeGreaterThan(0)
    expect(tcp?.last_error).toMatch(/expected SP after the octet count/)
  })
})

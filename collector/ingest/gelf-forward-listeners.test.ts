import { randomBytes } from 'node:crypto'
import { createSocket } from 'node:dgram'
import { mkdtempSync, rmSync } from 'node:fs'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { gzipSync } from 'node:zlib'
import { pack, unpack } from 'msgpackr'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes, StoredEvent } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { EventTime } from './fluent-forward'

let core: Core
let dataDir: string
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'outpost-gelf-'))
  core = await createCore({ dataDir, ephemeralPorts: true })
})
afterAll(async () => {
  await core.stop()
  rmSync(dataDir, { recursive: true, force: true })
})

const stored = async (needle: string): Promise<StoredEvent[]> => {
  for (let i = 0; i < 100; i++) {
    const list = await core.call('events:list', { limit: 1000 })
    if (!list.ok) throw new Error(list.error.message)
    const hits = (list.value as CallRes<'events:list'>).events.filter((e) => e.message?.includes(needle))
    if (hits.length > 0) {
      return Promise.all(
        hits.map(async (e) => {
          const one = await core.call('events:get', { id: e.id })
          if (!one.ok) throw new Error(one.error.message)
          return (one.value as { event: StoredEvent }).event
        }),
      )
    }
    await new Promise((r) => setTimeout(r, 20))
  }
  return []
}

/** Splits a payload into GELF chunks: magic, 8-byte id, seq, count, data. */
const chunks = (payload: Buffer, size: number): Buffer[] => {
  const id = Buffer.from('0123456789abcdef', 'hex')
  const parts: Buffer[] = []
  for (let offset = 0; offset < payload.length; offset += size)
    parts.push(payload.subarray(offset, offset + size))
  return parts.map((part, seq) =>
    Buffer.concat([Buffer.from([0x1e, 0x0f]), id, Buffer.from([seq, parts.length]), part]),
  )
}

describe('GELF listeners', () => {
  it('reassembles a chunked, gzipped GELF message over UDP, in any order', async () => {
    const message = {
      version: '1.1',
      host: 'app01',
      short_message: 'gelf-udp chunked',
      timestamp: 1763805600.25,
      level: 3,
      _user: 'bob',
      _pad: randomBytes(3000).toString('hex'), // incompressible, so it needs several chunks
    }
    const parts = chunks(gzipSync(JSON.stringify(message)), 400)
    expect(parts.length).toBeGreaterThan(1)
    const socket = createSocket('udp4')
    for (const part of [...parts].reverse()) {
      await new Promise<void>((resolve, reject) =>
        socket.send(part, core.listeners.gelf_udp!.port, '127.0.0.1', (e) => (e ? reject(e) : resolve())),
      )
    }
    socket.close()
    const [event] = await stored('gelf-udp chunked')
    expect(event).toMatchObject({
      host: 'app01',
      timestamp: '2025-11-22T10:00:00.250Z',
      severity: 'error',
      listener: 'gelf_udp',
    })
    expect(event?.fields).toMatchObject({ _user: 'bob', 'host.name': 'app01' })
  })

  it('takes NUL-delimited GELF over TCP and refuses invalid GELF with the reason', async () => {
    const socket = connect(core.listeners.gelf_tcp!.port, '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    const good = (n: number) =>
      JSON.stringify({ version: '1.1', host: 'web', short_message: `gelf-tcp ${n}` })
    socket.write(`${good(1)}\0${good(2)}\0{"version":"1.1","host":"web"}\0`)
    await new Promise<void>((resolve) => socket.end(resolve))
    expect(await stored('gelf-tcp')).toHaveLength(2)
    const stats = await core.call('collector:stats', {})
    if (!stats.ok) throw new Error(stats.error.message)
    const tcp = (stats.value as CallRes<'collector:stats'>).sources.find((s) => s.listener === 'gelf_tcp')
    expect(tcp?.last_error).toMatch(/gelf: missing short_message/)
  })
})

describe('Fluent forward listener', () => {
  it('stores a Forward-mode chunk and only then acknowledges it', async () => {
    const socket = connect(core.listeners.forward!.port, '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    // [tag, [[EventTime, record], [int, record]], option], by hand: EventTime is msgpack ext type 0.
    const message = Buffer.concat([
      Buffer.from([0x93]),
      pack('docker.api'),
      Buffer.from([0x92, 0x92]),
      new EventTime(1763805600, 123_000_000).encode(),
      pack({ log: 'forward one', container_name: 'api' }),
      pack([1763805601, { message: 'forward two' }]),
      pack({ chunk: 'Y2h1bmstMQ==', size: 2 }),
    ])
    const ack = new Promise<unknown>((resolve) =>
      socket.once('data', (data: Buffer) => resolve(unpack(data))),
    )
    socket.write(message)
    // By the time the ack arrives the events must already be stored.
    expect(await ack).toEqual({ ack: 'Y2h1bmstMQ==' })
    const list = await core.call('events:list', { limit: 1000 })
    if (!list.ok) throw new Error(list.error.message)
    const messages = (list.value as CallRes<'events:list'>).events.map((e) => e.message)
    expect(messages).toEqual(expect.arrayContaining(['forward one', 'forward two']))
    const [one] = await stored('forward one')
    expect(one?.timestamp).toBe('2025-11-22T10:00:00.123Z')
    expect(one?.fields).toMatchObject({ 'fluent.tag': 'docker.api', container_name: 'api' })
    socket.end()
  })

  it('closes a connection that sends something that is not the forward protocol', async () => {
    const socket = connect(core.listeners.forward!.port, '127.0.0.1')
    await new Promise((resolve) => socket.once('connect', resolve))
    // A time that is neither an integer nor EventTime (a bin): refused, connection closed, no ack.
    socket.write(pack(['tag', [[Buffer.from('x'), { a: 1 }]], { chunk: 'bad' }]))
    socket.on('data', () => expect.unreachable('no ack for a chunk that was not stored'))
    await new Promise((resolve) => socket.once('close', resolve))
    const stats = await core.call('collector:stats', {})
    if (!stats.ok) throw new Error(stats.error.message)
    expect(
      (stats.value as CallRes<'collector:stats'>).sources.find((s) => s.listener === 'forward')?.errors,
    ).toBeGreaterThan(0)
  })
})

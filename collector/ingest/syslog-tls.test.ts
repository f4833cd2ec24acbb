import { execFile, spawn } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { connect as connectTcp } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { connect as connectTls } from 'node:tls'
import { promisify } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { EventSummary } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { silentLogger } from '../host/log'
import type { IngestPipeline } from './pipeline'
import { SourceStats, type SourceCounters } from './source-stats'
import { syslogEvent } from './syslog-event'
import { SyslogTlsListener } from './syslog-tls'
import { TEST_PKI, makeTestPki } from './test-pki'

// Real peers over loopback: rsyslog's omfwd (GnuTLS) and Node's TLS client, against a collector
// that wants a client certificate from its CA with the name device-ok.
let core: Core
let dataDir: string
let pki: string
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'outpost-tls-'))
  pki = join(dataDir, 'tls')
  await makeTestPki(pki)
  writeFileSync(
    join(dataDir, 'config.yaml'),
    [
      'listeners:',
      '  syslog_tls:',
      '    enabled: true',
      '    cert_file: tls/server.crt',
      '    key_file: tls/server.key',
      '    ca_file: tls/ca.crt',
      '    require_client_cert: true',
      '    allowed_names: [device-ok]',
      '',
    ].join('\n'),
  )
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
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
const waitForMessage = async (needle: string, tries = 150): Promise<EventSummary> => {
  for (let i = 0; i < tries; i++) {
    const found = (await list()).find((e) => e.message?.includes(needle))
    if (found) return found
    await sleep(20)
  }
  throw new Error(`no event containing ${needle}`)
}
const fields = async (id: string): Promise<Record<string, unknown>> => {
  const full = await core.call('events:get', { id })
  if (!full.ok) throw new Error(full.error.message)
  return (full.value as { event: { fields: Record<string, unknown> } }).event.fields
}
const tlsStats = async (): Promise<SourceCounters | undefined> => {
  const stats = await core.call('collector:stats', {})
  if (!stats.ok) throw new Error(stats.error.message)
  return (stats.value as { sources: SourceCounters[] }).sources.find(
    (s) => s.listener === 'syslog_tls' && s.source === '127.0.0.1',
  )
}
const pem = (name: string): Buffer => readFileSync(join(pki, name))

/** Connects with `device`'s certificate (none if null), writes, and resolves when the server hangs up. */
const sendOverTls = async (device: string | null, payload: string): Promise<void> => {
  const socket = connectTls({
    host: '127.0.0.1',
    port: core.listeners.syslog_tls!.port,
    servername: 'localhost',
    ca: pem('ca.crt'),
    ...(device ? { cert: pem(`${device}.crt`), key: pem(`${device}.key`) } : {}),
  })
  socket.on('error', () => {}) // a refused client sees a reset; the test reads the server's side
  await new Promise<void>((resolve, reject) => {
    socket.once('secureConnect', resolve)
    socket.once('close', () => reject(new Error('closed before the handshake')))
  })
  socket.end(payload)
  await new Promise((resolve) => socket.once('close', resolve))
}

describe('syslog_tls with Node as the device', () => {
  it('stores octet-counted and LF-framed messages from an allowed device', async () => {
    const octet = `<13>1 2026-11-22T10:00:00Z fw-01 outposttest 42 - - octet over tls ${Math.random()}`
    await sendOverTls(TEST_PKI.allowedDevice, `${Buffer.byteLength(octet)} ${octet}`)
    const lf = `<13>Nov 22 10:00:00 fw-01 outposttest: lf over tls ${Math.random()}`
    await sendOverTls(TEST_PKI.allowedDevice, `${lf}\n`)
    for (const sent of [octet, lf]) {
      const event = await waitForMessage(sent.slice(-25))
      expect(event.listener).toBe('syslog_tls')
      expect(event.source).toBe('127.0.0.1')
      expect(event.severity).toBe('notice')
      expect(await fields(event.id)).toMatchObject({ 'process.name': 'outposttest', 'host.name': 'fw-01' })
    }
  })

  it.each([
    [
      'a certificate from another CA',
      TEST_PKI.foreignDevice,
      /client certificate device-ok.* not trusted \(\w+/,
    ],
    [
      'a name not in allowed_names',
      TEST_PKI.otherDevice,
      /client certificate device-other.* not in allowed_names/,
    ],
    ['no certificate', null, /syslog_tls: no client certificate/],
  ])('refuses %s, counts it for the source and stores nothing', async (_name, device, reason) => {
    const before = (await tlsStats())?.errors ?? 0
    const marker = `refused ${Math.random()}`
    await sendOverTls(device, `<13>Nov 22 10:00:00 fw-01 outposttest: ${marker}\n`)
    let stats = await tlsStats()
    for (let i = 0; i < 100 && (stats?.errors ?? 0) === before; i++) {
      await sleep(20)
      stats = await tlsStats()
    }
    expect(stats?.errors).toBe(before + 1)
    expect(stats?.last_error).toMatch(reason)
    await sleep(100)
    expect((await list()).some((e) => e.message?.includes(marker))).toBe(false)
  })

  it('counts a failed handshake (plain TCP to the TLS port) without harm to the listener', async () => {
    const before = (await tlsStats())?.errors ?? 0
    const socket = connectTcp(core.listeners.syslog_tls!.port, '127.0.0.1')
    socket.on('error', () => {})
    socket.end('<13>Nov 22 10:00:00 fw-01 outposttest: not tls\n')
    await new Promise((resolve) => socket.once('close', resolve))
    let stats = await tlsStats()
    for (let i = 0; i < 100 && (stats?.errors ?? 0) === before; i++) {
      await sleep(20)
      stats = await tlsStats()
    }
    expect(stats?.last_error).toMatch(/^syslog_tls: TLS handshake failed: /)
    // Still serving.
    const after = `after a bad handshake ${Math.random()}`
    await sendOverTls(TEST_PKI.allowedDevice, `<13>Nov 22 10:00:00 fw-01 outposttest: ${after}\n`)
    await waitForMessage(after)
  })
})

describe('SyslogTlsListener on its own', () => {
  const standalone = (minVersion: 'TLSv1.2' | 'TLSv1.3', stats: SourceStats) =>
    new SyslogTlsListener(
      {
        host: '127.0.0.1',
        port: 0,
        maxMessageBytes: 65536,
        idleTimeoutMs: 10_000,
        tls: {
          cert: pem('server.crt'),
          key: pem('server.key'),
          ca: undefined,
          requireClientCert: false,
          allowedNames: [],
          minVersion,
          notAfter: new Date(Date.now() + 86_400_000),
        },
      },
      { submit: () => Promise.resolve() } as unknown as IngestPipeline,
      syslogEvent,
      stats,
      silentLogger,
    )

  it('refuses a client below min_version and says so', async () => {
    const stats = new SourceStats()
    const listener = standalone('TLSv1.3', stats)
    const { port } = await listener.start()
    try {
      const socket = connectTls({ host: '127.0.0.1', port, ca: pem('ca.crt'), maxVersion: 'TLSv1.2' })
      await new Promise((resolve) => socket.once('error', resolve))
      for (let i = 0; i < 100 && stats.snapshot().length === 0; i++) await sleep(20)
      expect(stats.snapshot()[0]?.last_error).toMatch(/^syslog_tls: TLS handshake failed: .*protocol/)
    } finally {
      await listener.stop()
    }
  })

  it('stops promptly with a client stuck before its handshake', async () => {
    const listener = standalone('TLSv1.2', new SourceStats())
    const { port } = await listener.start()
    const socket = connectTcp(port, '127.0.0.1')
    socket.on('error', () => {})
    await new Promise((resolve) => socket.once('connect', resolve))
    const started = Date.now()
    await listener.stop()
    expect(Date.now() - started).toBeLessThan(1000)
  })
})

// Async: the collector runs in this process, a blocking spawn would starve it.
const run = promisify(execFile)
// /usr/sbin is not on every user's PATH.
const RSYSLOGD = ['/usr/sbin/rsyslogd', '/usr/local/sbin/rsyslogd'].find((path) => existsSync(path))
const freeUdpPort = async (): Promise<number> => {
  const socket = createSocket('udp4')
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve))
  const { port } = socket.address()
  await new Promise<void>((resolve) => socket.close(resolve))
  return port
}

describe('syslog_tls and syslog_tcp with rsyslog omfwd as the forwarder', () => {
  it('forwards over TLS with a client certificate (octet-counted and LF) and over plain TCP', async (ctx) => {
    if (!RSYSLOGD) return ctx.skip('rsyslogd not installed (apt-get install rsyslog rsyslog-gnutls)')
    const work = join(dataDir, 'rsyslog')
    mkdirSync(work)
    const udpPort = await freeUdpPort()
    const tls = core.listeners.syslog_tls!.port
    const tcp = core.listeners.syslog_tcp!.port
    const gtls = `StreamDriver="gtls" StreamDriverMode="1" StreamDriverAuthMode="x509/name" StreamDriverPermittedPeers="localhost"`
    // logger -> imudp -> one omfwd per path, chosen by a word in the message. Nothing touches
    // system paths: no imuxsock/imklog, work dir and pid file in the tmp dir.
    writeFileSync(
      join(work, 'rsyslog.conf'),
      `global(workDirectory="${work}"
  defaultNetstreamDriverCAFile="${join(pki, 'ca.crt')}"
  defaultNetstreamDriverCertFile="${join(pki, `${TEST_PKI.allowedDevice}.crt`)}"
  defaultNetstreamDriverKeyFile="${join(pki, `${TEST_PKI.allowedDevice}.key`)}")
module(load="imudp")
input(type="imudp" address="127.0.0.1" port="${udpPort}")
if $msg contains "via-tls-octet" then {
  action(type="omfwd" target="127.0.0.1" port="${tls}" protocol="tcp" ${gtls}
    TCP_Framing="octet-counted" template="RSYSLOG_SyslogProtocol23Format")
}
if $msg contains "via-tls-lf" then {
  action(type="omfwd" target="127.0.0.1" port="${tls}" protocol="tcp" ${gtls} template="RSYSLOG_ForwardFormat")
}
if $msg contains "via-tcp" then {
  action(type="omfwd" target="127.0.0.1" port="${tcp}" protocol="tcp")
}
`,
    )
    const rsyslogd = spawn(
      'rsyslogd',
      ['-n', '-f', join(work, 'rsyslog.conf'), '-i', join(work, 'rsyslogd.pid')],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    )
    let output = ''
    rsyslogd.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
    rsyslogd.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()))
    const exited = new Promise((resolve) => rsyslogd.once('exit', resolve))
    // RFC 3164 for the BSD-format paths: rsyslog writes a tag from RFC 5424 input without its colon.
    const send = (text: string, format: 'rfc5424' | 'rfc3164' = 'rfc5424') =>
      run(
        'logger',
        ['--udp', '-n', '127.0.0.1', '-P', String(udpPort), `--${format}`, '-t', 'outposttest', text],
        {
          timeout: 5000,
        },
      )
    try {
      // rsyslog says nothing when imudp is up: send until a first message comes through.
      const warmup = `via-tls-octet warmup ${Math.random()}`
      let arrived = false
      for (let i = 0; i < 40 && !arrived; i++) {
        await send(warmup)
        arrived = await waitForMessage(warmup, 10).then(
          () => true,
          () => false,
        )
      }
      expect(arrived, `rsyslogd output:\n${output}`).toBe(true)

      const cases = [
        ['via-tls-octet', 'syslog_tls', 'rfc5424'],
        ['via-tls-lf', 'syslog_tls', 'rfc3164'],
        ['via-tcp', 'syslog_tcp', 'rfc3164'],
      ] as const
      const markers = cases.map(([path]) => `${path} ${Math.random()}`)
      for (const [i, marker] of markers.entries()) await send(marker, cases[i]![2])
      for (const [i, [, listener, format]] of cases.entries()) {
        const event = await waitForMessage(markers[i]!)
        expect(event.listener).toBe(listener)
        expect(event.message).toBe(markers[i])
        expect(event.severity).toBe('notice')
        expect(await fields(event.id)).toMatchObject({
          'log.syslog.format': format,
          'log.syslog.facility.name': 'user',
          'process.name': 'outposttest',
        })
      }
      const stats = await tlsStats()
      expect(stats?.events).toBeGreaterThanOrEqual(3)
    } finally {
      rsyslogd.kill('SIGTERM')
      await Promise.race([exited, sleep(5000).then(() => rsyslogd.kill('SIGKILL'))])
    }
  })
})

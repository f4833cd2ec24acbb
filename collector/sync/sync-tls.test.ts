import { execFile, execFileSync } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { request } from 'node:https'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CallRes, SyncStatus } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { OUTPOST_BIN, spawnServe, type ServeProcess } from '../host/serve-process'
import { callOk } from '../host/test-core'
import { makeTestPki, TEST_PKI } from '../ingest/test-pki'

// The sync API over HTTPS: the console pins the core's CA, and may present a client certificate
// (its CN is the console's name on the core) instead of a token.
const dirs: string[] = []
const tempDir = (name: string): string => {
  const dir = mkdtempSync(join(tmpdir(), `outpost-sync-tls-${name}-`))
  dirs.push(dir)
  return dir
}
let core: ServeProcess | undefined
const cores: Core[] = []
let pki: string
let coreDir: string
let token: string

beforeAll(async () => {
  pki = tempDir('pki')
  await makeTestPki(pki)
  coreDir = tempDir('core')
  writeFileSync(
    join(coreDir, 'config.yaml'),
    `api:\n  tls_cert_file: ${join(pki, 'server.crt')}\n  tls_key_file: ${join(pki, 'server.key')}\n  client_ca_file: ${join(pki, 'ca.crt')}\n`,
  )
  const add = (name: string, role: string) =>
    (
      JSON.parse(
        execFileSync(
          process.execPath,
          [OUTPOST_BIN, 'sync', 'consoles', 'add', name, '--role', role, '--data-dir', coreDir, '--json'],
          {
            encoding: 'utf8',
          },
        ),
      ) as { token: string }
    ).token
  token = add('alpha', 'analyst')
  add(TEST_PKI.allowedDevice, 'analyst')
  core = await spawnServe(['--data-dir', coreDir, '--port', '0', '--role', 'core'])
}, 60_000)
afterAll(async () => {
  await Promise.all(cores.map((c) => c.stop()))
  await core?.stop('SIGKILL')
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

const pem = (name: string): string => readFileSync(join(pki, name), 'utf8')

const hello = (cert: string): Promise<{ status: number; body: string }> =>
  new Promise((resolve, reject) => {
    const req = request(`${core!.ready.api}/sync/v1/hello`, {
      ca: pem('ca.crt'),
      cert: pem(`${cert}.crt`),
      key: pem(`${cert}.key`),
    })
    req.on('response', (res) => {
      let body = ''
      res.on('data', (chunk: Buffer) => (body += chunk.toString()))
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }))
    })
    req.on('error', reject)
    req.end()
  })

describe('sync over HTTPS', () => {
  it('serves https, and a console connects only when it pins the right CA', async () => {
    expect(core!.ready.api).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/)
    const console = await createCore({ dataDir: tempDir('console'), ephemeralPorts: true })
    cores.push(console)
    const unpinned = await console.call('sync:connect', { url: core!.ready.api, token })
    expect(unpinned.ok).toBe(false)
    if (!unpinned.ok) expect(unpinned.error.message).toMatch(/self.signed|unable to (get|verify)/i)
    const wrongCa = await console.call('sync:connect', {
      url: core!.ready.api,
      token,
      ca_pem: pem('other-ca.crt'),
    })
    expect(wrongCa.ok).toBe(false)
    const notPem = await console.call('sync:connect', { url: core!.ready.api, token, ca_pem: 'hello' })
    expect(notPem.ok).toBe(false)
    if (!notPem.ok) expect(notPem.error.message).toMatch(/ca_pem: the CA must be a PEM certificate/)
    const status = await callOk<SyncStatus>(console, 'sync:connect', {
      url: core!.ready.api,
      token,
      ca_pem: pem('ca.crt'),
    })
    expect(status).toMatchObject({ configured: true, console_id: 'alpha' })
    await callOk(console, 'reports:create', { title: 'Over TLS' })
    expect((await callOk<CallRes<'sync:push-now'>>(console, 'sync:push-now', {})).status.queue_depth).toBe(0)
  })

  it('knows a console by its client certificate from the client CA, not by a look-alike from another CA', async () => {
    const ok = await hello(TEST_PKI.allowedDevice)
    expect(ok.status).toBe(200)
    expect(JSON.parse(ok.body)).toMatchObject({ value: { console_id: 'device-ok', role: 'analyst' } })
    // Same CN, another CA: the TLS layer does not verify it, so it names no console.
    expect((await hello(TEST_PKI.foreignDevice)).status).toBe(401)
    // A verified certificate whose CN is no console on the core.
    expect((await hello(TEST_PKI.otherDevice)).status).toBe(401)
  })

  it('a console configured in config.yaml with a client certificate and no token pushes', async () => {
    const dataDir = tempDir('cert-console')
    writeFileSync(
      join(dataDir, 'config.yaml'),
      `connector:\n  url: ${core!.ready.api}\n  ca_file: ${join(pki, 'ca.crt')}\n  cert_file: ${join(pki, `${TEST_PKI.allowedDevice}.crt`)}\n  key_file: ${join(pki, `${TEST_PKI.allowedDevice}.key`)}\n  interval_s: 3600\n`,
    )
    const console = await createCore({ dataDir, ephemeralPorts: true })
    cores.push(console)
    expect((await callOk<SyncStatus>(console, 'sync:status', {})).configured).toBe(true)
    await callOk(console, 'reports:create', { title: 'By certificate' })
    const pushed = await callOk<CallRes<'sync:push-now'>>(console, 'sync:push-now', {})
    expect(pushed.status.queue_depth).toBe(0)
    expect(pushed.status.last_error).toBeNull()
    // On the core, pushed under the certificate's console (the loop may have pushed it first).
    const page = await new Promise<string>((resolve, reject) => {
      const req = request(`${core!.ready.api}/sync/v1/pull?kinds=report&limit=1000`, {
        ca: pem('ca.crt'),
        headers: { authorization: `Bearer ${token}` },
      })
      req.on('response', (res) => {
        let body = ''
        res.on('data', (chunk: Buffer) => (body += chunk.toString()))
        res.on('end', () => resolve(body))
      })
      req.on('error', reject)
      req.end()
    })
    const titles = (
      JSON.parse(page) as { value: { records: Array<{ record: { body: { title: string } } }> } }
    ).value.records.map((r) => r.record.body.title)
    expect(titles).toContain('By certificate')
  })

  it('a console connects with a client certificate and key instead of a token (sync:connect)', async () => {
    const console = await createCore({ dataDir: tempDir('cert-connect'), ephemeralPorts: true })
    cores.push(console)
    const device = TEST_PKI.allowedDevice
    const base = { url: core!.ready.api, ca_pem: pem('ca.crt') }
    const alone = await console.call('sync:connect', { ...base, cert_pem: pem(`${device}.crt`) })
    expect(alone).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    if (!alone.ok)
      expect(alone.error.message).toMatch(/key_pem: a client certificate and its key go together/)
    const neither = await console.call('sync:connect', base)
    if (!neither.ok) expect(neither.error.message).toMatch(/token: .*or a client certificate and key/)
    expect(neither.ok).toBe(false)
    const mismatched = await console.call('sync:connect', {
      ...base,
      cert_pem: pem(`${device}.crt`),
      key_pem: pem(`${TEST_PKI.otherDevice}.key`),
    })
    if (!mismatched.ok)
      expect(mismatched.error.message).toBe(
        'key_pem: this key does not belong to the certificate in cert_pem',
      )
    expect(mismatched.ok).toBe(false)
    // A certificate from another CA: the core knows no console by it.
    const foreign = await console.call('sync:connect', {
      ...base,
      cert_pem: pem(`${TEST_PKI.foreignDevice}.crt`),
      key_pem: pem(`${TEST_PKI.foreignDevice}.key`),
    })
    if (!foreign.ok) expect(foreign.error.message).toMatch(/401/)
    expect(foreign.ok).toBe(false)
    expect((await callOk<SyncStatus>(console, 'sync:status', {})).configured).toBe(false)
    const status = await callOk<SyncStatus>(console, 'sync:connect', {
      ...base,
      cert_pem: pem(`${device}.crt`),
      key_pem: pem(`${device}.key`),
    })
    expect(status).toMatchObject({ configured: true, console_id: device })
    await callOk(console, 'reports:create', { title: 'Connected by certificate' })
    const pushed = await callOk<CallRes<'sync:push-now'>>(console, 'sync:push-now', {})
    expect(pushed.status).toMatchObject({ queue_depth: 0, last_error: null })
  })

  it('outpost sync connect --cert --key beside a running console is taken up without a restart', async () => {
    const dataDir = tempDir('cli-beside')
    const console = await createCore({ dataDir, ephemeralPorts: true })
    cores.push(console)
    await callOk(console, 'reports:create', { title: 'Waiting for a core' })
    expect(await callOk<SyncStatus>(console, 'sync:status', {})).toMatchObject({
      configured: false,
      queue_depth: 2,
    })
    const device = TEST_PKI.allowedDevice
    const cli = (...args: string[]) =>
      promisify(execFile)(process.execPath, [OUTPOST_BIN, 'sync', ...args, '--data-dir', dataDir], {
        encoding: 'utf8',
      })
    const mixed = await cli('connect', core!.ready.api, '--cert', join(pki, `${device}.crt`)).catch(
      (error: { stderr: string }) => error,
    )
    expect(mixed.stderr).toMatch(/--cert and --key go together/)
    const connected = await cli(
      'connect',
      core!.ready.api,
      ...[
        '--ca',
        join(pki, 'ca.crt'),
        '--cert',
        join(pki, `${device}.crt`),
        '--key',
        join(pki, `${device}.key`),
      ],
    )
    expect(connected.stdout).toBe(`connected to ${core!.ready.api} as ${device} (analyst)\n`)
    // The running console notices the stored connection (within its 2 s watch) and pushes its outbox.
    const deadline = Date.now() + 15_000
    let status = await callOk<SyncStatus>(console, 'sync:status', {})
    while ((status.queue_depth > 0 || !status.configured) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 200))
      status = await callOk<SyncStatus>(console, 'sync:status', {})
    }
    expect(status).toMatchObject({ configured: true, console_id: device, queue_depth: 0, last_error: null })
    await cli('disconnect')
    const until = Date.now() + 10_000
    while ((await callOk<SyncStatus>(console, 'sync:status', {})).configured && Date.now() < until)
      await new Promise((resolve) => setTimeout(resolve, 200))
    expect((await callOk<SyncStatus>(console, 'sync:status', {})).configured).toBe(false)
    // status reads the stored state at once; the connector stops at the watch's next tick (2 s).
    await new Promise((resolve) => setTimeout(resolve, 4000))
    // Disconnected: new work waits in the outbox.
    await callOk(console, 'reports:create', { title: 'After the disconnect' })
    await new Promise((resolve) => setTimeout(resolve, 500))
    expect((await callOk<SyncStatus>(console, 'sync:status', {})).queue_depth).toBeGreaterThan(0)
  }, 40_000)
})

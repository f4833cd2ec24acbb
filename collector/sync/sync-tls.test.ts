import { execFileSync } from 'node:child_process'
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
})

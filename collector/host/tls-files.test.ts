import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { makeTestPki } from '../ingest/test-pki'
import { Config, parseConfig } from './config'
import { createCore } from './create-core'
import { StartupError } from './errors'
import { loadTlsCredentials } from './tls-files'

let dataDir: string
beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'outpost-tls-files-'))
  await makeTestPki(join(dataDir, 'pki'))
  writeFileSync(join(dataDir, 'pki', 'garbage.crt'), 'not a certificate\n')
})
afterAll(() => rmSync(dataDir, { recursive: true, force: true }))

const tlsConfig = (overrides: Record<string, unknown>): Config['listeners']['syslog_tls'] =>
  Config.parse({ listeners: { syslog_tls: { enabled: true, ...overrides } } }).listeners.syslog_tls
const load = (overrides: Record<string, unknown>) =>
  loadTlsCredentials('syslog_tls', tlsConfig(overrides), dataDir, '/d/config.yaml')

describe('syslog_tls PEM files', () => {
  it('reads a matching pair and the CA, relative to the data dir', () => {
    const tls = load({ cert_file: 'pki/server.crt', key_file: 'pki/server.key', ca_file: 'pki/ca.crt' })
    expect(tls.cert.toString()).toContain('BEGIN CERTIFICATE')
    expect(tls.ca?.toString()).toContain('BEGIN CERTIFICATE')
    expect(tls.notAfter.getTime()).toBeGreaterThan(Date.now())
  })

  it.each([
    [
      'a missing certificate',
      {},
      /^listeners\.syslog_tls\.cert_file: cannot read .*tls\/collector\.crt \(the collector's certificate\): no such file; .*change listeners\.syslog_tls in \/d\/config\.yaml, or set listeners\.syslog_tls\.enabled: false$/,
    ],
    [
      'a missing key',
      { cert_file: 'pki/server.crt', key_file: 'pki/nope.key' },
      /^listeners\.syslog_tls\.key_file: cannot read .*pki\/nope\.key .*no such file/,
    ],
    [
      'a key from another certificate',
      { cert_file: 'pki/server.crt', key_file: 'pki/device-ok.key' },
      /^listeners\.syslog_tls\.key_file: .*pki\/device-ok\.key is not the private key of .*pki\/server\.crt \(CN=localhost\)/,
    ],
    [
      'a certificate that is not PEM',
      { cert_file: 'pki/garbage.crt', key_file: 'pki/server.key' },
      /^listeners\.syslog_tls\.cert_file: .*garbage\.crt is not a PEM certificate/,
    ],
    [
      'a key that is not PEM',
      { cert_file: 'pki/server.crt', key_file: 'pki/garbage.crt' },
      /^listeners\.syslog_tls\.key_file: .*garbage\.crt is not an unencrypted PEM private key/,
    ],
    [
      'a missing CA',
      { cert_file: 'pki/server.crt', key_file: 'pki/server.key', ca_file: 'pki/nope-ca.crt' },
      /^listeners\.syslog_tls\.ca_file: cannot read .*nope-ca\.crt \(the CA of client certificates\): no such file/,
    ],
  ])('refuses %s, naming the setting and the fix', (_name, overrides, message) => {
    expect(() => load(overrides)).toThrow(StartupError)
    expect(() => load(overrides)).toThrow(message)
  })

  it.each([
    ['require_client_cert: true', /listeners\.syslog_tls\.require_client_cert: needs ca_file/],
    ['allowed_names: [fw-01]', /listeners\.syslog_tls\.allowed_names: needs ca_file/],
  ])('refuses %s without ca_file', (line, message) => {
    const text = `listeners:\n  syslog_tls:\n    enabled: true\n    ${line}\n`
    expect(() => parseConfig(text, 'config.yaml')).toThrow(message)
  })

  it('stops createCore with that error, before any listener is up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-tls-core-'))
    try {
      writeFileSync(join(dir, 'config.yaml'), 'listeners:\n  syslog_tls:\n    enabled: true\n')
      const attempt = createCore({ dataDir: dir, ephemeralPorts: true })
      await expect(attempt).rejects.toThrow(StartupError)
      await expect(attempt).rejects.toThrow(/listeners\.syslog_tls\.cert_file: cannot read/)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})

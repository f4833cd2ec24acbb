import { execFile } from 'node:child_process'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'

/**
 * A throwaway PKI for tests, made with the openssl CLI: `ca` signs the collector (`server`, for
 * localhost and 127.0.0.1) and two devices; `other-ca` signs a device that borrows an allowed name.
 * Files are `<name>.crt` and `<name>.key` (PEM, unencrypted) in `dir`.
 */
export const TEST_PKI = {
  server: 'server',
  allowedDevice: 'device-ok',
  otherDevice: 'device-other',
  foreignDevice: 'device-foreign',
} as const

// Async on purpose: tests run the collector in-process and a blocking spawn would starve it.
const openssl = (args: string[]) => promisify(execFile)('openssl', args, { timeout: 20_000 })

const KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']

export const makeTestPki = async (dir: string): Promise<void> => {
  mkdirSync(dir, { recursive: true })
  const file = (name: string): string => join(dir, name)
  const ca = (name: string, cn: string) =>
    openssl([
      'req',
      '-x509',
      ...KEY,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.crt`),
      '-subj',
      `/CN=${cn}`,
      '-days',
      '2',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ])
  const leaf = async (name: string, issuer: string, cn: string, san: string, usage: string) => {
    writeFileSync(
      file(`${name}.ext`),
      `basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=${usage}\nsubjectAltName=${san}\n`,
    )
    await openssl([
      'req',
      ...KEY,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.csr`),
      '-subj',
      `/CN=${cn}`,
    ])
    await openssl([
      'x509',
      '-req',
      '-in',
      file(`${name}.csr`),
      '-CA',
      file(`${issuer}.crt`),
      '-CAkey',
      file(`${issuer}.key`),
      '-set_serial',
      `0x${Math.floor(Math.random() * 2 ** 48).toString(16)}`,
      '-days',
      '2',
      '-extfile',
      file(`${name}.ext`),
      '-out',
      file(`${name}.crt`),
    ])
  }
  await Promise.all([ca('ca', 'Outpost Test CA'), ca('other-ca', 'Somebody Else CA')])
  await Promise.all([
    leaf(TEST_PKI.server, 'ca', 'localhost', 'DNS:localhost,IP:127.0.0.1', 'serverAuth'),
    leaf(TEST_PKI.allowedDevice, 'ca', 'device-ok', 'DNS:device-ok.example.org', 'clientAuth'),
    leaf(TEST_PKI.otherDevice, 'ca', 'device-other', 'DNS:device-other.example.org', 'clientAuth'),
    // Same name as the allowed device: only the chain can tell them apart.
    leaf(TEST_PKI.foreignDevice, 'other-ca', 'device-ok', 'DNS:device-ok.example.org', 'clientAuth'),
  ])
}

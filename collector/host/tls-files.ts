import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { TlsCredentials } from '../ingest/syslog-tls'
import type { Config } from './config'
import { StartupError, errnoCode } from './errors'

type TlsListenerConfig = Config['listeners']['syslog_tls']

/**
 * Reads and checks a TLS listener's PEM files at startup, so a wrong path or a key from another
 * certificate stops Outpost with the setting to fix, instead of failing every handshake later.
 */
export const loadTlsCredentials = (
  name: string,
  config: TlsListenerConfig,
  dataDir: string,
  configFile: string,
): TlsCredentials => {
  const setting = (key: string): string => `listeners.${name}.${key}`
  const fix = `change listeners.${name} in ${configFile}, or set ${setting('enabled')}: false`
  const read = (key: string, file: string, what: string): { path: string; pem: Buffer } => {
    const path = resolve(dataDir, file)
    try {
      return { path, pem: readFileSync(path) }
    } catch (error) {
      const code = errnoCode(error)
      const why =
        code === 'ENOENT'
          ? 'no such file'
          : code === 'EACCES'
            ? 'permission denied'
            : code === 'EISDIR'
              ? 'it is a directory'
              : (error as Error).message
      throw new StartupError(
        `${setting(key)}: cannot read ${path} (${what}): ${why}; put the PEM file there or ${fix}`,
        { cause: error },
      )
    }
  }

  const cert = read('cert_file', config.cert_file, "the collector's certificate")
  const key = read('key_file', config.key_file, "the certificate's private key")
  let leaf: X509Certificate
  try {
    leaf = new X509Certificate(cert.pem)
  } catch (error) {
    throw new StartupError(`${setting('cert_file')}: ${cert.path} is not a PEM certificate; ${fix}`, {
      cause: error,
    })
  }
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey(key.pem)
  } catch (error) {
    throw new StartupError(
      `${setting('key_file')}: ${key.path} is not an unencrypted PEM private key (${(error as Error).message}); ` +
        `decrypt it with \`openssl pkey -in KEY -out KEY.plain\` or ${fix}`,
      { cause: error },
    )
  }
  if (!leaf.checkPrivateKey(privateKey)) {
    throw new StartupError(
      `${setting('key_file')}: ${key.path} is not the private key of ${cert.path} (${leaf.subject.replace(/\n/g, ', ')}); ` +
        `point key_file and cert_file at a matching pair, or ${fix}`,
    )
  }

  let ca: Buffer | undefined
  if (config.ca_file !== undefined) {
    const file = read('ca_file', config.ca_file, 'the CA of client certificates')
    try {
      new X509Certificate(file.pem)
    } catch (error) {
      throw new StartupError(`${setting('ca_file')}: ${file.path} is not a PEM certificate; ${fix}`, {
        cause: error,
      })
    }
    ca = file.pem
  }

  return {
    cert: cert.pem,
    key: key.pem,
    ca,
    requireClientCert: config.require_client_cert,
    allowedNames: config.allowed_names,
    minVersion: config.min_version,
    notAfter: new Date(leaf.validTo),
  }
}

import { X509Certificate, createPrivateKey } from 'node:crypto'
import { readFileSync } from 'node:fs'
import { resolve } from 'node:path'
import type { Config } from './config'
import { StartupError } from './errors'

export type ApiTls = { cert: Buffer; key: Buffer; ca: Buffer | undefined }

/**
 * The API's HTTPS files (api.tls_cert_file, api.tls_key_file, api.client_ca_file), checked at
 * startup so a wrong path or a key from another certificate names the setting to fix. Null: HTTP.
 */
export const loadApiTls = (api: Config['api'], dataDir: string, configFile: string): ApiTls | null => {
  if (api.tls_cert_file === null && api.tls_key_file === null) {
    if (api.client_ca_file !== null)
      throw new StartupError(
        `api.client_ca_file needs HTTPS: set api.tls_cert_file and api.tls_key_file in ${configFile}`,
      )
    return null
  }
  if (api.tls_cert_file === null || api.tls_key_file === null)
    throw new StartupError(
      `api.tls_cert_file and api.tls_key_file go together: set both in ${configFile}, or neither`,
    )
  const read = (setting: string, file: string): Buffer => {
    const path = resolve(dataDir, file)
    try {
      return readFileSync(path)
    } catch (error) {
      throw new StartupError(
        `api.${setting}: cannot read ${path}: ${(error as Error).message}; fix it in ${configFile}`,
        {
          cause: error,
        },
      )
    }
  }
  const cert = read('tls_cert_file', api.tls_cert_file)
  const key = read('tls_key_file', api.tls_key_file)
  let leaf: X509Certificate
  try {
    leaf = new X509Certificate(cert)
  } catch (error) {
    throw new StartupError(`api.tls_cert_file: ${api.tls_cert_file} is not a PEM certificate`, {
      cause: error,
    })
  }
  try {
    if (!leaf.checkPrivateKey(createPrivateKey(key)))
      throw new StartupError(`api.tls_key_file: ${api.tls_key_file} is not the key of ${api.tls_cert_file}`)
  } catch (error) {
    if (error instanceof StartupError) throw error
    throw new StartupError(`api.tls_key_file: ${api.tls_key_file} is not an unencrypted PEM private key`, {
      cause: error,
    })
  }
  const ca = api.client_ca_file === null ? undefined : read('client_ca_file', api.client_ca_file)
  return { cert, key, ca }
}

/**
 * Ed25519 keys for signed bundles: this installation's signing key (a file in the data dir, mode
 * 0600, created on first use) and the public keys it trusts (SQLite, every change audited).
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto'
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Database } from 'better-sqlite3'

export const KEY_SCOPES = ['records', 'content', 'both'] as const
export type KeyScope = (typeof KEY_SCOPES)[number]

export type TrustedKey = {
  name: string
  key_id: string
  public_key: string
  scope: KeyScope
  added_at: string
  fingerprint: string
}

/** Thrown for keys that cannot be read or used: the message says what and how to fix it. */
export class KeyError extends Error {}

// The DER prefix of an Ed25519 SubjectPublicKeyInfo; the raw key is the 32 bytes after it.
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex')
const PUBLIC_PREFIX = 'ed25519:'

const rawPublicKey = (key: KeyObject): Buffer => key.export({ format: 'der', type: 'spki' }).subarray(-32)

const publicKeyObject = (raw: Buffer): KeyObject =>
  createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' })

/** First 16 hex digits of SHA-256 over the raw 32-byte public key. */
export const keyIdOf = (raw: Buffer): string => createHash('sha256').update(raw).digest('hex').slice(0, 16)

/** 32 hex digits of the same hash in groups of four, to read aloud over the phone. */
export const fingerprintOf = (raw: Buffer): string =>
  (createHash('sha256').update(raw).digest('hex').slice(0, 32).match(/.{4}/g) ?? []).join(' ')

/** `ed25519:<base64 of the raw key>`, what `outpost keys show` prints and `keys trust` takes. */
export const formatPublicKey = (raw: Buffer): string => PUBLIC_PREFIX + raw.toString('base64')

/**
 * The raw 32 bytes of a public key given as `ed25519:<base64>`, bare base64 of 32 bytes, or an
 * SPKI PEM (`-----BEGIN PUBLIC KEY-----`). Throws KeyError naming what was wrong.
 */
export const parsePublicKey = (text: string): Buffer => {
  const trimmed = text.trim()
  if (trimmed.startsWith('-----BEGIN')) {
    try {
      const key = createPublicKey(trimmed)
      if (key.asymmetricKeyType !== 'ed25519')
        throw new KeyError(`the PEM holds a ${key.asymmetricKeyType ?? 'unknown'} key, not an Ed25519 one`)
      return rawPublicKey(key)
    } catch (error) {
      if (error instanceof KeyError) throw error
      throw new KeyError(`not a readable PEM public key: ${(error as Error).message}`)
    }
  }
  const body = trimmed.startsWith(PUBLIC_PREFIX) ? trimmed.slice(PUBLIC_PREFIX.length) : trimmed
  if (!/^[A-Za-z0-9+/]+=*$/.test(body))
    throw new KeyError(
      'not a public key: expected "ed25519:<base64>" as printed by `outpost keys show` on the other side, or a PEM',
    )
  const raw = Buffer.from(body, 'base64')
  if (raw.length !== 32)
    throw new KeyError(`not an Ed25519 public key: ${raw.length} bytes after base64 decoding, expected 32`)
  return raw
}

export type SigningKey = {
  keyId: string
  publicKey: Buffer
  fingerprint: string
  sign: (data: Buffer) => Buffer
}

export const keyFiles = (dataDir: string) => ({
  dir: join(dataDir, 'keys'),
  private: join(dataDir, 'keys', 'signing.key'),
})

/** This installation's signing key, generated (PKCS#8 PEM, mode 0600) on first use. */
export const loadSigningKey = (dataDir: string): SigningKey => {
  const files = keyFiles(dataDir)
  if (!existsSync(files.private)) {
    mkdirSync(files.dir, { recursive: true, mode: 0o700 })
    const { privateKey } = generateKeyPairSync('ed25519')
    const pem = privateKey.export({ format: 'pem', type: 'pkcs8' })
    // 'wx': two processes starting at once never overwrite each other's key.
    try {
      writeFileSync(files.private, pem, { mode: 0o600, flag: 'wx' })
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
    }
    chmodSync(files.private, 0o600)
  }
  let privateKey: KeyObject
  try {
    privateKey = createPrivateKey(readFileSync(files.private))
  } catch (error) {
    throw new KeyError(
      `cannot read the signing key ${files.private}: ${(error as Error).message}; move it away and a new key is made (others must trust the new one)`,
    )
  }
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new KeyError(`${files.private} is not an Ed25519 key; move it away and a new key is made`)
  const publicKey = rawPublicKey(createPublicKey(privateKey))
  return {
    keyId: keyIdOf(publicKey),
    publicKey,
    fingerprint: fingerprintOf(publicKey),
    sign: (data) => sign(null, data, privateKey),
  }
}

export const verifySignature = (raw: Buffer, data: Buffer, signature: Buffer): boolean => {
  try {
    return verify(null, data, publicKeyObject(raw), signature)
  } catch {
    return false
  }
}

type KeyRow = { name: string; key_id: string; public_key: string; scope: KeyScope; added_at: number }

const toTrusted = (row: KeyRow): TrustedKey => ({
  ...row,
  public_key: PUBLIC_PREFIX + row.public_key,
  added_at: new Date(row.added_at).toISOString(),
  fingerprint: fingerprintOf(Buffer.from(row.public_key, 'base64')),
})

export const NAME = /^[\w.@-]{1,64}$/

/** The public keys this installation accepts bundles from. */
export class TrustedKeysRepo {
  constructor(private readonly db: Database) {}

  list(): TrustedKey[] {
    return (this.db.prepare('SELECT * FROM trusted_keys ORDER BY name').all() as KeyRow[]).map(toTrusted)
  }

  byKeyId(keyId: string): TrustedKey | undefined {
    const row = this.db.prepare('SELECT * FROM trusted_keys WHERE key_id = ?').get(keyId) as
      KeyRow | undefined
    return row && toTrusted(row)
  }

  /** Adds a key, or changes the scope of one trusted under the same name and key. */
  trust(name: string, publicKey: string, scope: KeyScope, now = Date.now()): TrustedKey {
    if (!NAME.test(name))
      throw new KeyError(`the key name "${name}" must be 1-64 letters, digits, or . _ @ - (no spaces)`)
    const raw = parsePublicKey(publicKey)
    const keyId = keyIdOf(raw)
    const byName = this.db.prepare('SELECT * FROM trusted_keys WHERE name = ?').get(name) as
      KeyRow | undefined
    if (byName && byName.key_id !== keyId)
      throw new KeyError(
        `a different key is already trusted as "${name}" (key id ${byName.key_id}); revoke it first (outpost keys revoke ${name}) or choose another name`,
      )
    const other = this.byKeyId(keyId)
    if (other && other.name !== name) throw new KeyError(`key ${keyId} is already trusted as "${other.name}"`)
    this.db
      .prepare(
        `INSERT INTO trusted_keys (name, key_id, public_key, scope, added_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (name) DO UPDATE SET scope = excluded.scope`,
      )
      .run(name, keyId, raw.toString('base64'), scope, now)
    return this.byKeyId(keyId)!
  }

  revoke(nameOrKeyId: string): TrustedKey {
    const row = this.db
      .prepare('SELECT * FROM trusted_keys WHERE name = ? OR key_id = ?')
      .get(nameOrKeyId, nameOrKeyId) as KeyRow | undefined
    if (!row)
      throw new KeyError(`no trusted key named "${nameOrKeyId}" (outpost keys list shows the trusted keys)`)
    this.db.prepare('DELETE FROM trusted_keys WHERE name = ?').run(row.name)
    return toTrusted(row)
  }
}

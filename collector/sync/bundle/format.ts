/**
 * The bundle file: a magic line, then length-prefixed entries (u32 name length, name, u32 data
 * length, data). `manifest.json` comes first and lists every other entry with its SHA-256;
 * `manifest.sig` holds the detached Ed25519 signature over the manifest's exact bytes.
 */
import { createHash, randomUUID } from 'node:crypto'
import { z } from 'zod'
import { ContractError } from '../../contract'
import {
  fingerprintOf,
  keyIdOf,
  formatPublicKey,
  verifySignature,
  type SigningKey,
  type TrustedKey,
} from '../keys/keys'

export const BUNDLE_MAGIC = Buffer.from('OUTPOST-BUNDLE 1\n')
export const BUNDLE_FORMAT = 1
export const MANIFEST = 'manifest.json'
export const SIGNATURE = 'manifest.sig'

export const CONTENT_TYPES = ['rule-pack', 'attack', 'watchlist'] as const
export type ContentType = (typeof CONTENT_TYPES)[number]

const Manifest = z.strictObject({
  format: z.literal(BUNDLE_FORMAT),
  bundle_id: z.string().min(1),
  kind: z.enum(['records', 'content']),
  content_type: z.enum(CONTENT_TYPES).nullable(),
  name: z.string().nullable().describe('content bundles: the pack or watchlist name'),
  version: z.string().min(1),
  created_at: z.string(),
  origin: z.string().min(1),
  signer_key_id: z.string().regex(/^[0-9a-f]{16}$/),
  signer_public_key: z.string(),
  counts: z.record(z.string(), z.number().int().nonnegative()),
  entries: z.array(z.strictObject({ name: z.string().min(1), sha256: z.string(), size: z.number().int() })),
})
export type Manifest = z.infer<typeof Manifest>

const Signature = z.strictObject({ alg: z.literal('ed25519'), key_id: z.string(), signature: z.string() })

export const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex')

/** JSON with object keys sorted at every level: the same manifest always has the same bytes. */
export const canonicalJson = (value: unknown): string =>
  JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  )

export type Entry = { name: string; data: Buffer }

const refuse = (file: string, why: string): ContractError =>
  new ContractError('invalid_request', `bundle ${file} refused: ${why}`)

export const packEntries = (entries: readonly Entry[]): Buffer => {
  const parts: Buffer[] = [BUNDLE_MAGIC]
  for (const entry of entries) {
    // Entry sizes are u32: bigger evidence is refused by name rather than written wrongly.
    if (entry.data.length > 0xffffffff)
      throw new ContractError(
        'invalid_request',
        `${entry.name} is over 4 GiB, more than a bundle entry holds`,
      )
    const name = Buffer.from(entry.name)
    const head = Buffer.alloc(4)
    head.writeUInt32BE(name.length)
    const size = Buffer.alloc(4)
    size.writeUInt32BE(entry.data.length)
    parts.push(head, name, size, entry.data)
  }
  return Buffer.concat(parts)
}

export const unpackEntries = (bytes: Buffer, file: string): Entry[] => {
  if (bytes.length < BUNDLE_MAGIC.length || !bytes.subarray(0, BUNDLE_MAGIC.length).equals(BUNDLE_MAGIC))
    throw refuse(file, 'not an Outpost bundle (it does not start with "OUTPOST-BUNDLE 1")')
  const entries: Entry[] = []
  let at = BUNDLE_MAGIC.length
  while (at < bytes.length) {
    if (at + 4 > bytes.length) throw refuse(file, `truncated at byte ${at} (copy it again)`)
    const nameLength = bytes.readUInt32BE(at)
    at += 4
    if (nameLength > 1024 || at + nameLength + 4 > bytes.length)
      throw refuse(file, `damaged entry header at byte ${at - 4} (copy it again)`)
    const name = bytes.subarray(at, at + nameLength).toString('utf8')
    at += nameLength
    const size = bytes.readUInt32BE(at)
    at += 4
    if (at + size > bytes.length) throw refuse(file, `entry ${name} is truncated (copy it again)`)
    entries.push({ name, data: bytes.subarray(at, at + size) })
    at += size
  }
  return entries
}

export type BundleInput = {
  kind: Manifest['kind']
  contentType?: ContentType
  name?: string
  version: string
  origin: string
  counts: Record<string, number>
  entries: readonly Entry[]
  now?: Date
}

/** Packs and signs a bundle; returns its bytes and manifest. */
export const writeBundle = (input: BundleInput, key: SigningKey): { bytes: Buffer; manifest: Manifest } => {
  const manifest: Manifest = {
    format: BUNDLE_FORMAT,
    bundle_id: randomUUID(),
    kind: input.kind,
    content_type: input.contentType ?? null,
    name: input.name ?? null,
    version: input.version,
    created_at: (input.now ?? new Date()).toISOString(),
    origin: input.origin,
    signer_key_id: key.keyId,
    signer_public_key: formatPublicKey(key.publicKey),
    counts: input.counts,
    entries: input.entries.map((e) => ({ name: e.name, sha256: sha256(e.data), size: e.data.length })),
  }
  const manifestBytes = Buffer.from(canonicalJson(manifest))
  const signature = Buffer.from(
    JSON.stringify({
      alg: 'ed25519',
      key_id: key.keyId,
      signature: key.sign(manifestBytes).toString('base64'),
    }),
  )
  const bytes = packEntries([
    { name: MANIFEST, data: manifestBytes },
    { name: SIGNATURE, data: signature },
    ...input.entries,
  ])
  return { bytes, manifest }
}

export type VerifiedBundle = { manifest: Manifest; signer: TrustedKey; entries: Map<string, Buffer> }

/**
 * Checks everything before anything is used: the container, the signature against a trusted key
 * whose scope covers the bundle's kind, and every entry against the manifest's SHA-256.
 */
export const verifyBundle = (
  bytes: Buffer,
  file: string,
  trusted: (keyId: string) => TrustedKey | undefined,
): VerifiedBundle => {
  const entries = unpackEntries(bytes, file)
  const manifestEntry = entries.find((e) => e.name === MANIFEST)
  if (!manifestEntry) throw refuse(file, 'it has no manifest.json')
  const signatureEntry = entries.find((e) => e.name === SIGNATURE)
  if (!signatureEntry)
    throw refuse(file, 'it is unsigned (no manifest.sig); only signed bundles are imported')
  let signature: z.infer<typeof Signature>
  try {
    signature = Signature.parse(JSON.parse(signatureEntry.data.toString('utf8')))
  } catch {
    throw refuse(file, 'its signature (manifest.sig) is unreadable: the bundle was altered or damaged')
  }
  const signer = trusted(signature.key_id)
  if (!signer) {
    let hint = ''
    try {
      const claimed = Manifest.parse(JSON.parse(manifestEntry.data.toString('utf8')))
      const raw = Buffer.from(claimed.signer_public_key.replace(/^ed25519:/, ''), 'base64')
      // Only a key that is the one named by the signature is worth suggesting.
      if (
        claimed.signer_key_id === signature.key_id &&
        raw.length === 32 &&
        keyIdOf(raw) === signature.key_id
      ) {
        hint = ` (fingerprint ${fingerprintOf(raw)}): check the fingerprint with the sender, then run outpost keys trust NAME ${claimed.signer_public_key}`
      }
    } catch {
      // No hint from a manifest that does not parse.
    }
    throw refuse(
      file,
      `it is signed by key ${signature.key_id}, which is not trusted here${hint || ": trust the sender's key with outpost keys trust NAME KEY"}`,
    )
  }
  const raw = Buffer.from(signer.public_key.replace(/^ed25519:/, ''), 'base64')
  if (!verifySignature(raw, manifestEntry.data, Buffer.from(signature.signature, 'base64')))
    throw refuse(
      file,
      `the signature does not match the manifest for key ${signer.key_id} ("${signer.name}"): the bundle was altered or damaged after signing`,
    )
  let manifest: Manifest
  try {
    manifest = Manifest.parse(JSON.parse(manifestEntry.data.toString('utf8')))
  } catch (error) {
    throw refuse(file, `its manifest is not a format-${BUNDLE_FORMAT} manifest: ${(error as Error).message}`)
  }
  if (manifest.signer_key_id !== signer.key_id)
    throw refuse(
      file,
      `the manifest names signer ${manifest.signer_key_id} but key ${signer.key_id} signed it`,
    )
  if (signer.scope !== 'both' && signer.scope !== manifest.kind)
    throw refuse(
      file,
      `key "${signer.name}" is trusted for ${signer.scope} bundles only, this is a ${manifest.kind} bundle; widen it with outpost keys trust ${signer.name} KEY --scope both`,
    )
  const byName = new Map<string, Buffer>()
  for (const entry of entries) {
    if (entry.name === MANIFEST || entry.name === SIGNATURE) continue
    if (byName.has(entry.name)) throw refuse(file, `entry ${entry.name} appears twice`)
    byName.set(entry.name, entry.data)
  }
  for (const listed of manifest.entries) {
    const data = byName.get(listed.name)
    if (!data) throw refuse(file, `entry ${listed.name} listed in the manifest is missing`)
    if (data.length !== listed.size || sha256(data) !== listed.sha256)
      throw refuse(
        file,
        `entry ${listed.name} does not match its SHA-256 in the manifest: it was altered or damaged`,
      )
  }
  const listedNames = new Set(manifest.entries.map((e) => e.name))
  for (const name of byName.keys())
    if (!listedNames.has(name)) throw refuse(file, `entry ${name} is not listed in the signed manifest`)
  return { manifest, signer, entries: byName }
}

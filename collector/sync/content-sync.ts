/**
 * ATT&CK content from a team core to its consoles: a core publishes the active version of each
 * ATT&CK bundle it installed from a content bundle (or rolled back to) as a `content` pull record
 * `attack/<name>`; a console installs a pulled one as a local content-bundle install would
 * (BundleService.installPulledContent), in the pull's transaction.
 *
 * The body carries the stored content as it is kept in content_versions (gzipped JSON), base64:
 * MITRE's Enterprise bundle is ~1.3 MB of JSON and ~0.3 MB this way, well inside a pull page and a
 * NATS message.
 */
import { createHash } from 'node:crypto'
import { gunzipSync } from 'node:zlib'
import type { Database } from 'better-sqlite3'
import { AttackBundleError, parseAttackBundle, type ParsedAttack } from '../attack/parse-bundle'
import type { SyncRecord } from './records'

export class ContentSyncError extends Error {}

/** The content types a core publishes as `content` records (the id is `<type>/<name>`). */
const SYNCED_TYPES = new Set(['attack'])

/** The record id of an installed content pack, or null when that type is not synced this way. */
export const contentRecordId = (objectId: string): string | null => {
  const slash = objectId.indexOf('/')
  return slash > 0 && SYNCED_TYPES.has(objectId.slice(0, slash)) && slash < objectId.length - 1
    ? objectId
    : null
}

type ContentRow = { version: string; bundle_id: string; signer: string; payload: Buffer }

/**
 * The active version of `<type>/<name>` on a core ({ type, name, version, bundle_id, signer,
 * encoding, sha256, payload }), or undefined when none is active (a removal).
 */
export const contentBody = (db: Database, id: string): Record<string, unknown> | undefined => {
  if (!contentRecordId(id)) return undefined
  const slash = id.indexOf('/')
  const type = id.slice(0, slash)
  const name = id.slice(slash + 1)
  const row = db
    .prepare(
      'SELECT version, bundle_id, signer, payload FROM content_versions WHERE type = ? AND name = ? AND active = 1',
    )
    .get(type, name) as ContentRow | undefined
  if (!row) return undefined
  return {
    type,
    name,
    version: row.version,
    bundle_id: row.bundle_id,
    signer: row.signer,
    encoding: 'gzip+base64',
    sha256: createHash('sha256').update(row.payload).digest('hex'),
    payload: row.payload.toString('base64'),
  }
}

/** A pulled content record checked whole: what to store, and the ATT&CK data to install. */
export type PulledContent = {
  type: 'attack'
  name: string
  version: string
  bundle_id: string
  signer: string
  /** As content_versions keeps it (gzipped JSON of { type, bundle }). */
  packed: Buffer
  parsed: ParsedAttack
}

const text = (body: Record<string, unknown>, field: string, where: string): string => {
  const value = body[field]
  if (typeof value !== 'string' || value.length === 0)
    throw new ContentSyncError(`${where}: "${field}" is missing or not a string`)
  return value
}

/**
 * Decodes and checks a pulled `content` record (not a removal): every field, the payload's hash,
 * and the ATT&CK bundle itself. Throws ContentSyncError naming what is wrong; nothing is stored.
 */
export const decodePulledContent = (record: SyncRecord): PulledContent => {
  const where = `content ${record.id} version ${record.version}`
  const body = record.body
  const type = text(body, 'type', where)
  const name = text(body, 'name', where)
  if (type !== 'attack')
    throw new ContentSyncError(`${where}: type "${type}" is not synced (only attack content is)`)
  if (record.id !== `${type}/${name}`)
    throw new ContentSyncError(`${where}: the body names ${type}/${name}, not the record's id`)
  const version = text(body, 'version', where)
  const bundleId = text(body, 'bundle_id', where)
  const signer = text(body, 'signer', where)
  if (body.encoding !== 'gzip+base64')
    throw new ContentSyncError(`${where}: encoding ${JSON.stringify(body.encoding)} is not gzip+base64`)
  const packed = Buffer.from(text(body, 'payload', where), 'base64')
  const sha = createHash('sha256').update(packed).digest('hex')
  if (body.sha256 !== sha)
    throw new ContentSyncError(`${where}: the payload hashes to ${sha}, not the sha256 the core sent`)
  let payload: { type?: unknown; bundle?: unknown }
  try {
    payload = JSON.parse(gunzipSync(packed).toString('utf8')) as typeof payload
  } catch (error) {
    throw new ContentSyncError(`${where}: the payload is not gzipped JSON (${(error as Error).message})`)
  }
  if (payload === null || typeof payload !== 'object' || payload.type !== 'attack')
    throw new ContentSyncError(`${where}: the payload is not ATT&CK content`)
  let parsed: ParsedAttack
  try {
    parsed = parseAttackBundle(payload.bundle)
  } catch (error) {
    if (error instanceof AttackBundleError)
      throw new ContentSyncError(`${where}: the ATT&CK bundle is refused: ${error.message}`)
    throw error
  }
  if (parsed.techniques.length === 0)
    throw new ContentSyncError(`${where}: the ATT&CK bundle has no technique`)
  return { type, name, version, bundle_id: bundleId, signer, packed, parsed }
}

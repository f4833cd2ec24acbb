/**
 * Rule packs from a team core to its consoles: a core publishes each rule pack it installed from a
 * content bundle (the active version, whole) as a `rule-pack` pull record; a console installs a
 * pulled pack into its rule store as imported files, in the pull's transaction, removing the files
 * of the pack's previous pulled version that the new one no longer has.
 */
import { gunzipSync } from 'node:zlib'
import type { Database } from 'better-sqlite3'
import { fileKeys } from '../detect/rule-book'
import { RulesRepo } from '../store/sqlite/rules-repo'
import type { SyncRecord } from './records'

export class RulePackSyncError extends Error {}

type PackFile = { path: string; text: string }

/** The active version of a rule pack a core installed ({ name, version, license, files }), or undefined. */
export const rulePackBody = (db: Database, name: string): Record<string, unknown> | undefined => {
  const row = db
    .prepare(
      "SELECT version, payload FROM content_versions WHERE type = 'rule-pack' AND name = ? AND active = 1",
    )
    .get(name) as { version: string; payload: Buffer } | undefined
  if (!row) return undefined
  const payload = JSON.parse(gunzipSync(row.payload).toString('utf8')) as {
    files?: PackFile[]
    license?: string | null
  }
  return { name, version: row.version, license: payload.license ?? null, files: payload.files ?? [] }
}

/**
 * Installs a pulled pack (inside the caller's transaction) and returns its file paths. `previous`
 * are the paths the pack's last pulled version installed; those the new one lacks are removed (all
 * of them for a removal). A pack with a file lacking its path or text is refused whole, naming it.
 */
export const installPulledRulePack = (
  db: Database,
  record: SyncRecord,
  previous: readonly string[],
): string[] => {
  const rules = new RulesRepo(db)
  const raw = record.deleted ? [] : Array.isArray(record.body.files) ? (record.body.files as unknown[]) : []
  const files: PackFile[] = []
  const keys: string[] = []
  for (const [n, item] of raw.entries()) {
    const file = item as Partial<PackFile> | null
    if (!file || typeof file.path !== 'string' || !file.path || typeof file.text !== 'string')
      throw new RulePackSyncError(`rule pack ${record.id}: file ${n + 1} has no path or text`)
    // As a bundle install: a file with Sigma problems is kept, and the rule store reports them.
    keys.push(...fileKeys(file.text, file.path))
    files.push({ path: file.path, text: file.text })
  }
  const keep = new Set(files.map((f) => f.path))
  for (const path of previous) if (!keep.has(path)) rules.deleteFile(path)
  const license = typeof record.body.license === 'string' ? record.body.license : null
  if (files.length > 0)
    rules.putFiles(
      files.map((f) => ({ ...f, origin: 'imported' as const, license })),
      keys,
      true,
    )
  return files.map((f) => f.path)
}

// The STIX objects a TAXII collection serves: those of every published intelligence report.
import type { Database } from 'better-sqlite3'
import { ReportsRepo } from '../../store/sqlite/reports-repo'
import { reportDocument } from '../../workspace/report-export'
import { toStixBundle, type StixObject } from '../../workspace/export/stix'
import type { TlpLevel } from './config'
import { sharedLevels } from './tlp'

/** One version of one object in a collection, as TAXII tracks it. */
export type TaxiiEntry = {
  id: string
  /** The object's `modified` (else `created`, else its date added): what `match[version]` compares. */
  version: string
  /** When the collection got this version: the publish time of the report carrying it. */
  date_added: string
  object: StixObject
}

/** Oldest first, then by id and version: the order pages are cut in. */
export const compareEntries = (a: TaxiiEntry, b: TaxiiEntry): number =>
  a.date_added !== b.date_added
    ? a.date_added < b.date_added
      ? -1
      : 1
    : a.id !== b.id
      ? a.id < b.id
        ? -1
        : 1
      : a.version < b.version
        ? -1
        : a.version > b.version
          ? 1
          : 0

/**
 * Every object version of the published reports at or below `maxTlp` (taxii.serve_max_tlp), each
 * once: a report above it is not shared at all, nor the objects only it carries. A report's objects are added when its
 * current version was published (its updated_at, also the STIX report's `published`); an object
 * that several reports carry (the TLP marking, the Outpost identity) keeps its earliest date.
 */
export const publishedEntries = (db: Database, maxTlp: TlpLevel = 'green'): TaxiiEntry[] => {
  const repo = new ReportsRepo(db)
  const shared = sharedLevels(maxTlp)
  const ids = (
    db
      .prepare(
        `SELECT id FROM reports WHERE status = 'published' AND tlp IN (${shared.map(() => '?').join(', ')})
         ORDER BY seq`,
      )
      .all(...shared) as Array<{ id: string }>
  ).map((r) => r.id)
  const byKey = new Map<string, TaxiiEntry>()
  for (const id of ids) {
    const report = repo.get(id)
    if (!report) continue
    const dateAdded = new Date(report.updated_at).toISOString()
    for (const object of toStixBundle(reportDocument(db, report)).objects) {
      const stamp = object.modified ?? object.created
      const version = typeof stamp === 'string' ? stamp : dateAdded
      const key = `${object.id}@${version}`
      const known = byKey.get(key)
      if (!known || dateAdded < known.date_added)
        byKey.set(key, { id: object.id, version, date_added: dateAdded, object })
    }
  }
  return [...byKey.values()].sort(compareEntries)
}

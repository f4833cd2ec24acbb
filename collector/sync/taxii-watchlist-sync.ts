/**
 * A team core's TAXII-pulled indicators to its consoles: each configured source's indicators are
 * published as one `watchlist` pull record, `taxii/<source>` (a console's own TAXII sources show as
 * `taxii:<source>`, so the two never meet), and consoles install it like any pulled list
 * (watchlist-sync.ts). The list holds what IOC matching would hold: indicators not expired, and
 * only those marked at or below taxii.serve_max_tlp (unmarked ones too), the ceiling the core's
 * own TAXII server shares under. After every pull, and when the ceiling changes, the list is
 * compared with the version consoles have and a new version made only when it differs (new,
 * changed, revoked or expired indicators).
 */
import type { Database } from 'better-sqlite3'
import type { RecordStore } from './core/record-store'
import type { SyncKind } from './records'
import type { TlpLevel } from './taxii/config'
import { sharedLevels } from './taxii/tlp'

export const TAXII_LIST_PREFIX = 'taxii/'

/** The watchlist id a core publishes a TAXII source's indicators under. */
export const taxiiListId = (source: string): string => `${TAXII_LIST_PREFIX}${source}`

type Row = { stix_id: string; modified: string; type: string; value: string; valid_until: string | null }

/** The watchlist type of a TAXII indicator: an address with a prefix is a range. */
const listType = (type: string, value: string): string =>
  type === 'ipv4' || type === 'ipv6' ? (value.includes('/') ? 'cidr' : 'ip') : type

/**
 * A TAXII source's list as a core publishes it ({ name, version, indicators }), or undefined when
 * nothing of it is to be shared (a removal on consoles). `now`: what counts as expired.
 */
export const taxiiWatchlistBody = (
  db: Database,
  source: string,
  maxTlp: TlpLevel,
  now = Date.now(),
): Record<string, unknown> | undefined => {
  const shared = sharedLevels(maxTlp)
  const rows = (
    db
      .prepare(
        `SELECT stix_id, modified, type, value, valid_until FROM taxii_indicators
         WHERE source = ? AND (tlp IS NULL OR tlp IN (${shared.map(() => '?').join(', ')}))
         ORDER BY type, value, stix_id`,
      )
      .all(source, ...shared) as Row[]
  ).filter((r) => r.valid_until === null || !(Date.parse(r.valid_until) <= now))
  if (rows.length === 0) return undefined
  const seen = new Set<string>()
  const indicators = rows.flatMap((r) => {
    const type = listType(r.type, r.value)
    const key = `${type}\u0000${r.value}`
    if (seen.has(key)) return []
    seen.add(key)
    // The STIX id as the indicator's source: a console's alert names the TAXII object it matched.
    return [{ type, value: r.value, source: r.stix_id, valid_until: r.valid_until, level: null }]
  })
  return {
    name: taxiiListId(source),
    version: rows.reduce((v, r) => (r.modified > v ? r.modified : v), ''),
    indicators,
  }
}

export type TaxiiPublisher = {
  records: RecordStore
  publishLocal: (kind: SyncKind, id: string) => void
}

/**
 * Publishes a source's list when it differs from the version consoles pull now; true when a new
 * version was made. A source that never had anything shared publishes nothing.
 */
export const publishTaxiiList = (
  db: Database,
  sync: TaxiiPublisher,
  source: string,
  maxTlp: TlpLevel,
): boolean => {
  const id = taxiiListId(source)
  const body = taxiiWatchlistBody(db, source, maxTlp)
  const stored = sync.records.get('watchlist', id)?.record
  if (!stored && !body) return false
  if (stored && stored.deleted === !body) {
    const before = JSON.stringify(stored.body.indicators ?? null)
    if (before === JSON.stringify(body?.indicators ?? null)) return false
  }
  sync.publishLocal('watchlist', id)
  return true
}

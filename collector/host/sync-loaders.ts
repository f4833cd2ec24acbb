import type { Database } from 'better-sqlite3'
import { AlertsRepo, NotFoundError } from '../store/sqlite/alerts-repo'
import { AssetsRepo } from '../store/sqlite/assets-repo'
import { EventsRepo } from '../store/sqlite/events-repo'
import { CasesRepo } from '../store/sqlite/cases-repo'
import { OperationsRepo } from '../store/sqlite/operations-repo'
import { ReportsRepo } from '../store/sqlite/reports-repo'
import { alertEvents, syncedAlertEvent } from '../sync/alert-events'
import type { SyncLoaders } from '../sync/sync-service'
import { watchlistBody } from '../sync/watchlist-sync'
import { rulePackBody } from '../sync/rule-pack-sync'
import { contentBody } from '../sync/content-sync'
import type { TlpLevel } from '../sync/taxii/config'
import { TAXII_LIST_PREFIX, taxiiWatchlistBody } from '../sync/taxii-watchlist-sync'

const gone = (error: unknown): boolean =>
  error instanceof NotFoundError || (error as { code?: unknown }).code === 'not_found'

/** `undefined` when the object is gone (a tombstone syncs); any other failure is a real one. */
const loader =
  (read: (id: string) => unknown) =>
  (id: string): Record<string, unknown> | undefined => {
    try {
      return (read(id) ?? undefined) as Record<string, unknown> | undefined
    } catch (error) {
      if (gone(error)) return undefined
      throw error
    }
  }

/**
 * How each synced kind is read from the console's tables: its contract shape. `taxiiMaxTlp`: the
 * TLP ceiling a core publishes its TAXII sources' lists under (taxii.serve_max_tlp, read live).
 */
export const syncLoaders = (db: Database, options: { taxiiMaxTlp?: () => TlpLevel } = {}): SyncLoaders => {
  const alerts = new AlertsRepo(db)
  const cases = new CasesRepo(db, alerts)
  const reports = new ReportsRepo(db)
  const assets = new AssetsRepo(db, alerts)
  const operations = new OperationsRepo(db)
  const events = new EventsRepo(db)
  return {
    // The incident with its timeline, comments, observables and evidence metadata (not the bytes).
    incident: loader((id) => cases.detail(id)),
    // The alert with its matched events (bounded), for a core that does not hold them.
    alert: loader((id) => {
      const alert = alerts.get(id)
      const read = (eventId: string) => events.get(eventId) ?? syncedAlertEvent(db, eventId)
      return alert && { ...alert, ...alertEvents(alert, read) }
    }),
    report: loader((id) => reports.get(id)),
    asset: loader((id) => assets.get(id, 0)),
    operation: loader((id) => operations.operation(id)),
    mission: loader((id) => operations.mission(id)),
    // A core's IOC list, whole (what consoles pull and install); a TAXII source's as it is shared.
    watchlist: (id) =>
      id.startsWith(TAXII_LIST_PREFIX)
        ? taxiiWatchlistBody(db, id.slice(TAXII_LIST_PREFIX.length), options.taxiiMaxTlp?.() ?? 'green')
        : watchlistBody(db, id),
    // The active version of a rule pack installed from a content bundle, whole.
    'rule-pack': (id) => rulePackBody(db, id),
    // The active version of ATT&CK content installed from a content bundle (gzip+base64).
    content: (id) => contentBody(db, id),
  }
}

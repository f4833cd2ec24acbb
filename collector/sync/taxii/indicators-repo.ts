import type { Database } from 'better-sqlite3'
import type { TlpLevel } from './config'
import type { IndicatorType, SkipReason } from './patterns'

/**
 * Indicators pulled over TAXII, kept apart from the IOC watchlist (built concurrently in the
 * bundles work) so the two land without a clash; to be folded into the watchlist on merge.
 */
export type TaxiiIndicator = {
  source: string
  stix_id: string
  modified: string
  type: IndicatorType
  value: string
  name: string | null
  valid_from: string | null
  valid_until: string | null
  /** The most restricted TLP marking it carries (TLP 2.0 levels); null: unmarked. */
  tlp: TlpLevel | null
  pulled_at: string
}

export type TaxiiSourceState = {
  name: string
  /** The cursor: the next pull asks for objects added after this. */
  added_after: string | null
  last_pull_at: string | null
  last_ok_at: string | null
  last_error: string | null
  /** Indicators stored or updated by the last pull. */
  last_stored: number
  /** Indicators the last pull did not take, per reason. */
  last_skipped: Partial<Record<SkipReason, number>>
  /** Indicators of this source held now. */
  indicators: number
}

export type IndicatorInput = Omit<TaxiiIndicator, 'source' | 'pulled_at' | 'tlp'> & { tlp?: TlpLevel | null }

type SourceRow = Omit<TaxiiSourceState, 'last_pull_at' | 'last_ok_at' | 'last_skipped' | 'indicators'> & {
  last_pull_at: number | null
  last_ok_at: number | null
  last_skipped: string
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString())

export class TaxiiIndicatorsRepo {
  constructor(private readonly db: Database) {}

  /**
   * Stores one indicator version; an older or equal version than the one held changes nothing.
   * Returns whether the row changed.
   */
  put(source: string, input: IndicatorInput, now = Date.now()): boolean {
    const result = this.db
      .prepare(
        `INSERT INTO taxii_indicators (source, stix_id, modified, type, value, name, valid_from, valid_until, tlp, pulled_at)
         VALUES (@source, @stix_id, @modified, @type, @value, @name, @valid_from, @valid_until, @tlp, @now)
         ON CONFLICT (source, stix_id) DO UPDATE SET
           modified = excluded.modified, type = excluded.type, value = excluded.value, name = excluded.name,
           valid_from = excluded.valid_from, valid_until = excluded.valid_until, tlp = excluded.tlp,
           pulled_at = excluded.pulled_at
         WHERE excluded.modified > taxii_indicators.modified`,
      )
      .run({ source, ...input, tlp: input.tlp ?? null, now })
    return result.changes > 0
  }

  /** A revoked indicator leaves the list. */
  remove(source: string, stixId: string): boolean {
    return (
      this.db.prepare('DELETE FROM taxii_indicators WHERE source = ? AND stix_id = ?').run(source, stixId)
        .changes > 0
    )
  }

  list(options: { source?: string | undefined; limit?: number } = {}): TaxiiIndicator[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM taxii_indicators WHERE (@source IS NULL OR source = @source)
         ORDER BY source, type, value, stix_id LIMIT @limit`,
      )
      .all({ source: options.source ?? null, limit: options.limit ?? 100_000 }) as Array<
      Omit<TaxiiIndicator, 'pulled_at'> & { pulled_at: number }
    >
    return rows.map((r) => ({ ...r, pulled_at: new Date(r.pulled_at).toISOString() }))
  }

  /** Whether a value is on the list (any source, valid at `now`: from valid_from, before valid_until). */
  matches(type: IndicatorType, value: string, now = new Date()): TaxiiIndicator[] {
    return this.list().filter(
      (i) =>
        i.type === type &&
        i.value === value &&
        (i.valid_from === null || new Date(i.valid_from).getTime() <= now.getTime()) &&
        (i.valid_until === null || new Date(i.valid_until).getTime() > now.getTime()),
    )
  }

  cursor(source: string): string | null {
    const row = this.db.prepare('SELECT added_after FROM taxii_sources WHERE name = ?').get(source) as
      { added_after: string | null } | undefined
    return row?.added_after ?? null
  }

  /** Moves the cursor forward (never back), in the caller's transaction with the page's indicators. */
  advance(source: string, addedAfter: string): void {
    this.db
      .prepare(
        `INSERT INTO taxii_sources (name, added_after) VALUES (?, ?)
         ON CONFLICT (name) DO UPDATE SET added_after = excluded.added_after
         WHERE taxii_sources.added_after IS NULL OR excluded.added_after > taxii_sources.added_after`,
      )
      .run(source, addedAfter)
  }

  finish(
    source: string,
    outcome: {
      at: number
      error: string | null
      stored: number
      skipped: Partial<Record<SkipReason, number>>
    },
  ): void {
    this.db
      .prepare(
        `INSERT INTO taxii_sources (name, last_pull_at, last_ok_at, last_error, last_stored, last_skipped)
         VALUES (@name, @at, @ok_at, @error, @stored, @skipped)
         ON CONFLICT (name) DO UPDATE SET last_pull_at = excluded.last_pull_at,
           last_ok_at = COALESCE(excluded.last_ok_at, taxii_sources.last_ok_at),
           last_error = excluded.last_error, last_stored = excluded.last_stored,
           last_skipped = excluded.last_skipped`,
      )
      .run({
        name: source,
        at: outcome.at,
        ok_at: outcome.error === null ? outcome.at : null,
        error: outcome.error,
        stored: outcome.stored,
        skipped: JSON.stringify(outcome.skipped),
      })
  }

  state(source: string): TaxiiSourceState {
    const row = this.db.prepare('SELECT * FROM taxii_sources WHERE name = ?').get(source) as
      SourceRow | undefined
    const indicators = (
      this.db.prepare('SELECT count(*) AS n FROM taxii_indicators WHERE source = ?').get(source) as {
        n: number
      }
    ).n
    return {
      name: source,
      added_after: row?.added_after ?? null,
      last_pull_at: iso(row?.last_pull_at ?? null),
      last_ok_at: iso(row?.last_ok_at ?? null),
      last_error: row?.last_error ?? null,
      last_stored: row?.last_stored ?? 0,
      last_skipped: JSON.parse(row?.last_skipped ?? '{}') as Partial<Record<SkipReason, number>>,
      indicators,
    }
  }
}

import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { migrate } from '../store/sqlite/migrate'
import { migrations } from '../store/sqlite/migrations'
import type { SyncRecord } from './records'
import { installPulledWatchlist, watchlistBody } from './watchlist-sync'

const record = (id: string, body: Record<string, unknown>, deleted = false): SyncRecord => ({
  kind: 'watchlist',
  id,
  version: 3,
  updated_at: '2026-12-07T10:00:00.000Z',
  origin: 'core',
  deleted,
  body,
})

describe('pulled watchlists', () => {
  let db: Database.Database
  const rows = () =>
    db
      .prepare('SELECT list, type, value, version, level FROM watchlist_indicators ORDER BY list, value')
      .all()
  beforeEach(() => {
    db = new Database(':memory:')
    migrate(db, migrations, ':memory:')
    db.prepare(
      "INSERT INTO watchlist_indicators (list, type, value, source, valid_until, version, level) VALUES ('analyst', 'ip', '198.51.100.1', NULL, NULL, 'v', NULL)",
    ).run()
  })
  afterEach(() => db.close())

  it('replaces the list, normalises indicators, leaves invalid ones out and counts them', () => {
    installPulledWatchlist(
      db,
      record('iocs', { version: '1', indicators: [{ type: 'ip', value: '192.0.2.9' }] }),
    )
    const result = installPulledWatchlist(
      db,
      record('iocs', {
        version: '2',
        indicators: [
          { type: 'ipv4', value: '203.0.113.7', level: 'High' },
          { type: 'domain', value: 'Evil.Example.com' },
          { type: 'ip', value: 'not-an-ip' },
          'junk',
        ],
      }),
    )
    expect(result).toEqual({ installed: 2, rejected: 2 })
    expect(rows()).toEqual([
      { list: 'analyst', type: 'ip', value: '198.51.100.1', version: 'v', level: null },
      { list: 'iocs', type: 'ip', value: '203.0.113.7', version: '2', level: 'high' },
      { list: 'iocs', type: 'domain', value: 'evil.example.com', version: '2', level: null },
    ])
    // A removal empties it.
    installPulledWatchlist(db, record('iocs', {}, true))
    expect(rows()).toHaveLength(1)
  })

  it("never writes the console's own analyst list; a core publishes its own as core-analyst", () => {
    expect(installPulledWatchlist(db, record('analyst', { indicators: [] }))).toEqual({
      installed: 0,
      rejected: 0,
    })
    expect(rows()).toHaveLength(1)
    expect(watchlistBody(db, 'core-analyst')).toMatchObject({
      name: 'core-analyst',
      indicators: [{ type: 'ip', value: '198.51.100.1' }],
    })
    expect(watchlistBody(db, 'analyst')).toBeUndefined()
    expect(watchlistBody(db, 'nothing')).toBeUndefined()
  })

  it('carries valid_from from the core to the console', () => {
    db.prepare(
      "UPDATE watchlist_indicators SET valid_from = '2027-01-01T00:00:00.000Z' WHERE list = 'analyst'",
    ).run()
    const body = watchlistBody(db, 'core-analyst')!
    expect(body.indicators).toEqual([
      expect.objectContaining({ value: '198.51.100.1', valid_from: '2027-01-01T00:00:00.000Z' }),
    ])
    installPulledWatchlist(db, record('core-analyst-copy', body))
    expect(
      db
        .prepare("SELECT valid_from FROM watchlist_indicators WHERE list = 'core-analyst-copy'")
        .pluck()
        .all(),
    ).toEqual(['2027-01-01T00:00:00.000Z'])
  })
})

import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { loadWatchlist } from '../../../detect/ioc/ioc-alert'
import { IocIndex } from '../../../detect/ioc/ioc-index'
import { migrate } from '../migrate'
import { migrations } from './index'

describe('migration 0029 (watchlist lifecycle)', () => {
  it("keeps the indicators held, and the view shows valid_from of TAXII's and the lists' own", () => {
    const db = new Database(':memory:')
    migrate(
      db,
      migrations.filter((m) => m.version < 29),
      'x.sqlite',
    )
    db.prepare(
      `INSERT INTO watchlist_indicators (list, type, value, source, valid_until, version, level)
       VALUES ('analyst', 'ip', '203.0.113.7', 'CERT', NULL, 'v1', 'critical')`,
    ).run()
    db.prepare(
      `INSERT INTO taxii_indicators (source, stix_id, modified, type, value, name, valid_from, valid_until, pulled_at)
       VALUES ('partner', 'indicator--1', '2026-12-01T00:00:00.000Z', 'ipv4', '198.51.100.23', NULL,
               '2027-01-01T00:00:00.000Z', NULL, 1)`,
    ).run()

    migrate(db, migrations, 'x.sqlite')
    db.prepare(
      `INSERT INTO watchlist_indicators (list, type, value, source, valid_from, valid_until, version)
       VALUES ('iocs', 'domain', 'evil.example', NULL, '2026-12-05T00:00:00.000Z', NULL, '3')`,
    ).run()
    const rows = loadWatchlist(db)
    expect(rows).toEqual([
      {
        list: 'analyst',
        type: 'ip',
        value: '203.0.113.7',
        source: 'CERT',
        valid_from: null,
        valid_until: null,
        level: 'critical',
      },
      {
        list: 'iocs',
        type: 'domain',
        value: 'evil.example',
        source: null,
        valid_from: '2026-12-05T00:00:00.000Z',
        valid_until: null,
        level: null,
      },
      {
        list: 'taxii:partner',
        type: 'ip',
        value: '198.51.100.23',
        source: 'indicator--1',
        valid_from: '2027-01-01T00:00:00.000Z',
        valid_until: null,
        level: null,
      },
    ])
    // A STIX indicator valid from next year matches nothing until then; then today's events too.
    const ioc = new IocIndex(rows, { matchSubdomains: true })
    const today = Date.parse('2026-12-07T00:00:00Z')
    expect(ioc.match({ DestinationIp: '198.51.100.23' }, today, today)).toEqual([])
    expect(
      ioc.match({ DestinationIp: '198.51.100.23' }, today, Date.parse('2027-01-01T00:00:00Z')),
    ).toHaveLength(1)
    expect(db.prepare('SELECT count(*) FROM watchlist_hits').pluck().get()).toBe(0)
  })
})

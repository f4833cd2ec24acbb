import Database from 'better-sqlite3'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { migrate } from '../store/sqlite/migrate'
import { migrations } from '../store/sqlite/migrations'
import { TLP2_MARKING_IDS } from '../workspace/export/stix'
import { RecordStore } from './core/record-store'
import type { SyncKind } from './records'
import { TaxiiIndicatorsRepo, type IndicatorInput } from './taxii/indicators-repo'
import { markingTlp } from './taxii/tlp'
import { publishTaxiiList, taxiiWatchlistBody } from './taxii-watchlist-sync'

const input = (n: number, fields: Partial<IndicatorInput>): IndicatorInput => ({
  stix_id: `indicator--${n}`,
  modified: `2026-12-0${n}T00:00:00.000Z`,
  type: 'ipv4',
  value: `203.0.113.${n}`,
  name: null,
  valid_from: null,
  valid_until: null,
  ...fields,
})

describe('markingTlp', () => {
  it('takes the most restricted TLP 2.0 or 1.0 marking and ignores other markings', () => {
    expect(markingTlp(undefined)).toBeNull()
    expect(markingTlp(['marking-definition--not-a-tlp'])).toBeNull()
    expect(markingTlp([TLP2_MARKING_IDS.clear])).toBe('clear')
    expect(markingTlp([TLP2_MARKING_IDS.green, TLP2_MARKING_IDS['amber+strict']])).toBe('amber+strict')
    // TLP 1.0 WHITE and RED, as the STIX 2.1 specification defines them.
    expect(markingTlp(['marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9'])).toBe('clear')
    expect(
      markingTlp([TLP2_MARKING_IDS.green, 'marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed']),
    ).toBe('red')
  })
})

describe("a TAXII source's list as a core publishes it", () => {
  let db: Database.Database
  let repo: TaxiiIndicatorsRepo
  beforeEach(() => {
    db = new Database(':memory:')
    migrate(db, migrations, ':memory:')
    repo = new TaxiiIndicatorsRepo(db)
  })
  afterEach(() => db.close())

  it('holds the unexpired indicators at or below the ceiling, once per value, ranges as cidr', () => {
    repo.put('isac', input(1, { tlp: 'green' }))
    repo.put('isac', input(2, { tlp: 'amber' }))
    repo.put('isac', input(3, { valid_until: '2026-12-10T00:00:00.000Z' }))
    repo.put('isac', input(4, { value: '198.51.100.0/24' }))
    // The same value under another STIX id: one entry.
    repo.put('isac', input(5, { value: '203.0.113.1' }))
    repo.put('other', input(6, {}))
    const values = (maxTlp: 'green' | 'amber', now: string) =>
      (
        (taxiiWatchlistBody(db, 'isac', maxTlp, Date.parse(now))?.indicators ?? []) as Array<{
          type: string
          value: string
        }>
      ).map((i) => `${i.type} ${i.value}`)
    expect(values('green', '2026-12-07T00:00:00Z')).toEqual([
      'cidr 198.51.100.0/24',
      'ip 203.0.113.1',
      'ip 203.0.113.3',
    ])
    expect(values('amber', '2026-12-07T00:00:00Z')).toContain('ip 203.0.113.2')
    expect(values('green', '2026-12-11T00:00:00Z')).not.toContain('ip 203.0.113.3')
    expect(taxiiWatchlistBody(db, 'isac', 'green')).toMatchObject({
      name: 'taxii/isac',
      version: '2026-12-05T00:00:00.000Z',
    })
    expect(taxiiWatchlistBody(db, 'nothing', 'red')).toBeUndefined()
  })

  it('makes a new version only when what is shared changed, and a removal when nothing is left', () => {
    const records = new RecordStore(db)
    const published: string[] = []
    let version = 0
    const sync = {
      records,
      publishLocal: (kind: SyncKind, id: string) => {
        version++
        const body = taxiiWatchlistBody(db, id.slice('taxii/'.length), 'green')
        records.apply(
          {
            kind,
            id,
            version,
            updated_at: new Date().toISOString(),
            origin: 'core',
            deleted: body === undefined,
            body: body ?? {},
          },
          `core:${kind}:${id}:${version}`,
        )
        published.push(`${version}:${body === undefined ? 'removed' : 'list'}`)
      },
    }
    expect(publishTaxiiList(db, sync, 'isac', 'green')).toBe(false)
    repo.put('isac', input(1, {}))
    expect(publishTaxiiList(db, sync, 'isac', 'green')).toBe(true)
    expect(publishTaxiiList(db, sync, 'isac', 'green')).toBe(false)
    // Above the ceiling: nothing new to share.
    repo.put('isac', input(2, { tlp: 'red' }))
    expect(publishTaxiiList(db, sync, 'isac', 'green')).toBe(false)
    repo.remove('isac', 'indicator--1')
    expect(publishTaxiiList(db, sync, 'isac', 'green')).toBe(true)
    expect(publishTaxiiList(db, sync, 'isac', 'green')).toBe(false)
    expect(published).toEqual(['1:list', '2:removed'])
  })
})

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { afterEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../host/log'
import { normalizeJson } from '../ingest/normalize'
import { EventsRepo } from '../store/sqlite/events-repo'
import { migrate } from '../store/sqlite/migrate'
import { migrations } from '../store/sqlite/migrations'
import { RulesRepo } from '../store/sqlite/rules-repo'
import { ASSETS_CURSOR, AssetIndexer, EVENTS_PER_ASSET, type AssetCounts } from './indexer'

const dirs: string[] = []
const dbs: Database.Database[] = []
afterEach(() => {
  for (const db of dbs.splice(0)) if (db.open) db.close()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

/** A database file in a temp dir (reopened to simulate a restart). */
const tempFile = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-assets-'))
  dirs.push(dir)
  return join(dir, 'outpost.sqlite')
}

const open = (file: string) => {
  const db = new Database(file)
  db.pragma('journal_mode = WAL')
  migrate(db, migrations, file)
  dbs.push(db)
  return { db, events: new EventsRepo(db), rules: new RulesRepo(db) }
}

const indexer = (db: Database.Database, rules: RulesRepo, changed?: (c: AssetCounts) => void) =>
  new AssetIndexer({ db, rules, aliases: [], log: silentLogger, ...(changed ? { changed } : {}) })

const T0 = Date.UTC(2026, 10, 20, 10, 0, 0)
const sysmon = (host: string, image: string, ms: number, user = 'CORP\\bob') =>
  normalizeJson(
    {
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      EventID: 1,
      Computer: host,
      '@timestamp': new Date(T0 + ms).toISOString(),
      Image: image,
      ParentImage: 'C:\\Windows\\explorer.exe',
      User: user,
    },
    { listener: 'http', source: '127.0.0.1', receivedAt: T0 },
  )

type AssetRow = {
  kind: string
  key: string
  value: string
  first_seen: number
  last_seen: number
  events: number
}
const assets = (db: Database.Database): AssetRow[] =>
  db
    .prepare('SELECT kind, key, value, first_seen, last_seen, events FROM assets ORDER BY kind, key')
    .all() as AssetRow[]
const asset = (db: Database.Database, kind: string, key: string): AssetRow | undefined =>
  assets(db).find((a) => a.kind === kind && a.key === key)
const links = (db: Database.Database) =>
  db
    .prepare(
      `SELECT x.kind || ':' || x.key AS a, y.kind || ':' || y.key AS b, l.relation, l.events
       FROM asset_links l JOIN assets x ON x.id = l.a JOIN assets y ON y.id = l.b ORDER BY a, b, relation`,
    )
    .all() as Array<{ a: string; b: string; relation: string; events: number }>

describe('asset indexer', () => {
  it('counts events per asset and link, with first and last seen in event time', async () => {
    const { db, events, rules } = open(tempFile())
    events.insertBatch([
      sysmon('WS1', 'C:\\Windows\\System32\\whoami.exe', 5000),
      sysmon('ws1', 'C:\\Windows\\System32\\WHOAMI.EXE', 1000),
      sysmon('WS1', 'C:\\Windows\\System32\\cmd.exe', 9000, 'CORP\\alice'),
    ])
    const pushed: AssetCounts[] = []
    const idx = indexer(db, rules, (counts) => pushed.push(counts))
    idx.kick()
    await idx.idle()
    expect(asset(db, 'host', 'ws1')).toEqual({
      kind: 'host',
      key: 'ws1',
      value: 'WS1',
      first_seen: T0 + 1000,
      last_seen: T0 + 9000,
      events: 3,
    })
    expect(asset(db, 'process', 'c:\\windows\\system32\\whoami.exe')).toMatchObject({
      value: 'C:\\Windows\\System32\\whoami.exe',
      first_seen: T0 + 1000,
      last_seen: T0 + 5000,
      events: 2,
    })
    expect(asset(db, 'user', 'corp\\bob')?.events).toBe(2)
    expect(asset(db, 'process', 'c:\\windows\\explorer.exe')?.events).toBe(3)
    expect(links(db)).toContainEqual({
      a: 'process:c:\\windows\\explorer.exe',
      b: 'process:c:\\windows\\system32\\whoami.exe',
      relation: 'spawned',
      events: 2,
    })
    expect(links(db)).toContainEqual({ a: 'host:ws1', b: 'user:corp\\alice', relation: 'logon', events: 1 })
    expect(rules.cursor(ASSETS_CURSOR)).toBe(3)
    expect(pushed).toEqual([{ assets: 6, links: 9 }])
    await idx.stop()
  })

  it('counts rows offered live once, and reads back what it was not handed', async () => {
    const { db, events, rules } = open(tempFile())
    const idx = indexer(db, rules)
    // Stored before the indexer was told: read from the store.
    events.insertBatch([sysmon('ws1', 'C:\\a.exe', 0)])
    const { committed } = events.commit([{ events: [sysmon('ws1', 'C:\\b.exe', 1)], key: null }])
    idx.offer(committed)
    idx.offer(committed) // a repeat is behind the cursor: not counted again
    await idx.idle()
    idx.kick()
    await idx.idle()
    expect(asset(db, 'host', 'ws1')?.events).toBe(2)
    expect(rules.cursor(ASSETS_CURSOR)).toBe(2)
    await idx.stop()
  })

  it('resumes from its cursor after a restart without counting twice', async () => {
    const file = tempFile()
    const first = open(file)
    first.events.insertBatch([sysmon('ws1', 'C:\\a.exe', 0), sysmon('ws1', 'C:\\a.exe', 1)])
    const before = indexer(first.db, first.rules)
    before.kick()
    await before.stop()
    // Stored while the indexer was off, then Outpost restarts.
    first.events.insertBatch([sysmon('ws1', 'C:\\a.exe', 2)])
    first.db.close()
    const second = open(file)
    const after = indexer(second.db, second.rules)
    after.kick()
    await after.idle()
    expect(asset(second.db, 'host', 'ws1')?.events).toBe(3)
    expect(asset(second.db, 'process', 'c:\\a.exe')).toMatchObject({ first_seen: T0, last_seen: T0 + 2 })
    // Kicked again with nothing new: nothing changes.
    after.kick()
    await after.idle()
    expect(asset(second.db, 'host', 'ws1')?.events).toBe(3)
    await after.stop()
  })

  it('counts nothing twice after a crash between counting and flushing', async () => {
    const file = tempFile()
    const first = open(file)
    const crashed = indexer(first.db, first.rules)
    crashed.offer(first.events.commit([{ events: [sysmon('ws1', 'C:\\a.exe', 0)], key: null }]).committed)
    while (crashed.queued > 0) await new Promise((resolve) => setImmediate(resolve))
    // Counted in memory, the flush timer not yet due: the process dies here.
    expect(assets(first.db)).toEqual([])
    first.db.close()
    const second = open(file)
    second.events.insertBatch([sysmon('ws1', 'C:\\a.exe', 1)])
    const after = indexer(second.db, second.rules)
    after.kick()
    await after.idle()
    expect(asset(second.db, 'host', 'ws1')?.events).toBe(2)
    await after.stop()
  })

  it('pushes assets:changed at most about twice a second', async () => {
    const { db, events, rules } = open(tempFile())
    const pushed: AssetCounts[] = []
    const idx = indexer(db, rules, (counts) => pushed.push(counts))
    for (let i = 0; i < 5; i++) {
      idx.offer(events.commit([{ events: [sysmon(`ws${i}`, 'C:\\a.exe', i)], key: null }]).committed)
      await idx.idle() // a flush each time
    }
    expect(pushed).toEqual([{ assets: 4, links: 5 }])
    await new Promise((resolve) => setTimeout(resolve, 600))
    // The rest in one push once the half second is over.
    expect(pushed).toEqual([
      { assets: 4, links: 5 },
      { assets: 8, links: 17 },
    ])
    await idx.stop()
  })

  it('flushes atomically: a failed flush writes nothing and the events are counted on the next run', async () => {
    const { db, events, rules } = open(tempFile())
    events.insertBatch([sysmon('ws1', 'C:\\a.exe', 0), sysmon('ws2', 'C:\\b.exe', 1)])
    // The cursor write (last in the transaction) fails, as a crash mid-flush would leave it.
    db.exec(`CREATE TRIGGER fail_cursor BEFORE INSERT ON detect_cursor WHEN NEW.name = 'assets'
             BEGIN SELECT RAISE(ABORT, 'disk gone'); END`)
    const failing = indexer(db, rules)
    failing.kick()
    await failing.stop()
    expect(assets(db)).toEqual([])
    expect(links(db)).toEqual([])
    expect((db.prepare('SELECT count(*) AS n FROM asset_events').get() as { n: number }).n).toBe(0)
    expect(rules.cursor(ASSETS_CURSOR)).toBe(0)
    db.exec('DROP TRIGGER fail_cursor')
    const retry = indexer(db, rules)
    retry.kick()
    await retry.idle()
    expect(asset(db, 'host', 'ws1')?.events).toBe(1)
    expect(asset(db, 'host', 'ws2')?.events).toBe(1)
    await retry.stop()
  })

  it('a flush failing on its timer loses nothing: the next run re-reads from the stored cursor', async () => {
    const { db, events, rules } = open(tempFile())
    const setCursor = rules.setCursor.bind(rules)
    let failures = 1
    rules.setCursor = (name, seq) => {
      if (name === ASSETS_CURSOR && failures-- > 0) throw new Error('disk gone')
      setCursor(name, seq)
    }
    const idx = indexer(db, rules)
    idx.offer(events.commit([{ events: [sysmon('ws1', 'C:\\a.exe', 0)], key: null }]).committed)
    while (idx.queued > 0) await new Promise((resolve) => setImmediate(resolve))
    await new Promise((resolve) => setTimeout(resolve, 600)) // the timer's flush fails
    expect(assets(db)).toEqual([])
    idx.offer(events.commit([{ events: [sysmon('ws1', 'C:\\a.exe', 1)], key: null }]).committed)
    await idx.idle()
    expect(asset(db, 'host', 'ws1')?.events).toBe(2)
    expect(rules.cursor(ASSETS_CURSOR)).toBe(2)
    await idx.stop()
  })

  it(`keeps the newest ${EVENTS_PER_ASSET} event seqs per asset`, async () => {
    const { db, events, rules } = open(tempFile())
    const idx = indexer(db, rules)
    // Several flushes (one per offer) and one big one.
    for (let round = 0; round < 3; round++) {
      const batch = Array.from({ length: 30 }, (_, i) => sysmon('ws1', `C:\\p${round}.exe`, round * 100 + i))
      idx.offer(events.commit([{ events: batch, key: null }]).committed)
      await idx.idle()
    }
    events.insertBatch(Array.from({ length: 120 }, (_, i) => sysmon('ws1', 'C:\\q.exe', 1000 + i)))
    idx.kick()
    await idx.idle()
    const seqsOf = (key: string) =>
      (
        db
          .prepare(
            `SELECT e.seq FROM asset_events e JOIN assets a ON a.id = e.asset WHERE a.key = @key ORDER BY e.seq`,
          )
          .all({ key }) as Array<{ seq: number }>
      ).map((r) => r.seq)
    expect(seqsOf('ws1')).toEqual(
      Array.from({ length: EVENTS_PER_ASSET }, (_, i) => 211 - EVENTS_PER_ASSET + i),
    )
    expect(seqsOf('c:\\p0.exe')).toEqual(Array.from({ length: 30 }, (_, i) => i + 1))
    expect(asset(db, 'host', 'ws1')?.events).toBe(210)
    await idx.stop()
  })
})

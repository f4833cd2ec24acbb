import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DuckArchive } from '../store/duckdb/archive'
import { EventsRepo, type NewEvent } from '../store/sqlite/events-repo'
import { SqliteStore } from '../store/sqlite/sqlite-store'
import { Archiver, readWatermark } from './archiver'
import { enforceArchiveRetention, enforceRetention, fileBytes, usedBytes } from './retention'

const dirs: string[] = []
const closers: Array<() => unknown> = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const DAY = 86_400_000
const NOW = Date.parse('2026-11-22T12:00:00Z')

const open = async (dir: string) => {
  const sqlite = SqliteStore.open(join(dir, 'outpost.sqlite'), { synchronous: 'normal' })
  const archive = await DuckArchive.open(join(dir, 'archive.duckdb'))
  closers.push(
    () => sqlite.close(),
    () => archive.close(),
  )
  return { sqlite, archive, events: new EventsRepo(sqlite.db) }
}

const event = (i: number, ts: number, fields: Record<string, unknown> = {}): NewEvent => ({
  id: `e-${i}`,
  ts,
  received_at: ts,
  listener: 'http',
  source: '127.0.0.1',
  host: null,
  severity: null,
  message: `event ${i}`,
  fields: JSON.stringify({ i, ...fields }),
})

const count = async (archive: DuckArchive): Promise<[number, number]> => {
  const row = (
    await archive.connection.runAndReadAll('SELECT count(*) AS n, count(DISTINCT seq) AS d FROM events')
  ).getRowObjectsJS()[0]
  return [Number(row?.n), Number(row?.d)]
}

describe('Archiver', () => {
  it('copies events in seq order in batches and extracts hot columns', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-archiver-'))
    dirs.push(dir)
    const { sqlite, archive, events } = await open(dir)
    events.insertBatch(
      Array.from({ length: 25 }, (_, i) =>
        event(i, NOW + i, {
          winlog: {
            channel: 'Security',
            event_id: 4624,
            event_data: { TargetUserName: 'bob', IpAddress: '10.1.1.1' },
          },
          host: { name: 'dc01' },
        }),
      ),
    )
    const archiver = await Archiver.open(sqlite.db, archive, { batchSize: 10 })
    closers.push(() => archiver.stop())
    await archiver.drain()
    expect(archiver.watermark).toBe(25)
    expect(await count(archive)).toEqual([25, 25])
    const row = (
      await archive.connection.runAndReadAll(
        'SELECT kind, event_code, channel, user_name, src_ip FROM events WHERE seq = 1',
      )
    ).getRowObjectsJS()[0]
    expect(row).toEqual({
      kind: 'logon',
      event_code: '4624',
      channel: 'Security',
      user_name: 'bob',
      src_ip: '10.1.1.1',
    })
  })

  it('joins auditd SYSCALL and EXECVE records into a process event, as rules see them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-archiver-'))
    dirs.push(dir)
    const { sqlite, archive, events } = await open(dir)
    events.insertBatch([
      event(1, NOW, {
        message:
          'type=SYSCALL msg=audit(1604996384.965:93777): arch=c000003e syscall=59 success=yes exit=0 ppid=1 pid=42 uid=0 exe="/usr/bin/curl"',
      }),
      event(2, NOW, {
        message: 'type=EXECVE msg=audit(1604996384.965:93777): argc=2 a0="curl" a1="http://x"',
      }),
    ])
    const archiver = await Archiver.open(sqlite.db, archive)
    closers.push(() => archiver.stop())
    await archiver.drain()
    const rows = (
      await archive.connection.runAndReadAll('SELECT kind, process, command_line FROM events ORDER BY seq')
    ).getRowObjectsJS()
    expect(rows[1]).toEqual({ kind: 'process', process: '/usr/bin/curl', command_line: 'curl http://x' })
  })

  it('resumes exactly after its watermark: a batch that never committed is redone, none twice', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-archiver-'))
    dirs.push(dir)
    const { sqlite, archive, events } = await open(dir)
    events.insertBatch(Array.from({ length: 30 }, (_, i) => event(i, NOW + i)))
    const first = await Archiver.open(sqlite.db, archive, { batchSize: 20 })
    await first.drain()
    await first.stop()
    expect(await count(archive)).toEqual([30, 30])

    // A crash in the middle of a batch: rows appended, the transaction never committed.
    events.insertBatch(Array.from({ length: 10 }, (_, i) => event(100 + i, NOW + 100 + i)))
    const writer = await archive.connect()
    await writer.run('BEGIN TRANSACTION')
    await writer.run(
      "INSERT INTO events (seq, id, ts, received_at, listener, fields) VALUES (31, 'e-100', now(), now(), 'http', '{}')",
    )
    writer.closeSync() // without COMMIT: rolled back, as a crash would
    expect(await readWatermark(archive.connection)).toBe(30)

    const second = await Archiver.open(sqlite.db, archive, { batchSize: 20 })
    closers.push(() => second.stop())
    expect(second.watermark).toBe(30)
    second.kick()
    await new Promise((r) => setTimeout(r, 400))
    await second.drain()
    expect(second.watermark).toBe(40)
    expect(await count(archive)).toEqual([40, 40])
    expect(second.sqliteNewest()).toBe(40)
  })

  it('keeps a row whose stored JSON is broken instead of stalling on it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-archiver-'))
    dirs.push(dir)
    const { sqlite, archive, events } = await open(dir)
    events.insertBatch([event(1, NOW), { ...event(2, NOW), fields: '{not json' }, event(3, NOW)])
    const archiver = await Archiver.open(sqlite.db, archive)
    closers.push(() => archiver.stop())
    await archiver.drain()
    expect(archiver.error).toBeNull()
    expect(archiver.watermark).toBe(3)
    const row = (
      await archive.connection.runAndReadAll(
        "SELECT json_extract_string(fields, '$._raw') AS raw FROM events WHERE seq = 2",
      )
    ).getRowObjectsJS()[0]
    expect(row).toEqual({ raw: '{not json' })
  })
})

describe('retention', () => {
  it('deletes from SQLite only archived events past the hot window, and ages out the archive', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-retention-'))
    dirs.push(dir)
    const { sqlite, archive, events } = await open(dir)
    // Ten old events (20 days), ten recent; only the first six old ones are archived.
    events.insertBatch(Array.from({ length: 6 }, (_, i) => event(i, NOW - 20 * DAY + i)))
    const first = await Archiver.open(sqlite.db, archive)
    await first.drain()
    await first.stop()
    events.insertBatch(Array.from({ length: 4 }, (_, i) => event(6 + i, NOW - 20 * DAY + 6 + i)))
    events.insertBatch(Array.from({ length: 10 }, (_, i) => event(10 + i, NOW - DAY + i)))
    const settings = { hotDays: 7, archiveMaxAgeDays: 0, archiveMaxBytes: 0 }
    const deps = { events, duck: archive.connection, duckFile: join(dir, 'archive.duckdb'), now: NOW }
    const watermark = await readWatermark(archive.connection)
    expect(watermark).toBe(6)
    const run = await enforceRetention(settings, { ...deps, safeSeq: () => watermark })
    expect(run).toEqual({ sqliteDeleted: 6, archiveDeleted: 0 })
    expect(events.count()).toBe(14)
    const left = sqlite.db.prepare('SELECT min(seq) AS s FROM events').get() as { s: number }
    expect(left.s).toBe(7)

    const reopened = await Archiver.open(sqlite.db, archive)
    await reopened.drain()
    await reopened.stop()
    const all = await enforceRetention(
      { hotDays: 7, archiveMaxAgeDays: 10, archiveMaxBytes: 0 },
      { ...deps, safeSeq: () => 20 },
    )
    expect(all).toEqual({ sqliteDeleted: 4, archiveDeleted: 10 })
    expect(events.count()).toBe(10)
    expect(await count(archive)).toEqual([10, 10])
  })
})

const ROW_GROUP = 122_880

describe('archive size limit', () => {
  it('keeps the blocks DuckDB uses under archive.max_bytes, deleting only the oldest share needed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'outpost-max-bytes-'))
    dirs.push(dir)
    const path = join(dir, 'archive.duckdb')
    const archive = await DuckArchive.open(path)
    closers.push(() => archive.close())
    const c = archive.connection
    let next = 0
    const add = async (n: number): Promise<void> => {
      await c.run(
        `INSERT INTO events SELECT i, 'id' || i, make_timestamptz((${NOW} + i * 1000)::BIGINT * 1000), now(), 'http',
           's', 'h' || (i % 50), NULL, 'message ' || i || ' ' || md5(i::VARCHAR),
           json_object('i', i, 'x', md5((i * 7)::VARCHAR)), NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
         FROM range(${next}, ${next + n}) t(i)`,
      )
      await c.run('CHECKPOINT')
      next += n
    }
    const limit = 16 * 1024 * 1024
    const settings = { archiveMaxAgeDays: 0, archiveMaxBytes: limit }
    let deletedAll = 0
    const sizes: number[] = []
    for (let round = 0; round < 14; round++) {
      await add(60_000)
      const before = await usedBytes(c, path)
      const deleted = await enforceArchiveRetention(settings, { duck: c, duckFile: path })
      deletedAll += deleted
      const after = await usedBytes(c, path)
      sizes.push(await fileBytes(path))
      if (before <= limit) expect(deleted).toBe(0)
      else {
        expect(after).toBeLessThanOrEqual(limit)
        // Only about the share over the limit goes: DuckDB frees space by whole row groups
        // (122,880 rows), so up to one more row group may go than the share says.
        const rows = next - deletedAll + deleted
        expect(deleted).toBeLessThan(((before - limit) / before + 0.05) * rows + ROW_GROUP)
      }
    }
    expect(deletedAll).toBeGreaterThan(0)
    // The oldest went: what is left is one run of seqs up to the newest.
    const row = (
      await c.runAndReadAll('SELECT min(seq) AS lo, max(seq) AS hi, count(*) AS n FROM events')
    ).getRowObjectsJS()[0]
    expect(Number(row?.hi)).toBe(next - 1)
    expect(Number(row?.n)).toBe(Number(row?.hi) - Number(row?.lo) + 1)
    // Freed blocks are reused: 840,000 rows went in (nearly three times the limit) and the file
    // stays within twice the limit (free blocks being reused, and what a checkpoint rewrites).
    expect(next).toBe(840_000)
    expect(Math.max(...sizes)).toBeLessThan(2 * limit)
  }, 90_000)
})

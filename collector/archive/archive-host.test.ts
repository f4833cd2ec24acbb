import { existsSync, mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Worker } from 'node:worker_threads'
import { afterEach, describe, expect, it } from 'vitest'
import { ContractError } from '../contract'
import { StartupError } from '../host/errors'
import { DuckArchive } from '../store/duckdb/archive'
import { EventsRepo, type NewEvent } from '../store/sqlite/events-repo'
import { SqliteStore } from '../store/sqlite/sqlite-store'
import { ArchiveHost } from './archive-host'
import type { ExportProgress } from './worker-protocol'

const dirs: string[] = []
const closers: Array<() => unknown> = []
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const NOW = Date.parse('2026-12-07T12:00:00Z')

const event = (i: number): NewEvent => ({
  id: `e-${i}`,
  ts: NOW + i,
  received_at: NOW + i,
  listener: 'http',
  source: '127.0.0.1',
  host: `ws-${i % 7}`,
  severity: null,
  message: `event ${i}`,
  fields: JSON.stringify({ i, Channel: 'Security', EventID: 4624 + (i % 3), TargetUserName: `user${i % 5}` }),
})

const setup = async (options: { batchSize?: number; progress?: ExportProgress[] } = {}) => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-archive-host-'))
  dirs.push(dir)
  const sqlite = SqliteStore.open(join(dir, 'outpost.sqlite'), { synchronous: 'normal' })
  closers.push(() => sqlite.close())
  const events = new EventsRepo(sqlite.db)
  const data = {
    duckdbPath: join(dir, 'archive.duckdb'),
    sqlitePath: join(dir, 'outpost.sqlite'),
    aliases: [],
    batchSize: options.batchSize,
  }
  const host = await ArchiveHost.start(data, {
    restartMs: 300,
    ...(options.progress ? { exportProgress: (p: ExportProgress) => options.progress?.push(p) } : {}),
  })
  closers.push(() => host.stop())
  return { dir, sqlite, events, host, data }
}

const until = async (what: string, ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> => {
  const deadline = Date.now() + ms
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}

describe('ArchiveHost (DuckDB on its own thread)', () => {
  it('archives what SQLite commits, reports the watermark, and answers calls across the thread', async () => {
    const { events, host } = await setup({ batchSize: 40 })
    events.insertBatch(Array.from({ length: 100 }, (_, i) => event(i)))
    host.kick()
    await until('all 100 are archived', () => host.watermark === 100)
    expect(host.error).toBeNull()
    const [row] = await host.archive.query(
      'SELECT count(*) AS n, count(DISTINCT seq) AS d, max(user_name) AS u FROM events',
      [],
    )
    // bigints come back as numbers; hot columns were extracted on the worker.
    expect(row).toEqual({ n: 100, d: 100, u: 'user4' })
    const found = await host.hunt.search({ query: 'host:ws-3', limit: 5, offset: 0 })
    expect(found.total).toBe(14)
    expect(found.rows.every((e) => e.host === 'ws-3')).toBe(true)
    const history = await host.archive.history(10, 100, 3)
    expect(history.map((e) => e.seq)).toEqual([11, 12, 13])
  })

  it('keeps a ContractError and its code across the thread', async () => {
    const { host } = await setup()
    const error = await host.hunt.search({ query: 'host:(', limit: 5, offset: 0 }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ContractError)
    expect((error as ContractError).code).toBe('invalid_request')
    expect((error as ContractError).message).toMatch(/position|expected/)
  })

  it('restarts a worker that died: calls in flight fail unavailable, archiving resumes after the watermark', async () => {
    const { events, host } = await setup({ batchSize: 25 })
    events.insertBatch(Array.from({ length: 50 }, (_, i) => event(i)))
    host.kick()
    await until('the first 50 are archived', () => host.watermark === 50)
    // The thread dies (idle: a thread killed inside DuckDB's work takes the process with it, which
    // is why the worker reports its own errors rather than dying of them).
    await (host as unknown as { worker: Worker }).worker.terminate()
    expect(host.error).toMatch(/archive worker exited/)
    const error = await host.archive.query('SELECT 1', []).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ContractError)
    expect((error as ContractError).code).toBe('unavailable')
    expect((error as ContractError).message).toMatch(/being restarted/)
    events.insertBatch(Array.from({ length: 50 }, (_, i) => event(50 + i)))
    await until('the new worker archives the rest', () => {
      host.kick()
      return host.error === null && host.watermark === 100
    })
    const [row] = await host.archive.query('SELECT count(*) AS n, count(DISTINCT seq) AS d FROM events', [])
    expect(row).toEqual({ n: 100, d: 100 })
  })

  it('stops cleanly while a query runs: the query is interrupted and the process lives on', async () => {
    const { host } = await setup()
    const running = host.hunt
      .sql({
        sql: 'SELECT count(*) FROM range(100000000) a, range(100) b',
        limit: 10,
        timeout_ms: 60_000,
      })
      .catch((e: unknown) => e)
    await new Promise((resolve) => setTimeout(resolve, 300))
    await host.stop()
    const error = await running
    expect(error).toBeInstanceOf(Error)
    await expect(host.hunt.stats()).rejects.toThrow(/archive is stopping/)
  })

  it('refuses to start on an archive from a newer Outpost, with the reason', async () => {
    const { data } = await setup()
    const dir = mkdtempSync(join(tmpdir(), 'outpost-archive-newer-'))
    dirs.push(dir)
    const path = join(dir, 'archive.duckdb')
    const archive = await DuckArchive.open(path)
    await archive.connection.run("INSERT INTO schema_migrations VALUES (99, 'future', now())")
    archive.close()
    const started = ArchiveHost.start({ ...data, duckdbPath: path })
    await expect(started).rejects.toBeInstanceOf(StartupError)
    await expect(started).rejects.toThrow(/schema version 99, newer than this Outpost knows/)
  })

  it('reports export progress', async () => {
    const progress: ExportProgress[] = []
    const { dir, events, host } = await setup({ progress })
    for (let b = 0; b < 4; b++)
      events.insertBatch(Array.from({ length: 5000 }, (_, i) => event(b * 5000 + i)))
    host.kick()
    await until('20,000 are archived', () => host.watermark === 20_000, 30_000)
    const out = join(dir, 'all.parquet')
    const done = await host.hunt.export({ query: '', format: 'parquet', path: out, export_id: 'x1' } as never)
    expect(done.rows).toBe(20_000)
    const phases = progress.filter((p) => p.export_id === 'x1').map((p) => p.phase)
    expect(phases).toContain('writing')
    expect(phases.at(-1)).toBe('done')
    expect(progress.find((p) => p.phase === 'done')).toMatchObject({ percentage: 100, rows: 20_000 })
  })

  it('cancels an export while it runs, leaving no partial file', async () => {
    const progress: ExportProgress[] = []
    const { dir, events, host } = await setup({ progress })
    // Enough rows that the export takes far longer than one poll of the cancel below.
    for (let b = 0; b < 20; b++)
      events.insertBatch(Array.from({ length: 5000 }, (_, i) => event(b * 5000 + i)))
    host.kick()
    await until('100,000 are archived', () => host.watermark === 100_000, 60_000)
    const slow = join(dir, 'slow.csv')
    const exporting = host.hunt
      .export({ query: '', format: 'csv', path: slow, export_id: 'x2' } as never)
      .catch((e: unknown) => e)
    await until('the export is running', async () => (await host.hunt.cancel('x2')) || false)
    const error = await exporting
    expect(error).toBeInstanceOf(ContractError)
    expect((error as ContractError).message).toMatch(/export x2 was cancelled/)
    expect(existsSync(slow)).toBe(false)
    expect(progress.filter((p) => p.export_id === 'x2').at(-1)?.phase).toBe('failed')
  })
})

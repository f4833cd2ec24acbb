import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { DuckDBInstance } from '@duckdb/node-api'
import { afterEach, describe, expect, it } from 'vitest'
import type { CallRes } from '../contract'
import { createCore, type Core } from '../host/create-core'
import { callOk } from '../host/test-core'

const dirs: string[] = []
const cores: Core[] = []
const freshDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-hunt-'))
  dirs.push(dir)
  return dir
}
const start = async (dataDir: string): Promise<Core> => {
  const core = await createCore({ dataDir, ephemeralPorts: true })
  cores.push(core)
  return core
}
afterEach(async () => {
  await Promise.all(cores.splice(0).map((c) => c.stop()))
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const post = async (core: Core, events: unknown[]): Promise<void> => {
  const response = await fetch(`http://127.0.0.1:${core.listeners.http!.port}/v1/events`, {
    method: 'POST',
    body: JSON.stringify(events),
  })
  expect(response.status).toBe(200)
}

/** Waits until the archive holds every stored event. */
const archived = async (core: Core, events: number): Promise<CallRes<'archive:status'>> => {
  for (let i = 0; i < 200; i++) {
    const status = await callOk<CallRes<'archive:status'>>(core, 'archive:status', {})
    if (status.lag === 0 && status.events >= events) return status
    await new Promise((r) => setTimeout(r, 25))
  }
  throw new Error(`the archive did not reach ${events} events`)
}

const sysmon = (i: number, host: string, image: string, commandLine: string) => ({
  Channel: 'Microsoft-Windows-Sysmon/Operational',
  EventID: 1,
  Computer: host,
  '@timestamp': new Date(Date.UTC(2026, 10, 21, 9, 0, i)).toISOString(),
  Image: image,
  CommandLine: commandLine,
  User: i % 2 ? 'CORP\\alice' : 'CORP\\bob',
  message: `process ${image} started`,
})

const seed = (): unknown[] => [
  sysmon(1, 'ws01', 'C:\\Windows\\System32\\cmd.exe', 'cmd.exe /c whoami'),
  sysmon(
    2,
    'ws01',
    'C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe',
    'powershell -enc SQBFAFgA',
  ),
  sysmon(3, 'ws02', 'C:\\Windows\\System32\\whoami.exe', 'whoami /all'),
  {
    Channel: 'Security',
    EventID: 4625,
    Computer: 'dc01',
    TargetUserName: 'administrator',
    IpAddress: '10.0.0.66',
    '@timestamp': '2026-11-21T09:00:10Z',
    message: 'An account failed to log on',
  },
  {
    '@timestamp': '2026-11-21T09:00:20Z',
    host: 'fw01',
    source: { ip: '10.0.0.5' },
    destination: { ip: '8.8.8.8', port: 53 },
    message: 'allowed udp',
  },
]

describe('hunting over the archive, through the core', () => {
  it('archives events with hot columns and answers searches, histograms and field summaries', async () => {
    const core = await start(freshDir())
    await post(core, seed())
    const status = await archived(core, 5)
    expect(status).toMatchObject({ events: 5, watermark_seq: 5, sqlite_newest_seq: 5, lag: 0, error: null })
    expect(status.duckdb_bytes).toBeGreaterThan(0)
    expect(status.duckdb_used_bytes).toBeGreaterThan(0)
    expect(status.duckdb_used_bytes).toBeLessThanOrEqual(status.duckdb_bytes)

    const all = await callOk<CallRes<'hunt:search'>>(core, 'hunt:search', {})
    expect(all.total).toBe(5)
    expect(all.rows[0]).toMatchObject({ host: 'fw01', dst_ip: '8.8.8.8', dst_port: 53, src_ip: '10.0.0.5' })
    const logon = all.rows.find((r) => r.host === 'dc01')
    expect(logon).toMatchObject({
      kind: 'logon',
      event_code: '4625',
      user: 'administrator',
      channel: 'Security',
    })

    const search = async (query: string): Promise<string[]> =>
      (await callOk<CallRes<'hunt:search'>>(core, 'hunt:search', { query })).rows.map(
        (r) => r.command_line ?? r.host ?? '',
      )
    expect(await search('Image:*\\powershell.exe')).toEqual(['powershell -enc SQBFAFgA'])
    expect(await search('host:WS01 AND NOT user:*alice')).toEqual(['powershell -enc SQBFAFgA'])
    expect(await search('host:(ws01 OR ws02) AND CommandLine:*whoami*')).toEqual([
      'whoami /all',
      'cmd.exe /c whoami',
    ])
    expect(await search('EventID:>=4000')).toEqual(['dc01'])
    expect(await search('dst_port:[1 TO 100]')).toEqual(['fw01'])
    expect(await search('destination.port:53')).toEqual(['fw01'])
    expect(await search('_exists_:TargetUserName')).toEqual(['dc01'])
    expect(await search('"failed to log on"')).toEqual(['dc01'])
    expect(await search('SQBFAFgA')).toEqual(['powershell -enc SQBFAFgA'])
    expect(await search('kind:process')).toHaveLength(3)

    const page = await callOk<CallRes<'hunt:search'>>(core, 'hunt:search', { limit: 2, offset: 2 })
    expect(page).toMatchObject({ total: 5 })
    expect(page.rows).toHaveLength(2)

    const histogram = await callOk<CallRes<'hunt:histogram'>>(core, 'hunt:histogram', {
      query: 'kind:process',
      from: '2026-11-21T09:00:00Z',
      to: '2026-11-21T09:01:00Z',
      buckets: 6,
    })
    expect(histogram.interval_ms).toBe(10_000)
    expect(histogram.points.map((p) => p.count)).toEqual([3, 0, 0, 0, 0, 0])

    const fields = await callOk<CallRes<'hunt:fields'>>(core, 'hunt:fields', { top: 3 })
    expect(fields.matched).toBe(5)
    const host = fields.fields.find((f) => f.name === 'host')
    expect(host).toMatchObject({ present: 5, distinct: 4 })
    expect(host?.top[0]).toEqual({ value: 'ws01', count: 2 })
    expect(fields.fields.some((f) => f.name === 'TargetUserName')).toBe(true)
    const only = await callOk<CallRes<'hunt:fields'>>(core, 'hunt:fields', { fields: ['TargetUserName'] })
    expect(only.fields).toEqual([
      {
        name: 'TargetUserName',
        present: 1,
        distinct: 1,
        top: [{ value: 'administrator', count: 1 }],
        sampled: false,
      },
    ])

    // The Hunt view asks for these together: they share one DuckDB connection.
    const together = await Promise.all([
      core.call('hunt:search', { query: 'kind:process' }),
      core.call('hunt:histogram', { query: 'kind:process' }),
      core.call('hunt:fields', { query: 'kind:process' }),
      core.call('dashboard:summary', {}),
      core.call('hunt:export', { query: 'kind:process', format: 'ndjson' }),
      core.call('hunt:search', { query: 'host:ws02' }),
    ])
    expect(together.map((r) => r.ok)).toEqual([true, true, true, true, true, true])

    const summary = await callOk<CallRes<'dashboard:summary'>>(core, 'dashboard:summary', {
      from: '2026-11-21T00:00:00Z',
      to: '2026-11-22T00:00:00Z',
      buckets: 24,
    })
    expect(summary.events).toBe(5)
    expect(summary.top_hosts[0]).toEqual({ key: 'ws01', count: 2 })
    expect(summary.by_listener[0]?.listener).toBe('http')
  })

  it('computes the dashboard figures as plain GROUP BYs give them (top lists with ties, severities, buckets)', async () => {
    const core = await start(freshDir())
    // 300 events over six hours: skewed hosts, users, processes and severities, some missing.
    const hosts = ['ws01', 'ws01', 'ws01', 'ws02', 'ws02', 'dc01', 'srv-a', 'srv-b']
    const events = Array.from({ length: 300 }, (_, i) => ({
      '@timestamp': new Date(Date.UTC(2026, 10, 21, 6, 0, 0) + i * 71_000).toISOString(),
      Channel: 'Microsoft-Windows-Sysmon/Operational',
      EventID: 1,
      ...(i % 13 === 0 ? {} : { Computer: hosts[(i * 7) % hosts.length] }),
      ...(i % 5 === 0 ? {} : { User: `CORP\\user${(i * i) % 7}` }),
      Image: `C:\\Tools\\tool${i % 4 === 0 ? 0 : i % 9}.exe`,
      ...(i % 3 === 0 ? { severity: ['low', 'high', 'critical'][i % 3 === 0 ? (i / 3) % 3 : 0] } : {}),
      message: `event ${i}`,
    }))
    await post(core, events)
    await archived(core, 300)
    const range = { from: '2026-11-21T06:00:00Z', to: '2026-11-21T12:00:00Z' }
    const summary = await callOk<CallRes<'dashboard:summary'>>(core, 'dashboard:summary', {
      ...range,
      buckets: 12,
      top: 3,
    })
    const sql = async (q: string): Promise<unknown[][]> =>
      (await callOk<CallRes<'hunt:sql'>>(core, 'hunt:sql', { sql: q, limit: 1000 })).rows
    const where = `ts >= '${range.from}'::TIMESTAMPTZ AND ts < '${range.to}'::TIMESTAMPTZ`
    expect(summary.events).toBe(300)
    for (const [column, got] of [
      ['host', summary.top_hosts],
      ['user_name', summary.top_users],
      ['process', summary.top_processes],
      ['source', summary.top_sources],
    ] as const) {
      const expected = await sql(
        `SELECT ${column}, count(*)::INTEGER FROM events WHERE ${where} AND ${column} IS NOT NULL GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 3`,
      )
      expect(
        got.map((t) => [t.key, t.count]),
        column,
      ).toEqual(expected)
    }
    const severities = await sql(
      `SELECT coalesce(severity, 'unknown'), count(*)::INTEGER FROM events WHERE ${where} GROUP BY 1 ORDER BY 1`,
    )
    expect(
      summary.by_severity
        .map((s) => [s.severity, s.points.reduce((a, p) => a + p.count, 0)])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual(severities)
    // The buckets add up to each hour's count.
    const hourly = await sql(
      `SELECT hour(ts)::INTEGER, count(*)::INTEGER FROM events WHERE ${where} GROUP BY 1 ORDER BY 1`,
    )
    const listener = summary.by_listener.find((l) => l.listener === 'http')!
    expect(summary.interval_ms).toBe(1_800_000)
    const perHour = hourly.map(([h]) => {
      const t0 = Date.UTC(2026, 10, 21, Number(h))
      return listener.points.filter((p) => p.t >= t0 && p.t < t0 + 3_600_000).reduce((a, p) => a + p.count, 0)
    })
    expect(perHour).toEqual(hourly.map(([, n]) => n))
  })

  it('names the position of a syntax error and rejects bad time bounds', async () => {
    const core = await start(freshDir())
    expect(await core.call('hunt:search', { query: 'host:ws01 AND user:' })).toEqual({
      ok: false,
      error: {
        code: 'invalid_request',
        message: 'hunt:search: query: position 19: expected a value after "user:"',
      },
    })
    expect(await core.call('hunt:histogram', { query: '(a OR b' })).toMatchObject({
      ok: false,
      error: {
        code: 'invalid_request',
        message: expect.stringContaining('position 7: expected ")"') as string,
      },
    })
    expect(await core.call('hunt:search', { from: 'yesterday' })).toMatchObject({
      ok: false,
      error: {
        code: 'invalid_request',
        message: expect.stringContaining('from: expected ISO-8601') as string,
      },
    })
  })

  it('runs read-only SQL with DuckDB errors, limits, a timeout and cancel', async () => {
    const core = await start(freshDir())
    await post(core, seed())
    await archived(core, 5)
    const result = await callOk<CallRes<'hunt:sql'>>(core, 'hunt:sql', {
      sql: 'SELECT host, count(*) AS n FROM events GROUP BY host ORDER BY n DESC, host',
      limit: 2,
    })
    expect(result.columns).toEqual([
      { name: 'host', type: 'VARCHAR' },
      { name: 'n', type: 'BIGINT' },
    ])
    expect(result.rows).toEqual([
      ['ws01', 2],
      ['dc01', 1],
    ])
    expect(result.truncated).toBe(true)

    expect(await core.call('hunt:sql', { sql: 'DELETE FROM events' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_request', message: expect.stringContaining('read-only') as string },
    })
    // Nothing outside the archive: no files through table functions or replacement scans, even
    // nested, and no environment. Read from DuckDB's parse tree, not the text.
    const secret = join(dirs[0] ?? tmpdir(), 'secret.csv')
    writeFileSync(secret, 'token\nhunter2\n')
    for (const [sql, why] of [
      [`SELECT * FROM read_csv('${secret}')`, /read_csv\(\) reads data from outside the archive/],
      [`SELECT * FROM '${secret}'`, /names a file, not a table/],
      [`SELECT (SELECT count(*) FROM read_text('${secret}')) AS n`, /read_text\(\)/],
      [`WITH x AS (SELECT * FROM glob('/etc/*')) SELECT * FROM x`, /glob\(\)/],
      [`SUMMARIZE SELECT * FROM read_parquet('${secret}')`, /read_parquet\(\)/],
      [`EXPLAIN SELECT * FROM read_json('${secret}')`, /read_json\(\)/],
      [`DESCRIBE SELECT * FROM "${secret}"`, /names a file/],
      ["SELECT getenv('HOME')", /getenv\(\)/],
    ] as const) {
      const refused = await core.call('hunt:sql', { sql })
      expect(refused.ok, sql).toBe(false)
      if (!refused.ok) {
        expect(refused.error.message, sql).toMatch(why)
        expect(refused.error.message).toMatch(/reads the archive only/)
        expect(refused.error.message).not.toMatch(/hunter2/)
      }
    }
    // What the console is for still runs: CTEs, generators, the catalog, DESCRIBE, EXPLAIN.
    for (const sql of [
      'WITH h AS (SELECT host, count(*) AS n FROM events GROUP BY host) SELECT * FROM h ORDER BY n DESC',
      'SELECT * FROM range(3)',
      "SELECT table_name FROM duckdb_tables() WHERE table_name = 'events'",
      'DESCRIBE events',
      'EXPLAIN SELECT count(*) FROM events',
      'SUMMARIZE events',
    ])
      expect((await core.call('hunt:sql', { sql })).ok, sql).toBe(true)
    expect(await core.call('hunt:sql', { sql: 'SELECT 1; SELECT 2' })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('exactly one statement') as string },
    })
    const missing = await core.call('hunt:sql', { sql: 'SELECT nope FROM events' })
    expect(missing).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    if (!missing.ok) expect(missing.error.message).toMatch(/hunt:sql: Binder Error: .*nope/)

    const runaway = 'SELECT count(*) FROM range(100000000) a, range(100000000) b'
    const started = Date.now()
    expect(await core.call('hunt:sql', { sql: runaway, timeout_ms: 300 })).toMatchObject({
      ok: false,
      error: { message: expect.stringContaining('300 ms timeout') as string },
    })
    expect(Date.now() - started).toBeLessThan(5000)

    const pending = core.call('hunt:sql', { sql: runaway, query_id: 'q-1' })
    await new Promise((r) => setTimeout(r, 200))
    expect(await callOk(core, 'hunt:cancel', { query_id: 'q-1' })).toEqual({ cancelled: true })
    expect(await pending).toMatchObject({
      ok: false,
      error: { message: 'hunt:sql: query q-1 was cancelled' },
    })
    expect(await callOk(core, 'hunt:cancel', { query_id: 'q-1' })).toEqual({ cancelled: false })
  })

  it('exports matches as CSV, NDJSON and Parquet', async () => {
    const core = await start(freshDir())
    await post(core, seed())
    await archived(core, 5)
    const csv = await callOk<CallRes<'hunt:export'>>(core, 'hunt:export', {
      query: 'kind:process',
      format: 'csv',
    })
    expect(csv).toMatchObject({ rows: 3, media_type: 'text/csv', path: null })
    const text = Buffer.from(csv.content_base64 ?? '', 'base64').toString()
    expect(text.split('\n')[0]).toMatch(/^seq,id,ts,/)
    const ndjson = await callOk<CallRes<'hunt:export'>>(core, 'hunt:export', {
      query: 'host:dc01',
      format: 'ndjson',
    })
    const line: Record<string, unknown> = JSON.parse(
      Buffer.from(ndjson.content_base64 ?? '', 'base64')
        .toString()
        .trim(),
    ) as Record<string, unknown>
    expect(line).toMatchObject({ host: 'dc01', event_code: '4625' })
    const dir = freshDir()
    const parquet = await callOk<CallRes<'hunt:export'>>(core, 'hunt:export', {
      format: 'parquet',
      path: join(dir, "it's.parquet"),
    })
    expect(parquet).toMatchObject({ rows: 5, content_base64: null })
    // Read back by a DuckDB of the test's own (the console does not read files).
    const reader = await DuckDBInstance.create(':memory:')
    const back = await (
      await reader.connect()
    ).runAndReadAll(`SELECT count(*)::INTEGER AS n FROM read_parquet('${join(dir, "it''s.parquet")}')`)
    expect(back.getRowObjectsJS()).toEqual([{ n: 5 }])
    reader.closeSync()
  })

  it('saves, schedules, audits and deletes hunts, and drafts Sigma rules', async () => {
    const core = await start(freshDir())
    const { hunt } = await callOk<CallRes<'hunts:save'>>(core, 'hunts:save', {
      name: 'failed logons',
      query: 'EventID:4625',
      from: '-24h',
      schedule_minutes: 60,
    })
    expect(hunt).toMatchObject({
      name: 'failed logons',
      from: '-24h',
      to: null,
      schedule_minutes: 60,
      last_count: null,
    })
    const renamed = await callOk<CallRes<'hunts:save'>>(core, 'hunts:save', {
      id: hunt.id,
      name: 'logons',
      query: 'EventID:4625',
    })
    expect(renamed.hunt).toMatchObject({ id: hunt.id, name: 'logons', schedule_minutes: null })
    expect(await core.call('hunts:save', { name: 'x', query: 'a AND' })).toMatchObject({
      ok: false,
      error: { code: 'invalid_request', message: expect.stringContaining('position 5') as string },
    })
    expect(await core.call('hunts:save', { id: 'nope', name: 'x', query: 'a' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    })
    expect((await callOk<CallRes<'hunts:list'>>(core, 'hunts:list', {})).hunts).toHaveLength(1)
    // Run on demand: counted now (nothing archived matches) and recorded as its last run.
    const run = await callOk<CallRes<'hunts:run'>>(core, 'hunts:run', { id: hunt.id })
    expect(run.hunt).toMatchObject({ id: hunt.id, last_count: 0 })
    expect(run.hunt.last_run_at).not.toBeNull()
    expect(await core.call('hunts:run', { id: 'nope' })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    })
    const audit = await callOk<CallRes<'audit:list'>>(core, 'audit:list', {})
    expect(audit.entries.filter((e) => e.object_type === 'hunt').map((e) => e.action)).toEqual([
      'update',
      'create',
    ])
    expect(await callOk(core, 'hunts:delete', { id: hunt.id })).toEqual({ id: hunt.id })
    expect(await core.call('hunts:delete', { id: hunt.id })).toMatchObject({
      ok: false,
      error: { code: 'not_found' },
    })

    const sigma = await callOk<CallRes<'hunts:to-sigma'>>(core, 'hunts:to-sigma', {
      query: 'Image:*\\powershell.exe AND CommandLine:*-enc* AND NOT User:svc_*',
    })
    expect(sigma.yaml).toContain('Image|endswith: \\powershell.exe')
    expect(sigma.yaml).toContain('CommandLine|contains: -enc')
    expect(sigma.yaml).toContain('User|startswith: svc_')
    expect(sigma.yaml).toContain('condition: selection and not filter')
    expect(sigma.yaml).toContain('category: process_creation')
    expect(sigma.warnings).toEqual([])
  })

  it('archives exactly once across a restart', async () => {
    const dataDir = freshDir()
    const first = await start(dataDir)
    await post(first, seed())
    await archived(first, 5)
    await first.stop()
    const second = await start(dataDir)
    await post(second, [{ message: 'after restart' }])
    const status = await archived(second, 6)
    expect(status).toMatchObject({ events: 6, watermark_seq: 6 })
    const sql = await callOk<CallRes<'hunt:sql'>>(second, 'hunt:sql', {
      sql: 'SELECT count(*), count(DISTINCT seq) FROM events',
    })
    expect(sql.rows).toEqual([[6, 6]])
  })
})

import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { DuckArchive } from '../store/duckdb/archive'
import { analyze, ANALYZER_DEFAULTS, createAnalyzer, median } from './analyzer'
import { duckQuery } from './duck-query'
import type { Finding } from './findings'

const NOW = Date.parse('2026-12-01T12:00:00Z')
const WINDOW = 600_000

type Row = {
  at: number
  host: string
  process?: string
  parent?: string
  user?: string
  dst?: string
  src?: string
  code?: string
  kind?: string
  message?: string
}

const lit = (v: string | number | undefined): string =>
  v === undefined ? 'NULL' : typeof v === 'number' ? String(v) : `'${v.replaceAll("'", "''")}'`

const insert = async (archive: DuckArchive, rows: readonly Row[]): Promise<void> => {
  const values = rows.map(
    (r, i) =>
      `(${i + 1}, 'e${i + 1}', make_timestamptz(${r.at * 1000}::BIGINT), make_timestamptz(${r.at * 1000}::BIGINT),
        'http', '10.1.1.1', ${lit(r.host)}, NULL, ${lit(r.message)}, '{}', ${lit(r.kind)}, ${lit(r.code)}, NULL,
        ${lit(r.user)}, ${lit(r.process)}, ${lit(r.parent)}, NULL, ${lit(r.src)}, ${lit(r.dst)}, NULL)`,
  )
  await archive.connection.run(`INSERT INTO events VALUES ${values.join(',\n')}`)
}

/** 24 windows of steady, repetitive activity on two hosts, then the same in the current window. */
const normalDay = (): Row[] => {
  const rows: Row[] = []
  for (let w = 24; w >= 0; w--) {
    const start = NOW - (w + 1) * WINDOW
    for (let i = 0; i < 30; i++)
      rows.push({
        at: start + i * 1000,
        host: 'ws-01',
        process: i % 2 ? 'C:\\Windows\\explorer.exe' : 'C:\\Program Files\\chrome.exe',
        parent: i % 2 ? 'C:\\Windows\\userinit.exe' : 'C:\\Windows\\explorer.exe',
        user: 'alice',
        dst: '10.0.0.1',
      })
    // dc-01 wobbles between 23 and 27 events per window.
    for (let i = 0; i < 23 + (w % 5); i++)
      rows.push({
        at: start + i * 1000,
        host: 'dc-01',
        user: i % 3 ? 'admin' : 'svc_backup',
        code: '4624',
        kind: 'logon',
      })
    // A few failed logons are normal.
    for (let i = 0; i < 3; i++)
      rows.push({
        at: start + 100_000 + i,
        host: 'dc-01',
        user: 'alice',
        src: '10.0.0.7',
        code: '4625',
        kind: 'logon',
      })
  }
  return rows
}

const dirs: string[] = []
const archives: DuckArchive[] = []
afterEach(() => {
  for (const archive of archives.splice(0)) archive.close()
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true })
})

const seeded = async (rows: readonly Row[]): Promise<DuckArchive> => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-analyzer-'))
  dirs.push(dir)
  const archive = await DuckArchive.open(join(dir, 'archive.duckdb'))
  archives.push(archive)
  await insert(archive, rows)
  return archive
}

const byRule = (findings: readonly Finding[]): Record<string, Finding[]> => {
  const out: Record<string, Finding[]> = {}
  for (const f of findings) (out[f.rule_id] ??= []).push(f)
  return out
}

describe('the analyzer over a seeded DuckDB archive', () => {
  it('finds nothing in an ordinary window (the negative case)', async () => {
    const archive = await seeded(normalDay())
    const { findings, checks } = await analyze(duckQuery(archive.connection), ANALYZER_DEFAULTS, NOW)
    expect(findings).toEqual([])
    // The checks did run over the data: two sources judged, pairs counted.
    expect(checks.volume).toMatchObject({ sources: 2, findings: 0 })
    expect(checks.rare_pairs).toMatchObject({ findings: 0 })
    expect(Number(checks.rare_pairs!.baseline_pairs)).toBeGreaterThan(600)
    expect(checks.brute_force).toMatchObject({ findings: 0 })
  })

  it('finds a volume spike, new terms, a rare pair and brute force, with their numbers', async () => {
    const now = NOW - WINDOW
    const anomalies: Row[] = []
    // ws-01 sends ten times its usual volume.
    for (let i = 0; i < 270; i++)
      anomalies.push({
        at: now + 1000 + i,
        host: 'ws-01',
        process: 'C:\\Windows\\explorer.exe',
        user: 'alice',
        dst: '10.0.0.1',
      })
    anomalies.push({
      at: now + 5000,
      host: 'ws-01',
      process: 'C:\\Temp\\mimikatz.exe',
      parent: 'C:\\Windows\\System32\\cmd.exe',
      user: 'alice',
      dst: '203.0.113.9',
    })
    anomalies.push({ at: now + 6000, host: 'dc-01', user: 'eve', code: '4624', kind: 'logon' })
    for (let i = 0; i < 15; i++)
      anomalies.push({
        at: now + 7000 + i,
        host: 'dc-01',
        user: 'admin',
        src: '198.51.100.7',
        code: '4625',
        kind: 'logon',
      })
    // A host never seen before: its processes are not "new terms" (no baseline to compare with).
    anomalies.push({ at: now + 8000, host: 'new-host', process: '/usr/bin/curl', user: 'bob' })
    const archive = await seeded([...normalDay(), ...anomalies])
    const { findings } = await analyze(duckQuery(archive.connection), ANALYZER_DEFAULTS, NOW)
    const rules = byRule(findings)
    expect(Object.keys(rules).sort()).toEqual([
      'outpost-agent-analyzer-brute-force',
      'outpost-agent-analyzer-new-destination',
      'outpost-agent-analyzer-new-process',
      'outpost-agent-analyzer-new-user',
      'outpost-agent-analyzer-rare-process-pair',
      'outpost-agent-analyzer-volume',
    ])
    const [volume] = rules['outpost-agent-analyzer-volume']!
    expect(rules['outpost-agent-analyzer-volume']).toHaveLength(1)
    expect(volume).toMatchObject({
      host: 'ws-01',
      key: 'volume-spike:ws-01',
      details: { observed: 301, baseline_median: 30, baseline_mad: 0, threshold: 5, baseline_windows: 24 },
    })
    expect(volume!.title).toBe(
      'Volume spike from ws-01: 301 events in the last 10 min vs median 30 (MAD 0) over 24 windows',
    )
    expect(rules['outpost-agent-analyzer-new-process']!.map((f) => [f.host, f.details.value])).toEqual([
      ['ws-01', 'C:\\Temp\\mimikatz.exe'],
    ])
    expect(rules['outpost-agent-analyzer-new-user']!.map((f) => [f.host, f.details.value])).toEqual([
      ['dc-01', 'eve'],
    ])
    expect(rules['outpost-agent-analyzer-new-destination']!.map((f) => [f.host, f.details.value])).toEqual([
      ['ws-01', '203.0.113.9'],
    ])
    expect(rules['outpost-agent-analyzer-rare-process-pair']).toEqual([
      expect.objectContaining({
        details: expect.objectContaining({
          parent: 'C:\\Windows\\System32\\cmd.exe',
          child: 'C:\\Temp\\mimikatz.exe',
          observed: 1,
          baseline_count: 0,
          threshold: 1,
        }) as unknown,
      }),
    ])
    expect(
      rules['outpost-agent-analyzer-brute-force']!.map((f) => [
        f.details.by,
        f.details.value,
        f.details.observed,
      ]),
    ).toEqual([
      ['user', 'admin', 15],
      ['source address', '198.51.100.7', 15],
    ])
    expect(rules['outpost-agent-analyzer-brute-force']![0]!.details).toMatchObject({
      threshold: 10,
      distinct_others: 1,
    })
  })

  it('raises through its sink and reports the outcome, the checks and the numbers', async () => {
    const rows = normalDay()
    for (let i = 0; i < 12; i++)
      rows.push({
        at: NOW - 1000 - i,
        host: 'srv-9',
        // As sshd logs it over syslog: the account and the address are only in the message.
        kind: 'auth',
        message: `Failed password for ${i % 2 ? 'invalid user ' : ''}root from 198.51.100.8 port ${40000 + i} ssh2`,
      })
    const archive = await seeded(rows)
    const raised: Finding[][] = []
    const run = createAnalyzer({
      query: duckQuery(archive.connection),
      now: () => NOW,
      options: () => ({ ...ANALYZER_DEFAULTS, brute_force_threshold: 12 }),
      raise: (findings) => {
        raised.push([...findings])
        return findings.length
      },
    })
    const result = await run(new AbortController().signal)
    expect(raised[0]!.map((f) => f.key)).toEqual([
      'brute-force:user_name:root',
      'brute-force:src_ip:198.51.100.8',
    ])
    expect(result).toMatchObject({ outcome: 'warning', alerts: 2, actions: 0 })
    expect(result.summary).toBe('2 findings (brute force 2), 2 new alerts')
    expect(result.output).toMatchObject({ alerts_raised: 2, checks: { brute_force: { findings: 2 } } })
  })

  it('stops when its signal is aborted', async () => {
    const archive = await seeded(normalDay())
    const controller = new AbortController()
    controller.abort(new Error('past its budget'))
    const run = createAnalyzer({
      query: duckQuery(archive.connection),
      now: () => NOW,
      options: () => ANALYZER_DEFAULTS,
      raise: () => 0,
    })
    await expect(run(controller.signal)).rejects.toThrow('past its budget')
  })

  it('median', () => {
    expect(median([])).toBe(0)
    expect(median([5, 1, 3])).toBe(3)
    expect(median([4, 1, 3, 2])).toBe(2.5)
  })
})

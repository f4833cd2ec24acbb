import { spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { OUTPOST_BIN } from '../serve-process'

// The built CLI (`npx electron-vite build`) as a real process, on ../shared read in place.
const SHARED = fileURLToPath(new URL('../../../../shared/', import.meta.url))
const REGRESSION = join(SHARED, 'sigma/regression')
const OTRF = join(SHARED, 'datasets/otrf')
const PROCESS_CREATION = join(SHARED, 'sigma/rules/rules/windows/process_creation')

const outpost = (args: string[]) =>
  spawnSync(process.execPath, [OUTPOST_BIN, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 })

const KEYS = ['rule_id', 'rule_title', 'level', 'tags', 'author', 'timestamp', 'event']
const CORRELATION_KEYS = ['rule_id', 'rule_title', 'level', 'tags', 'author', 'timestamp', 'events', 'group']
const EXAMPLES = fileURLToPath(new URL('../../../resources/sigma/examples/', import.meta.url))

type Entry = {
  rule_id: string
  rule_file: string
  json: string
  evtx: string | null
  match_count: number | null
}
type Detection = { rule_id: string | null; timestamp: string | null; event: unknown; tags: unknown }

const detections = (stdout: string): Detection[] =>
  stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const found = JSON.parse(line) as Detection
      expect(Object.keys(found)).toEqual(KEYS)
      expect(Array.isArray(found.tags)).toBe(true)
      expect(typeof found.event).toBe('object')
      return found
    })

describe.skipIf(!existsSync(REGRESSION))('outpost hunt on SigmaHQ regression data', () => {
  const index = existsSync(REGRESSION)
    ? (JSON.parse(readFileSync(join(REGRESSION, 'index.json'), 'utf8')) as Entry[])
    : []
  const picked = index.filter((e) => e.evtx !== null).slice(0, 3)

  it.each(['json', 'evtx'] as const)('fires each rule at least match_count times on the %s', (kind) => {
    expect(picked).toHaveLength(3)
    const result = outpost([
      'hunt',
      '--rules',
      ...picked.map((e) => join(REGRESSION, e.rule_file)),
      '--input',
      ...picked.map((e) => join(REGRESSION, e[kind]!)),
      '--json',
    ])
    expect(result.status).toBe(0)
    const found = detections(result.stdout)
    for (const entry of picked) {
      const count = found.filter((d) => d.rule_id === entry.rule_id).length
      expect(count, entry.rule_file).toBeGreaterThanOrEqual(entry.match_count ?? 1)
    }
    const summary = JSON.parse(result.stderr) as {
      events: number
      detections: number
      rules: { loaded: number }
      errors: unknown[]
    }
    expect(summary.errors).toEqual([])
    expect(summary.rules.loaded).toBe(3)
    expect(summary.detections).toBe(found.length)
    expect(summary.events).toBeGreaterThan(0)
  })
})

describe.skipIf(!existsSync(OTRF) || !existsSync(PROCESS_CREATION))(
  'outpost hunt on an OTRF recording',
  () => {
    it('finds the PsExec activity with the process_creation rules', () => {
      const input = join(OTRF, 'cmd_psexec_lsa_secrets_dump.ndjson')
      const result = outpost(['hunt', '--rules', PROCESS_CREATION, '--input', input, '--json'])
      expect(result.status).toBe(0)
      const found = detections(result.stdout)
      expect(found.length).toBeGreaterThan(0)
      for (const d of found) expect(d.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/)
      const summary = JSON.parse(result.stderr) as { events: number; events_per_second: number }
      expect(summary.events).toBeGreaterThan(0)
      process.stdout.write(`hunt speed: ${summary.events_per_second} events/s (${summary.events} events)\n`)
    })
  },
)

describe('outpost hunt and rules usage', () => {
  it('exits 2 without --rules or --input, and 1 on an input it cannot read', () => {
    expect(outpost(['hunt', '--input', 'x.json']).status).toBe(2)
    expect(outpost(['hunt', '--rules', 'x']).status).toBe(2)
    expect(
      outpost(['hunt', '--rules', PROCESS_CREATION, '--input', '/nonexistent.json', '--format', 'csv'])
        .status,
    ).toBe(2)
    expect(outpost(['rules']).status).toBe(2)
    expect(outpost(['hunt', '--help']).status).toBe(0)
    expect(outpost(['rules', '--help']).status).toBe(0)
  })
  it.skipIf(!existsSync(REGRESSION))('exits 1 when an input cannot be read', () => {
    const rule = (JSON.parse(readFileSync(join(REGRESSION, 'index.json'), 'utf8')) as Entry[])[0]!.rule_file
    const result = outpost(['hunt', '--rules', join(REGRESSION, rule), '--input', '/nonexistent.json'])
    expect(result.status).toBe(1)
    expect(result.stderr).toContain('/nonexistent.json')
  })
})

describe('outpost hunt with correlation rules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-hunt-corr-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  const at = (second: number): string => new Date(Date.UTC(2026, 0, 1, 10, 0, second)).toISOString()
  const logon = (id: number, ip: string, user: string, second: number) =>
    JSON.stringify({
      Channel: 'Security',
      EventID: id,
      IpAddress: ip,
      TargetUserName: user,
      TimeCreated: at(second),
    })
  const input = join(dir, 'security.ndjson')
  writeFileSync(
    input,
    [
      // 12 failures from 10.1.1.1 for alice, 5 s apart: the 10th is 45 s after the first. For the
      // chained rule, two hits of 5 failures each (the window resets), then the success: 11 events.
      ...Array.from({ length: 12 }, (_, i) => logon(4625, '10.1.1.1', 'alice', i * 5)),
      // 12 failures from loopback: the example filter leaves them out.
      ...Array.from({ length: 12 }, (_, i) => logon(4625, '127.0.0.1', 'svc', 60 + i)),
      logon(4624, '10.1.1.1', 'alice', 120),
      logon(4624, '10.2.2.2', 'bob', 121),
    ].join('\n') + '\n',
  )

  const hunt = (rules: string[]) => {
    const result = outpost(['hunt', '--rules', ...rules, '--input', input, '--json'])
    const lines = result.stdout
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>)
    return { result, lines }
  }

  it("prints the examples' correlation hits with their events and group, not the rules they hide", () => {
    const { result, lines } = hunt([EXAMPLES])
    expect(result.status).toBe(0)
    for (const line of lines) expect(Object.keys(line)).toEqual(CORRELATION_KEYS)
    expect(lines.map((l) => [l.rule_title, l.timestamp, l.group, (l.events as unknown[]).length])).toEqual([
      ['Many Failed Logons From One Source', at(45), { IpAddress: '10.1.1.1' }, 10],
      ['Failed Logons Followed By A Successful Logon', at(120), { TargetUserName: 'alice' }, 11],
    ])
    expect(lines[1]).toMatchObject({
      level: 'high',
      author: 'Outpost',
      rule_id: '5d1f1f0e-3b7a-4a55-9c56-0a0b7c1e4d03',
    })
    const summary = JSON.parse(result.stderr) as { detections: number; rules: Record<string, number> }
    expect(summary.detections).toBe(2)
    expect(summary.rules).toMatchObject({ loaded: 2, correlations: 3, filters: 1 })
  })

  it('joins a correlation to base rules of another file, and reports them with generate: true', () => {
    writeFileSync(
      join(dir, 'base.yml'),
      `title: Logon
name: logon
logsource: { product: windows, service: security }
detection: { selection: { EventID: 4624 }, condition: selection }
`,
    )
    writeFileSync(
      join(dir, 'corr.yml'),
      `title: Two users log on
id: two-users
generate: true
correlation:
  type: value_count
  rules: [logon]
  timespan: 1m
  condition: { field: TargetUserName, gte: 2 }
`,
    )
    const { result, lines } = hunt([join(dir, 'base.yml'), join(dir, 'corr.yml')])
    expect(result.status).toBe(0)
    expect(lines.map((l) => [l.rule_title, 'event' in l ? 'event' : l.group])).toEqual([
      ['Logon', 'event'],
      ['Logon', 'event'],
      ['Two users log on', {}],
    ])
  })

  it('counts correlations and filters in outpost rules check', () => {
    const result = outpost(['rules', 'check', EXAMPLES, '--json'])
    expect(result.status).toBe(0)
    expect(JSON.parse(result.stdout)).toMatchObject({
      loaded: 2,
      invalid: 0,
      correlations: 3,
      filters: 1,
      warnings: 0,
    })
  })
})

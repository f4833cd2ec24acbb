import { spawnSync } from 'node:child_process'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { OUTPOST_BIN } from '../serve-process'

// The built CLI (`npx electron-vite build`) as a real process, on ../shared read in place.
const SHARED = fileURLToPath(new URL('../../../../shared/', import.meta.url))
const REGRESSION = join(SHARED, 'sigma/regression')
const OTRF = join(SHARED, 'datasets/otrf')
const PROCESS_CREATION = join(SHARED, 'sigma/rules/rules/windows/process_creation')

const outpost = (args: string[]) =>
  spawnSync(process.execPath, [OUTPOST_BIN, ...args], { encoding: 'utf8', maxBuffer: 256 << 20 })

const KEYS = ['rule_id', 'rule_title', 'level', 'tags', 'author', 'timestamp', 'event']

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

import { spawnSync } from 'node:child_process'
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { OUTPOST_BIN } from '../serve-process'

// The built CLI (`npx electron-vite build`) as a real process.
const outpost = (args: string[]) => spawnSync(process.execPath, [OUTPOST_BIN, ...args], { encoding: 'utf8' })

const dir = mkdtempSync(join(tmpdir(), 'outpost-rules-cli-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
writeFileSync(
  join(dir, 'good.yml'),
  `title: Good
logsource:
  product: windows
detection:
  selection:
    EventID: 1
  condition: selection
`,
)
writeFileSync(
  join(dir, 'broken.yml'),
  `title: Broken
logsource:
  product: windows
detection:
  selection:
    EventID: 1
  condition: selection and missing
`,
)

describe('outpost rules check', () => {
  it('prints counts and each problem as JSON', () => {
    const result = outpost(['rules', 'check', dir, '--json'])
    expect(result.status).toBe(0)
    const report = JSON.parse(result.stdout) as Record<string, unknown> & {
      problems: Record<string, unknown>[]
    }
    expect(Object.keys(report).slice(0, 4)).toEqual(['loaded', 'invalid', 'unsupported', 'problems'])
    expect(report).toMatchObject({ loaded: 1, invalid: 1, unsupported: 0 })
    expect(report.problems).toHaveLength(1)
    expect(report.problems[0]).toMatchObject({ file: join(dir, 'broken.yml') })
    expect(typeof report.problems[0]!.line).toBe('number')
    expect(typeof report.problems[0]!.reason).toBe('string')
  })

  it('prints a human report, and exits 1 when no rule loaded', () => {
    const human = outpost(['rules', 'check', dir])
    expect(human.stdout).toContain('1 rules loaded')
    expect(human.stdout).toContain(`${join(dir, 'broken.yml')}:`)
    expect(outpost(['rules', 'check', join(dir, 'broken.yml'), '--json']).status).toBe(1)
    expect(outpost(['rules', 'check']).status).toBe(2)
  })
})

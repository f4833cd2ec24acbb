import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { strToU8, zipSync } from 'fflate'
import { afterAll, describe, expect, it } from 'vitest'
import { loadRules } from './load-rules'

const rule = (title: string, id: string): string => `title: ${title}
id: ${id}
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    Image|endswith: '\\\\${title}.exe'
  condition: selection
level: high
`
const BROKEN = `title: Broken
logsource:
  product: windows
detection:
  selection:
    Image: x
  condition: selection and nothing
`

const root = mkdtempSync(join(tmpdir(), 'outpost-load-rules-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))
mkdirSync(join(root, 'rules/windows/deep'), { recursive: true })
writeFileSync(join(root, 'rules/windows/a.yml'), rule('a', '00000000-0000-0000-0000-00000000000a'))
writeFileSync(join(root, 'rules/windows/deep/b.yaml'), rule('b', '00000000-0000-0000-0000-00000000000b'))
writeFileSync(join(root, 'rules/windows/deep/broken.yml'), BROKEN)
writeFileSync(join(root, 'rules/windows/notes.txt'), 'not a rule')
writeFileSync(
  join(root, 'rules.zip'),
  zipSync({
    'sigma/rules/windows/c.yml': strToU8(rule('c', '00000000-0000-0000-0000-00000000000c')),
    'sigma/rules/windows/broken.yml': strToU8(BROKEN),
    'sigma/README.md': strToU8('# not a rule'),
  }),
)

describe('loadRules', () => {
  it('loads a directory recursively and reports the broken rule with file and line', async () => {
    const load = await loadRules([join(root, 'rules')])
    expect(load.compiled.map((c) => c.rule.title).sort()).toEqual(['a', 'b'])
    expect(load.files).toHaveLength(3)
    expect(load.errors).toEqual([])
    expect(load.problems).toHaveLength(1)
    expect(load.problems[0]).toMatchObject({
      kind: 'invalid',
      file: join(root, 'rules/windows/deep/broken.yml'),
    })
    expect(load.problems[0]!.line).toBeGreaterThan(0)
    expect(load.problems[0]!.reason).not.toBe('')
  })

  it('loads a single file', async () => {
    const load = await loadRules([join(root, 'rules/windows/a.yml')])
    expect(load.compiled.map((c) => c.rule.id)).toEqual(['00000000-0000-0000-0000-00000000000a'])
    expect(load.problems).toEqual([])
  })

  it('loads the rules inside a zip, naming members archive.zip!path', async () => {
    const zip = join(root, 'rules.zip')
    const load = await loadRules([zip])
    expect(load.compiled.map((c) => c.rule.title)).toEqual(['c'])
    expect(load.compiled[0]!.rule.file).toBe(`${zip}!sigma/rules/windows/c.yml`)
    expect(load.problems).toHaveLength(1)
    expect(load.problems[0]).toMatchObject({ kind: 'invalid', file: `${zip}!sigma/rules/windows/broken.yml` })
    expect(load.problems[0]!.line).toBeGreaterThan(0)
  })

  it('reports paths it cannot read and keeps the rest', async () => {
    const load = await loadRules([join(root, 'missing'), join(root, 'rules/windows/a.yml')])
    expect(load.compiled).toHaveLength(1)
    expect(load.errors).toHaveLength(1)
    expect(load.errors[0]!.path).toBe(join(root, 'missing'))
  })

  it('reports a corrupt zip as unreadable', async () => {
    writeFileSync(join(root, 'bad.zip'), 'PK\u0003\u0004 not really a zip')
    const load = await loadRules([join(root, 'bad.zip')])
    expect(load.compiled).toEqual([])
    expect(load.errors).toHaveLength(1)
  })

  it('links correlations to the rules of other files, and reports names that did not load', async () => {
    const dir = join(root, 'correlations')
    mkdirSync(dir)
    writeFileSync(
      join(dir, 'mr_two.yml'),
      `title: a then b
correlation:
  type: temporal_ordered
  rules:
    - 00000000-0000-0000-0000-00000000000a
    - 00000000-0000-0000-0000-00000000000b
  timespan: 1m
---
title: a then nothing
correlation:
  type: temporal_ordered
  rules:
    - 00000000-0000-0000-0000-00000000000a
    - nothing
  timespan: 1m
`,
    )
    const load = await loadRules([
      join(root, 'rules/windows/a.yml'),
      join(root, 'rules/windows/deep/b.yaml'),
      dir,
    ])
    expect(load.compiled).toHaveLength(2)
    expect(load.correlations.map((c) => c.title)).toEqual(['a then b'])
    expect(load.problems).toEqual([
      {
        kind: 'invalid',
        file: join(dir, 'mr_two.yml'),
        line: 12,
        reason: 'correlation.rules names nothing: no such rule loaded',
      },
    ])
  })
})

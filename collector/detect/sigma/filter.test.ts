import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { loadSigmaFile } from './compile'
import { applyFilters } from './filter'
import { loadRules } from './load-rules'

const RULES = `title: Rar
id: 6f3e2987-db24-4c78-a860-b4f4095a7095
logsource: { product: windows, category: process_creation }
detection:
  selection: { Image|endswith: '\\rar.exe' }
  condition: selection
---
title: Whoami
name: whoami
logsource: { product: windows, category: process_creation }
detection:
  selection: { Image|endswith: '\\whoami.exe' }
  condition: selection
---
title: Linux
name: linux_rule
logsource: { product: linux, category: process_creation }
detection:
  selection: { Image|endswith: '/rar' }
  condition: selection
`

const FILTER = `title: Filter Administrator account
logsource: { product: windows, category: process_creation }
filter:
  rules:
    - 6f3e2987-db24-4c78-a860-b4f4095a7095
    - whoami
  selection:
    User|startswith: 'adm_'
  condition: selection
`

const rar = (user: string) => ({ Image: 'C:\\x\\rar.exe', User: user })
const whoami = (user: string) => ({ Image: 'C:\\x\\whoami.exe', User: user })

describe('applyFilters', () => {
  it('makes each named rule (original) and not (filter)', () => {
    const rules = loadSigmaFile(`${RULES}---\n${FILTER}`, 'r.yml')
    expect(rules.problems).toEqual([])
    const { compiled, problems } = applyFilters(rules.compiled, rules.filters)
    expect(problems).toEqual([])
    const [rarRule, whoamiRule, linux] = compiled
    expect(rarRule!.matches(rar('alice'))).toBe(true)
    expect(rarRule!.matches(rar('adm_alice'))).toBe(false)
    expect(whoamiRule!.matches(whoami('adm_bob'))).toBe(false)
    expect(whoamiRule!.matches(whoami('bob'))).toBe(true)
    expect(linux).toBe(rules.compiled[2])
    // The rules as loaded stay as they were.
    expect(rules.compiled[0]!.matches(rar('adm_alice'))).toBe(true)
  })

  it('warns about rules it cannot find, and does not apply across logsources', () => {
    const filter = FILTER.replace('    - whoami\n', '    - whoami\n    - nowhere\n    - linux_rule\n')
    const rules = loadSigmaFile(`${RULES}---\n${filter}`, 'r.yml')
    const { compiled, problems } = applyFilters(rules.compiled, rules.filters)
    expect(problems).toEqual([
      {
        kind: 'warning',
        file: 'r.yml',
        line: 25,
        reason: 'filter "Filter Administrator account" names nowhere, which is not a loaded rule',
      },
      {
        kind: 'warning',
        file: 'r.yml',
        line: 25,
        reason: expect.stringContaining('not applied to linux_rule: logsource product windows') as string,
      },
    ])
    expect(compiled[2]!.matches({ Image: '/usr/bin/rar', User: 'adm_x' })).toBe(true)
  })

  it('reports a filter whose condition does not compile, at its line', () => {
    const rules = loadSigmaFile(
      `${RULES}---\n${FILTER.replace('condition: selection', 'condition: other')}`,
      'r.yml',
    )
    const { problems } = applyFilters(rules.compiled, rules.filters)
    expect(problems).toMatchObject([{ kind: 'invalid', line: 30 }])
  })
})

describe('filters in their own files', () => {
  const dir = mkdtempSync(join(tmpdir(), 'outpost-filters-'))
  afterAll(() => rmSync(dir, { recursive: true, force: true }))
  mkdirSync(join(dir, 'rules'))
  mkdirSync(join(dir, 'filters'))
  writeFileSync(join(dir, 'rules', 'r.yml'), RULES)
  writeFileSync(
    join(dir, 'filters', 'mf_admins.yml'),
    FILTER.replace('    - whoami\n', '    - whoami\n    - gone\n'),
  )

  it('apply to the rules of other files and directories, and list unknown names', async () => {
    const load = await loadRules([join(dir, 'rules'), join(dir, 'filters')])
    expect(load.filters).toHaveLength(1)
    expect(load.compiled).toHaveLength(3)
    expect(load.compiled[0]!.matches(rar('adm_x'))).toBe(false)
    expect(load.compiled[1]!.matches(whoami('adm_x'))).toBe(false)
    expect(load.problems).toEqual([
      {
        kind: 'warning',
        file: join(dir, 'filters', 'mf_admins.yml'),
        line: 4,
        reason: expect.stringContaining('names gone') as string,
      },
    ])
  })
})

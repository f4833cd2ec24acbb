import { describe, expect, it } from 'vitest'
import { loadSigmaFile } from './compile'
import { parseSigmaFile } from './parse'

const RULE = `title: Whoami
id: 0b5a4a6e-0000-4000-8000-000000000001
status: test
level: medium
description: whoami ran
author: Someone
date: 2024-01-02
tags:
  - attack.discovery
  - attack.t1033
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    Image|endswith: '\\whoami.exe'
  condition: selection
falsepositives:
  - Admins
`

describe('parseSigmaFile', () => {
  it('reads the rule metadata', () => {
    const { rules, problems } = parseSigmaFile(RULE, 'whoami.yml')
    expect(problems).toEqual([])
    expect(rules[0]).toMatchObject({
      file: 'whoami.yml',
      line: 1,
      title: 'Whoami',
      id: '0b5a4a6e-0000-4000-8000-000000000001',
      status: 'test',
      level: 'medium',
      author: 'Someone',
      date: '2024-01-02',
      tags: ['attack.discovery', 'attack.t1033'],
      falsepositives: ['Admins'],
      logsource: { product: 'windows', category: 'process_creation' },
      detection: { selection: { 'Image|endswith': '\\whoami.exe' } },
      conditions: ['selection'],
      lines: { selection: 15, condition: 17 },
    })
  })

  it('merges action: global into every later rule and repeats with action: repeat', () => {
    const text = `action: global
title: Base
logsource: { product: windows }
detection:
  condition: selection
---
logsource: { service: sysmon }
detection:
  selection: { EventID: 1 }
---
action: repeat
detection:
  selection: { EventID: 2 }
`
    const { compiled, problems } = loadSigmaFile(text, 'multi.yml')
    expect(problems).toEqual([])
    expect(compiled.map((c) => c.rule.logsource)).toEqual([
      { product: 'windows', service: 'sysmon' },
      { product: 'windows', service: 'sysmon' },
    ])
    expect(compiled.map((c) => [c.matches({ EventID: 1 }), c.matches({ EventID: 2 })])).toEqual([
      [true, false],
      [false, true],
    ])
    expect(compiled[1]!.rule.line).toBe(11)
  })

  it.each<[string, string, number, string]>([
    ['a YAML error', 'title: [unclosed\nid: x\n', 2, ''],
    ['no title', 'logsource: {}\ndetection: { s: { A: 1 }, condition: s }\n', 1, 'no title'],
    ['no detection', 'title: t\nlogsource: {}\n', 1, 'no detection map'],
    ['no condition', 'title: t\nlogsource: {}\ndetection:\n  s: { A: 1 }\n', 1, 'no condition'],
    ['no search', 'title: t\nlogsource: {}\ndetection:\n  condition: s\n', 1, 'no search identifier'],
    ['not a map', '- a\n- b\n', 1, 'must be a map'],
    ['a lonely repeat', 'action: repeat\ntitle: t\n', 1, 'without a previous rule'],
  ])('reports %s as invalid with its line', (_name, text, line, reason) => {
    const { rules, problems } = parseSigmaFile(text, 'bad.yml')
    expect(rules).toEqual([])
    expect(problems[0]).toMatchObject({ kind: 'invalid', file: 'bad.yml', line })
    expect(problems[0]!.reason).toContain(reason)
  })

  it.each<[string, string, number, string]>([
    ['level', 'level: severe', 4, 'level must be one of'],
    ['status', 'status: draft', 4, 'status must be one of'],
    ['tags', 'tags: [1, [2]]', 4, 'tags must be a list of strings'],
    ['id', 'id: 12', 4, 'id must be a string'],
  ])('reports a malformed %s at its line', (_key, line, at, reason) => {
    const text = `title: t\nlogsource: { product: windows }\ndetection: { s: { A: 1 }, condition: s }\n${line}\n`
    expect(parseSigmaFile(text, 'meta.yml').problems).toEqual([
      {
        kind: 'invalid',
        file: 'meta.yml',
        line: at === 1 ? 5 : at,
        reason: expect.stringContaining(reason) as string,
      },
    ])
  })

  it('reports a malformed logsource at its line', () => {
    const text = 'title: t\ndetection: { s: { A: 1 }, condition: s }\nlogsource: { product: [a] }\n'
    expect(parseSigmaFile(text, 'meta.yml').problems).toEqual([
      { kind: 'invalid', file: 'meta.yml', line: 3, reason: 'logsource.product must be a string' },
    ])
  })

  it('reports the line of a YAML error in a later document', () => {
    const { problems } = parseSigmaFile(`${RULE}---\ntitle: x\n  bad: : indent\n`, 'two.yml')
    expect(problems[0]).toMatchObject({ kind: 'invalid', file: 'two.yml' })
    expect(problems[0]!.line).toBeGreaterThan(20)
  })

  it('returns correlation and filter documents beside the rules (parse-meta.test.ts has the rest)', () => {
    const text = `${RULE}---
title: c
correlation: { type: event_count, rules: [a], timespan: 5m, condition: { gte: 2 } }
---
title: f
logsource: { product: windows }
filter: { rules: [a], selection: { User: x }, condition: selection }
`
    const { rules, correlations, filters, problems } = parseSigmaFile(text, 'c.yml')
    expect(problems).toEqual([])
    expect(rules).toHaveLength(1)
    expect(correlations.map((c) => [c.title, c.line])).toEqual([['c', 21]])
    expect(filters.map((f) => [f.title, f.line])).toEqual([['f', 24]])
  })

  it('keeps the good rules of a file beside its bad ones', () => {
    const { compiled, problems } = loadSigmaFile(`${RULE}---\ntitle: x\n`, 'mixed.yml')
    expect(compiled).toHaveLength(1)
    expect(problems).toHaveLength(1)
    expect(compiled[0]!.matches({ Image: 'C:\\Windows\\System32\\WHOAMI.EXE' })).toBe(true)
  })
})

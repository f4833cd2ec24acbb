import { describe, expect, it } from 'vitest'
import { buildMatrix, type AlertTally, type MatrixRule } from './matrix'

const rules: MatrixRule[] = [
  { key: 'a', tags: ['attack.execution', 'attack.t1059.001'], enabled: true },
  { key: 'b', tags: ['attack.execution', 'attack.t1059'], enabled: false },
  { key: 'c', tags: ['attack.t1003'], enabled: true },
  { key: 'd', tags: ['attack.command_and_control', 'attack.t1071.001'], enabled: true },
]
const alerts: AlertTally = {
  exact: new Map([
    ['T1059.001', 2],
    ['T1059', 1],
  ]),
  rolled: new Map([['T1059', 3]]),
  pairs: [{ techniques: ['T1059.001'], tactics: ['execution'] }],
}
const attack = {
  tactics: [
    { id: 'TA0002', shortname: 'execution', name: 'Execution', position: 0 },
    { id: 'TA0006', shortname: 'credential-access', name: 'Credential Access', position: 1 },
  ],
  techniques: [
    {
      id: 'T1059',
      name: 'Command and Scripting Interpreter',
      tactics: ['execution'],
      is_subtechnique: false,
      parent: null,
    },
    { id: 'T1059.001', name: 'PowerShell', tactics: ['execution'], is_subtechnique: true, parent: 'T1059' },
    {
      id: 'T1059.003',
      name: 'Windows Command Shell',
      tactics: ['execution'],
      is_subtechnique: true,
      parent: 'T1059',
    },
    {
      id: 'T1003',
      name: 'OS Credential Dumping',
      tactics: ['credential-access'],
      is_subtechnique: false,
      parent: null,
    },
    { id: 'T1204', name: 'User Execution', tactics: ['execution'], is_subtechnique: false, parent: null },
  ],
}

describe('buildMatrix', () => {
  it('with a bundle: every technique, coverage by enabled rules and alert hits rolled up', () => {
    const matrix = buildMatrix({ attack, rules, alerts })
    expect(matrix.map((t) => t.shortname)).toEqual(['execution', 'credential-access'])
    const execution = matrix[0]!
    expect(execution.techniques.map((t) => t.name)).toEqual([
      'Command and Scripting Interpreter',
      'User Execution',
    ])
    expect(execution.techniques[0]).toEqual({
      id: 'T1059',
      name: 'Command and Scripting Interpreter',
      rules: 1,
      rules_total: 2,
      alerts: 3,
      subtechniques: [
        { id: 'T1059.001', name: 'PowerShell', rules: 1, rules_total: 1, alerts: 2 },
        { id: 'T1059.003', name: 'Windows Command Shell', rules: 0, rules_total: 0, alerts: 0 },
      ],
    })
    expect(execution.techniques[1]).toMatchObject({ id: 'T1204', rules: 0, alerts: 0, subtechniques: [] })
    expect(matrix[1]!.techniques).toEqual([
      { id: 'T1003', name: 'OS Credential Dumping', rules: 1, rules_total: 1, alerts: 0, subtechniques: [] },
    ])
  })

  it('without a bundle: what rules and alerts name, by their tactic tags, without names', () => {
    const matrix = buildMatrix({ attack: null, rules, alerts })
    expect(matrix.map((t) => t.shortname)).toEqual([
      'reconnaissance',
      'resource-development',
      'initial-access',
      'execution',
      'persistence',
      'privilege-escalation',
      'defense-evasion',
      'credential-access',
      'discovery',
      'lateral-movement',
      'collection',
      'command-and-control',
      'exfiltration',
      'impact',
      'unassigned',
    ])
    const byName = new Map(matrix.map((t) => [t.shortname, t]))
    expect(byName.get('execution')!.techniques).toEqual([
      {
        id: 'T1059',
        name: null,
        rules: 1,
        rules_total: 2,
        alerts: 3,
        subtechniques: [{ id: 'T1059.001', name: null, rules: 1, rules_total: 1, alerts: 2 }],
      },
    ])
    expect(byName.get('command-and-control')!.techniques.map((t) => t.id)).toEqual(['T1071'])
    // T1003's rule names no tactic.
    expect(byName.get('unassigned')!.techniques.map((t) => t.id)).toEqual(['T1003'])
  })

  it('without a bundle, rules or alerts: empty columns and no unassigned one', () => {
    const matrix = buildMatrix({
      attack: null,
      rules: [],
      alerts: { exact: new Map(), rolled: new Map(), pairs: [] },
    })
    expect(matrix).toHaveLength(14)
    expect(matrix.every((t) => t.techniques.length === 0)).toBe(true)
  })
})

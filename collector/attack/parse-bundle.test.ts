import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { AttackBundleError, parseAttackBundle } from './parse-bundle'

const BUNDLE_FILE = '/work/shared/attack/enterprise-attack-min.json'
const bundle = JSON.parse(readFileSync(BUNDLE_FILE, 'utf8')) as { type: string; objects: unknown[] }

describe('parseAttackBundle', () => {
  const parsed = parseAttackBundle(bundle)

  it('reads the 14 enterprise tactics in matrix order', () => {
    expect(parsed.tactics).toHaveLength(14)
    expect(parsed.tactics[0]).toEqual({
      id: 'TA0043',
      shortname: 'reconnaissance',
      name: 'Reconnaissance',
      position: 0,
    })
    expect(parsed.tactics.map((t) => t.shortname)).toContain('command-and-control')
    expect(parsed.tactics[13]).toMatchObject({ id: 'TA0040', shortname: 'impact' })
  })

  it('keeps the 216 active techniques and 475 subtechniques, not revoked or deprecated ones', () => {
    expect(parsed.techniques).toHaveLength(691)
    expect(parsed.techniques.filter((t) => t.is_subtechnique)).toHaveLength(475)
    expect(parsed.techniques.find((t) => t.id === 'T1059')).toEqual({
      id: 'T1059',
      name: 'Command and Scripting Interpreter',
      tactics: ['execution'],
      is_subtechnique: false,
      parent: null,
    })
    expect(parsed.techniques.find((t) => t.id === 'T1059.001')).toMatchObject({
      name: 'PowerShell',
      is_subtechnique: true,
      parent: 'T1059',
    })
    expect(parsed.techniques.filter((t) => t.parent === 'T1059')).toHaveLength(13)
    const execution = parsed.techniques.filter((t) => !t.is_subtechnique && t.tactics.includes('execution'))
    expect(execution).toHaveLength(17)
    expect(parsed.problems).toEqual([])
    // mitre/cti bundles carry no x-mitre-collection: the matrix names the version.
    expect(parsed.version).toBe('Enterprise ATT&CK (modified 2025-04-25T14:41:40.982Z)')
  })

  it('takes the version from an x-mitre-collection when there is one', () => {
    const withCollection = {
      ...bundle,
      objects: [...bundle.objects, { type: 'x-mitre-collection', x_mitre_version: '18.1' }],
    }
    expect(parseAttackBundle(withCollection).version).toBe('18.1')
  })

  it('refuses what is not a STIX bundle, or has no matrix', () => {
    expect(() => parseAttackBundle([1, 2])).toThrow(AttackBundleError)
    expect(() => parseAttackBundle({ type: 'indicator' })).toThrow(/not a STIX bundle/)
    expect(() => parseAttackBundle({ type: 'bundle', objects: [{ type: 'attack-pattern' }] })).toThrow(
      /no ATT&CK matrix/,
    )
  })

  it('skips broken objects with a reason', () => {
    const parsedBroken = parseAttackBundle({
      type: 'bundle',
      objects: [
        { type: 'x-mitre-matrix', tactic_refs: ['x-mitre-tactic--1', 'x-mitre-tactic--missing'] },
        {
          type: 'x-mitre-tactic',
          id: 'x-mitre-tactic--1',
          name: 'Execution',
          x_mitre_shortname: 'execution',
          external_references: [{ source_name: 'mitre-attack', external_id: 'TA0002' }],
        },
        { type: 'attack-pattern', id: 'attack-pattern--noid', name: 'No id' },
        {
          type: 'attack-pattern',
          id: 'attack-pattern--ok',
          name: 'Command and Scripting Interpreter',
          external_references: [{ source_name: 'mitre-attack', external_id: 'T1059' }],
          kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: 'execution' }],
        },
        {
          type: 'attack-pattern',
          id: 'attack-pattern--revoked',
          name: 'Old',
          revoked: true,
          external_references: [{ source_name: 'mitre-attack', external_id: 'T1000' }],
        },
      ],
    })
    expect(parsedBroken.tactics.map((t) => t.id)).toEqual(['TA0002'])
    expect(parsedBroken.techniques.map((t) => t.id)).toEqual(['T1059'])
    expect(parsedBroken.problems).toEqual([
      'tactic x-mitre-tactic--missing: not in the bundle',
      'attack-pattern attack-pattern--noid: without a technique id (T1234) or name',
    ])
  })
})

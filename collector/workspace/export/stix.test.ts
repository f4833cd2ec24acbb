import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'
import { sampleDocument } from './fixtures'
import { checkStixPattern } from './stix-pattern'
import { loadStixSchemas, validateStixBundle } from './stix-validate'
import {
  SCO_NAMESPACE,
  TLP2_MARKING_IDS,
  patternString,
  scoId,
  toStixBundle,
  uuidv5,
  type StixObject,
} from './stix'

const STIX = fileURLToPath(new URL('../../../../shared/stix/', import.meta.url))
const schemas = loadStixSchemas(join(STIX, 'schemas'))

const ofType = (objects: StixObject[], type: string): StixObject[] => objects.filter((o) => o.type === type)

describe('toStixBundle', () => {
  it('a report with every observable type validates against the OASIS schemas', () => {
    const bundle = toStixBundle(sampleDocument())
    const result = validateStixBundle(bundle, schemas)
    expect(result.errors).toEqual([])
    expect(result.valid).toBe(true)
  })

  it('an incident is an incident SDO wrapped in a report, and validates', () => {
    const bundle = toStixBundle(sampleDocument({ kind: 'incident', tlp: 'red' }))
    expect(validateStixBundle(bundle, schemas).errors).toEqual([])
    const [incident] = ofType(bundle.objects, 'incident')
    const [report] = ofType(bundle.objects, 'report')
    expect(incident).toMatchObject({ name: sampleDocument().title })
    expect(report?.object_refs).toContain(incident?.id)
    expect(report?.report_types).toEqual(['incident'])
    const notes = ofType(bundle.objects, 'note')
    expect(notes.map((n) => [n.abstract, n.content, n.object_refs])).toEqual([
      ['alert at 2026-11-20T09:00:00.000Z', 'Sigma: Suspicious PowerShell download', [incident?.id]],
      ['action at 2026-11-20T09:05:00.000Z', 'Isolated WS-042', [incident?.id]],
    ])
  })

  it('is deterministic and marks every object with the official TLP 2.0 marking', () => {
    const a = toStixBundle(sampleDocument())
    expect(toStixBundle(sampleDocument())).toEqual(a)
    expect(toStixBundle(sampleDocument({ id: 'rep-0002' })).id).not.toBe(a.id)
    const [marking] = ofType(a.objects, 'marking-definition')
    expect(marking).toEqual({
      type: 'marking-definition',
      spec_version: '2.1',
      id: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
      created: '2022-10-01T00:00:00.000Z',
      name: 'TLP:AMBER',
      extensions: {
        'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d': {
          extension_type: 'property-extension',
          tlp_2_0: 'amber',
        },
      },
    })
    for (const o of a.objects.filter((x) => x.type !== 'marking-definition')) {
      expect(o.object_marking_refs, o.id).toEqual([TLP2_MARKING_IDS.amber])
    }
    const report = ofType(a.objects, 'report')[0]
    const everything = a.objects
      .filter((o) => o.type !== 'marking-definition' && o.type !== 'report')
      .map((o) => o.id)
    expect([...(report?.object_refs as string[])].sort()).toEqual(everything.sort())
    expect(report?.modified).toBe('2026-11-21T12:30:00.123Z')
    expect(report?.created).toBe('2026-11-20T10:00:00.000Z')
  })

  it('every TLP level exports with its own marking id', () => {
    for (const tlp of ['clear', 'green', 'amber', 'amber+strict', 'red'] as const) {
      const bundle = toStixBundle(sampleDocument({ tlp }))
      expect(ofType(bundle.objects, 'marking-definition').map((m) => m.id)).toEqual([TLP2_MARKING_IDS[tlp]])
      expect(validateStixBundle(bundle, schemas).valid).toBe(true)
    }
  })

  it('emits the patterns we document, escaped, and each passes the pattern checker', () => {
    const patterns = ofType(toStixBundle(sampleDocument()).objects, 'indicator').map(
      (i) => i.pattern as string,
    )
    expect(patterns).toEqual([
      "[ipv4-addr:value = '10.0.0.1']",
      "[ipv4-addr:value ISSUBSET '203.0.113.0/24']",
      "[ipv6-addr:value = '2001:db8::1']",
      "[domain-name:value = 'evil.example']",
      "[url:value = 'https://evil.example/a?q=\\'x\\'&b=1']",
      "[file:hashes.MD5 = 'd41d8cd98f00b204e9800998ecf8427e']",
      "[file:hashes.'SHA-1' = 'da39a3ee5e6b4b0d3255bfef95601890afd80709']",
      "[file:hashes.'SHA-256' = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855']",
      "[email-addr:value = 'phish@evil.example']",
      "[user-account:user_id = 'CORP\\\\alice']",
      "[domain-name:value = 'ws-042']",
      "[file:name = 'invoice \\'final\\'.exe']",
    ])
    for (const p of patterns) expect(checkStixPattern(p), p).toBeNull()
  })

  it('links indicators to observed-data and attack-patterns to MITRE ATT&CK', () => {
    const { objects } = toStixBundle(sampleDocument())
    const basedOn = ofType(objects, 'relationship').filter((r) => r.relationship_type === 'based-on')
    expect(basedOn).toHaveLength(sampleDocument().observables.length)
    const observed = new Set(ofType(objects, 'observed-data').map((o) => o.id))
    for (const r of basedOn) expect(observed.has(r.target_ref as string)).toBe(true)
    expect(ofType(objects, 'attack-pattern')[0]).toMatchObject({
      name: 'PowerShell',
      external_references: [{ source_name: 'mitre-attack', external_id: 'T1059.001' }],
      kill_chain_phases: [{ kill_chain_name: 'mitre-attack', phase_name: 'execution' }],
    })
  })

  it('SCO ids are UUIDv5 over the canonical ID contributing properties in the STIX namespace', () => {
    expect(uuidv5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe(
      '2ed6657d-e927-568b-95e1-2665a8aea6a2',
    )
    const id = scoId('ipv4-addr', { value: '10.0.0.1' })
    expect(id).toBe(`ipv4-addr--${uuidv5('{"value":"10.0.0.1"}', '00abedb4-aa42-466c-9c01-fed23315a9b7')}`)
    const sco = toStixBundle(sampleDocument()).objects.find(
      (o) => o.type === 'ipv4-addr' && o.value === '10.0.0.1',
    )
    expect(sco?.id).toBe(id)
  })

  it('a bare report (nothing but a title) still validates; a bad timestamp is refused by name', () => {
    const bare = sampleDocument({ observables: [], techniques: [], timeline: [], evidence: [], labels: [] })
    const bundle = toStixBundle(bare)
    expect(validateStixBundle(bundle, schemas).errors).toEqual([])
    expect(bundle.objects.map((o) => o.type)).toEqual(['marking-definition', 'identity', 'report'])
    expect(() => toStixBundle(sampleDocument({ created_at: 'yesterday' }))).toThrow(
      'not a timestamp: "yesterday"',
    )
  })

  it('options.now sets the report publication time', () => {
    const report = toStixBundle(sampleDocument(), { now: '2026-11-22T05:00:00Z' }).objects.find(
      (o) => o.type === 'report',
    )
    expect(report?.published).toBe('2026-11-22T05:00:00.000Z')
  })

  it('escapes quotes and backslashes in pattern strings', () => {
    expect(patternString("a'b\\c")).toBe("'a\\'b\\\\c'")
  })
})

describe('validateStixBundle', () => {
  it('accepts the OASIS example bundles', () => {
    const files = [
      ...readdirSync(join(STIX, 'examples')).filter((f) => f.endsWith('.json')),
      ...readdirSync(join(STIX, 'examples/threat-reports')).map((f) => `threat-reports/${f}`),
    ]
    expect(files.length).toBeGreaterThan(4)
    for (const file of files) {
      const json = JSON.parse(readFileSync(join(STIX, 'examples', file), 'utf8')) as { type: string }
      // One example is a lone object rather than a bundle.
      const bundle =
        json.type === 'bundle'
          ? json
          : { type: 'bundle', id: `bundle--${uuidv5(file, SCO_NAMESPACE)}`, objects: [json] }
      expect(validateStixBundle(bundle, schemas).errors, file).toEqual([])
    }
  })

  it("checks MITRE's ATT&CK bundle: custom x-mitre types skipped on request, its real spec violations reported", () => {
    const attack = JSON.parse(
      readFileSync(join(STIX, '../attack/enterprise-attack-min.json'), 'utf8'),
    ) as unknown
    const { errors } = validateStixBundle(attack, schemas, { customTypes: 'skip' })
    // Some of MITRE's references carry only a source_name; STIX 2.1 (2.5) wants a description, url or external_id too.
    expect(errors.length).toBeGreaterThan(0)
    for (const e of errors) {
      expect(e).toMatch(
        /^objects\[\d+\] attack-pattern attack-pattern--[0-9a-f-]+ at \/external_references\/\d+ matches none of the forms the schema allows$/,
      )
    }
    const strict = validateStixBundle(attack, schemas).errors.filter(
      (e) => !e.includes('/external_references/'),
    )
    expect(strict.length).toBe(15) // 14 x-mitre-tactic + 1 x-mitre-matrix
    expect(strict.every((e) => e.includes('no STIX 2.1 schema for type "x-mitre-'))).toBe(true)
  })

  it('rejects a broken indicator with readable errors', () => {
    const bundle = toStixBundle(sampleDocument())
    const indicator = bundle.objects.find((o) => o.type === 'indicator')
    if (!indicator) throw new Error('no indicator')
    indicator.pattern_type = 42
    delete indicator.created
    const result = validateStixBundle(bundle, schemas)
    expect(result.valid).toBe(false)
    expect(result.errors.join('\n')).toMatch(
      /indicator indicator--[0-9a-f-]+ must have required property 'created'/,
    )
    expect(result.errors.join('\n')).toMatch(/\/pattern_type must be string/)
  })

  it('rejects unknown types and a non-bundle', () => {
    expect(
      validateStixBundle(
        { type: 'bundle', id: 'bundle--x', objects: [{ type: 'x-thing', id: 'x-thing--1' }] },
        schemas,
      ).errors,
    ).toEqual([
      'bundle id must be bundle--<uuid>',
      'objects[0] x-thing x-thing--1: no STIX 2.1 schema for type "x-thing" (custom types need an extension definition)',
    ])
    expect(validateStixBundle(null, schemas).valid).toBe(false)
  })
})

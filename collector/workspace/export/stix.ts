// STIX 2.1 export of a report or incident. Ids are UUIDv5 so the same document always exports the same bundle.
import { createHash } from 'node:crypto'
import type { ExportDocument, ExportObservable, Tlp } from './model'

export type StixObject = { type: string; id: string; [property: string]: unknown }
export type StixBundle = { type: 'bundle'; id: string; objects: StixObject[] }

/** The namespace the STIX 2.1 spec (2.9) fixes for Cyber-observable Object ids. */
export const SCO_NAMESPACE = '00abedb4-aa42-466c-9c01-fed23315a9b7'
/** Outpost's own namespace for the ids of the objects it produces (SDOs, SROs, the bundle). */
export const OUTPOST_NAMESPACE = '5b3f4f0e-8a4e-5c1d-9d7a-0c5e2f6b7a10'

/** TLP 2.0 extension and marking definitions as published by OASIS (cti-stix-common-objects, tlp-2.0). */
export const TLP2_EXTENSION_ID = 'extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d'
export const TLP2_MARKING_IDS: Record<Tlp, string> = {
  clear: 'marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487',
  green: 'marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb',
  amber: 'marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421',
  'amber+strict': 'marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003',
  red: 'marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1',
}

export function tlpMarkingDefinition(tlp: Tlp): StixObject {
  return {
    type: 'marking-definition',
    spec_version: '2.1',
    id: TLP2_MARKING_IDS[tlp],
    created: '2022-10-01T00:00:00.000Z',
    name: `TLP:${tlp.toUpperCase()}`,
    extensions: { [TLP2_EXTENSION_ID]: { extension_type: 'property-extension', tlp_2_0: tlp } },
  }
}

function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replace(/-/g, ''), 'hex')
}

/** RFC 4122 name-based UUID, version 5 (SHA-1). */
export function uuidv5(name: string, namespace: string): string {
  const hash = createHash('sha1').update(uuidBytes(namespace)).update(name, 'utf8').digest()
  const b = hash.subarray(0, 16)
  b[6] = ((b[6] ?? 0) & 0x0f) | 0x50
  b[8] = ((b[8] ?? 0) & 0x3f) | 0x80
  const hex = b.toString('hex')
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`
}

/** RFC 8785 canonical JSON for the plain string/object values that id contributing properties hold. */
function canonicalJson(value: unknown): string {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) =>
      a < b ? -1 : a > b ? 1 : 0,
    )
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`
  return JSON.stringify(value)
}

/** A deterministic SCO id from its ID contributing properties (STIX 2.1, 2.9). */
export function scoId(type: string, contributing: Record<string, unknown>): string {
  return `${type}--${uuidv5(canonicalJson(contributing), SCO_NAMESPACE)}`
}

/** STIX timestamps: UTC with millisecond precision and a Z. */
export function stixTimestamp(value: string): string {
  const date = new Date(value)
  if (Number.isNaN(date.getTime())) throw new RangeError(`not a timestamp: "${value}"`)
  return date.toISOString()
}

/** A string literal inside a STIX pattern: quotes and backslashes escaped. */
export function patternString(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`
}

const HASH_NAMES = { md5: 'MD5', sha1: 'SHA-1', sha256: 'SHA-256' } as const

type ObservableMapping = {
  sco: Record<string, unknown> & { type: string }
  contributing: Record<string, unknown>
  pattern: string
}

/**
 * How each observable type becomes an SCO and a pattern. Hosts become domain-name: a host name is a DNS
 * name (often unqualified, e.g. ws-042), and domain-name is what every STIX consumer already matches on.
 */
export function mapObservable(o: ExportObservable): ObservableMapping {
  const value = o.value
  const eq = (path: string, v: string): string => `[${path} = ${patternString(v)}]`
  switch (o.type) {
    case 'ipv4':
    case 'ipv6': {
      const type = o.type === 'ipv4' ? 'ipv4-addr' : 'ipv6-addr'
      // A CIDR is a set of addresses: ISSUBSET matches any address inside it.
      const pattern = value.includes('/')
        ? `[${type}:value ISSUBSET ${patternString(value)}]`
        : eq(`${type}:value`, value)
      return { sco: { type, value }, contributing: { value }, pattern }
    }
    case 'domain':
    case 'host': {
      const lower = value.toLowerCase()
      return {
        sco: { type: 'domain-name', value: lower },
        contributing: { value: lower },
        pattern: eq('domain-name:value', lower),
      }
    }
    case 'url':
      return { sco: { type: 'url', value }, contributing: { value }, pattern: eq('url:value', value) }
    case 'email':
      return {
        sco: { type: 'email-addr', value },
        contributing: { value },
        pattern: eq('email-addr:value', value),
      }
    case 'user':
      return {
        sco: { type: 'user-account', user_id: value },
        contributing: { user_id: value },
        pattern: eq('user-account:user_id', value),
      }
    case 'md5':
    case 'sha1':
    case 'sha256': {
      const name = HASH_NAMES[o.type]
      const hex = value.toLowerCase()
      const hashes = { [name]: hex }
      const path = name === 'MD5' ? 'file:hashes.MD5' : `file:hashes.'${name}'`
      return { sco: { type: 'file', hashes }, contributing: { hashes }, pattern: eq(path, hex) }
    }
    case 'file':
      return {
        sco: { type: 'file', name: value },
        contributing: { name: value },
        pattern: eq('file:name', value),
      }
  }
}

/** The bundle for a report, or for an incident: the incident SDO wrapped in a report. */
export function toStixBundle(doc: ExportDocument, options: { now?: string } = {}): StixBundle {
  const id = (type: string, key: string): string =>
    `${type}--${uuidv5(`${doc.id}/${type}/${key}`, OUTPOST_NAMESPACE)}`
  const created = stixTimestamp(doc.created_at)
  const modified = stixTimestamp(doc.updated_at)
  const published = stixTimestamp(options.now ?? doc.updated_at)
  const marking = tlpMarkingDefinition(doc.tlp)
  const markingRefs = [marking.id]
  const identity: StixObject = {
    type: 'identity',
    spec_version: '2.1',
    // The producing organization is the same identity across documents.
    id: `identity--${uuidv5(`identity/${doc.organization}`, OUTPOST_NAMESPACE)}`,
    created,
    modified: created,
    name: doc.organization,
    identity_class: 'organization',
    object_marking_refs: markingRefs,
  }
  const common = {
    spec_version: '2.1',
    created,
    modified,
    created_by_ref: identity.id,
    object_marking_refs: markingRefs,
  }
  const objects: StixObject[] = [marking, identity]
  const refs: string[] = [identity.id]
  const relationship = (source: string, kind: string, target: string): StixObject => ({
    type: 'relationship',
    id: id('relationship', `${source}/${kind}/${target}`),
    ...common,
    relationship_type: kind,
    source_ref: source,
    target_ref: target,
  })

  let incidentId: string | null = null
  if (doc.kind === 'incident') {
    incidentId = id('incident', doc.id)
    objects.push({
      type: 'incident',
      id: incidentId,
      ...common,
      name: doc.title,
      description: doc.body_markdown,
      ...(doc.labels.length > 0 ? { labels: doc.labels } : {}),
    })
    refs.push(incidentId)
  }

  const attackPatternIds: string[] = []
  for (const t of doc.techniques) {
    const apId = id('attack-pattern', t.id)
    attackPatternIds.push(apId)
    objects.push({
      type: 'attack-pattern',
      id: apId,
      ...common,
      name: t.name ?? t.id,
      external_references: [
        {
          source_name: 'mitre-attack',
          external_id: t.id,
          url: `https://attack.mitre.org/techniques/${t.id.replace('.', '/')}/`,
        },
      ],
      ...(t.tactics.length > 0
        ? {
            kill_chain_phases: t.tactics.map((phase_name) => ({
              kill_chain_name: 'mitre-attack',
              phase_name,
            })),
          }
        : {}),
    })
    refs.push(apId)
  }

  const relationships: StixObject[] = []
  for (const o of doc.observables) {
    const { sco, contributing, pattern } = mapObservable(o)
    const scoObject: StixObject = {
      ...sco,
      id: scoId(sco.type, contributing),
      spec_version: '2.1',
      object_marking_refs: markingRefs,
    }
    const key = `${o.type}/${o.value}`
    const firstSeen = stixTimestamp(o.first_seen ?? o.last_seen ?? doc.created_at)
    const lastSeen = stixTimestamp(o.last_seen ?? o.first_seen ?? doc.created_at)
    const observedId = id('observed-data', key)
    const indicatorId = id('indicator', key)
    objects.push(scoObject, {
      type: 'observed-data',
      id: observedId,
      ...common,
      first_observed: firstSeen,
      last_observed: lastSeen < firstSeen ? firstSeen : lastSeen,
      number_observed: 1,
      object_refs: [scoObject.id],
    })
    objects.push({
      type: 'indicator',
      id: indicatorId,
      ...common,
      name: `${o.type} ${o.value}`,
      ...(o.note ? { description: o.note } : {}),
      indicator_types: ['malicious-activity'],
      pattern,
      pattern_type: 'stix',
      pattern_version: '2.1',
      valid_from: firstSeen,
      labels: [o.type],
    })
    relationships.push(relationship(indicatorId, 'based-on', observedId))
    if (incidentId) relationships.push(relationship(indicatorId, 'related-to', incidentId))
    refs.push(scoObject.id, observedId, indicatorId)
  }
  if (incidentId)
    for (const apId of attackPatternIds) relationships.push(relationship(incidentId, 'related-to', apId))
  // The timeline as notes on the incident (or the report): STIX has no timeline object.
  const reportId = id('report', doc.id)
  doc.timeline.forEach((entry, index) => {
    const noteId = id('note', `${index}/${entry.at}/${entry.kind}`)
    objects.push({
      type: 'note',
      id: noteId,
      ...common,
      abstract: `${entry.kind} at ${stixTimestamp(entry.at)}`,
      content: entry.text,
      object_refs: [incidentId ?? reportId],
      labels: [`timeline:${entry.kind}`],
    })
    refs.push(noteId)
  })
  objects.push(...relationships)
  refs.push(...relationships.map((r) => r.id))

  const report: StixObject = {
    type: 'report',
    id: reportId,
    ...common,
    name: doc.title,
    description: doc.body_markdown,
    report_types: [doc.kind === 'incident' ? 'incident' : 'threat-report'],
    published,
    object_refs: [...new Set(refs)],
    labels: [...doc.labels, `status:${doc.status}`, `version:${doc.version}`],
    external_references: [{ source_name: 'outpost', external_id: doc.id }],
  }
  objects.push(report)
  // Two observables may be the same SCO (a host and a domain of the same name): keep one.
  const seen = new Set<string>()
  const unique = objects.filter((o) => (seen.has(o.id) ? false : (seen.add(o.id), true)))
  return { type: 'bundle', id: id('bundle', doc.id), objects: unique }
}

// The document as a MISP event (the JSON MISP imports through "Add event from JSON" or /events/add).
import type { ExportDocument, ObservableType, Tlp } from './model'
import { OUTPOST_NAMESPACE, uuidv5 } from './stix'

export type MispAttribute = {
  uuid: string
  type: string
  category: string
  value: string
  to_ids: boolean
  comment: string
  first_seen?: string
  last_seen?: string
}
export type MispTag = { name: string }
export type MispEvent = {
  Event: {
    uuid: string
    info: string
    date: string
    timestamp: string
    threat_level_id: string
    analysis: string
    distribution: string
    Orgc: { name: string }
    Tag: MispTag[]
    Attribute: MispAttribute[]
  }
}

const ATTRIBUTE: Record<ObservableType, { type: string; category: string; to_ids: boolean }> = {
  ipv4: { type: 'ip-dst', category: 'Network activity', to_ids: true },
  ipv6: { type: 'ip-dst', category: 'Network activity', to_ids: true },
  domain: { type: 'domain', category: 'Network activity', to_ids: true },
  url: { type: 'url', category: 'Network activity', to_ids: true },
  host: { type: 'hostname', category: 'Network activity', to_ids: true },
  md5: { type: 'md5', category: 'Payload delivery', to_ids: true },
  sha1: { type: 'sha1', category: 'Payload delivery', to_ids: true },
  sha256: { type: 'sha256', category: 'Payload delivery', to_ids: true },
  file: { type: 'filename', category: 'Payload delivery', to_ids: true },
  email: { type: 'email-src', category: 'Payload delivery', to_ids: true },
  // A victim account is context, not something to alert on.
  user: { type: 'target-user', category: 'Targeting data', to_ids: false },
}

// MISP distribution: 0 your organisation only, 1 this community only, 2 connected communities, 3 all.
const DISTRIBUTION: Record<Tlp, string> = {
  red: '0',
  'amber+strict': '0',
  amber: '1',
  green: '2',
  clear: '3',
}

function analysis(status: string): string {
  const s = status.toLowerCase()
  if (['closed', 'resolved', 'published', 'done', 'final'].includes(s)) return '2' // completed
  if (['new', 'draft', 'open'].includes(s)) return '0' // initial
  return '1' // ongoing
}

export function toMispEvent(doc: ExportDocument): MispEvent {
  const updated = new Date(doc.updated_at)
  return {
    Event: {
      uuid: uuidv5(`${doc.id}/misp-event`, OUTPOST_NAMESPACE),
      info: doc.title,
      date: new Date(doc.created_at).toISOString().slice(0, 10),
      timestamp: String(Math.floor(updated.getTime() / 1000)),
      // 1 high, 2 medium, 3 low, 4 undefined: an incident is at least medium, a report's level is not ours to set.
      threat_level_id: doc.kind === 'incident' ? '2' : '4',
      analysis: analysis(doc.status),
      distribution: DISTRIBUTION[doc.tlp],
      Orgc: { name: doc.organization },
      Tag: [
        { name: `tlp:${doc.tlp}` },
        ...doc.techniques.map((t) => ({
          name: `misp-galaxy:mitre-attack-pattern="${t.name ? `${t.name} - ${t.id}` : t.id}"`,
        })),
        ...doc.labels.map((name) => ({ name })),
      ],
      Attribute: doc.observables.map((o) => ({
        uuid: uuidv5(`${doc.id}/misp-attribute/${o.type}/${o.value}`, OUTPOST_NAMESPACE),
        ...ATTRIBUTE[o.type],
        value: o.value,
        comment: o.note ?? '',
        ...(o.first_seen ? { first_seen: new Date(o.first_seen).toISOString() } : {}),
        ...(o.last_seen ? { last_seen: new Date(o.last_seen).toISOString() } : {}),
      })),
    },
  }
}

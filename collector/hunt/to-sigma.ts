import { randomUUID } from 'node:crypto'
import { stringify } from 'yaml'
import { isWild, type PatternPart, type QueryNode } from './query'

/** Hunt names -> the Sigma (Sysmon/Windows) field a rule uses for them. */
const SIGMA_FIELD: Record<string, string> = {
  process: 'Image',
  'process.executable': 'Image',
  parent_process: 'ParentImage',
  'process.parent.executable': 'ParentImage',
  command_line: 'CommandLine',
  'process.command_line': 'CommandLine',
  user: 'User',
  'user.name': 'User',
  user_name: 'User',
  host: 'Computer',
  'host.name': 'Computer',
  hostname: 'Computer',
  event_code: 'EventID',
  event_id: 'EventID',
  'event.code': 'EventID',
  channel: 'Channel',
  src_ip: 'SourceIp',
  'source.ip': 'SourceIp',
  dst_ip: 'DestinationIp',
  'destination.ip': 'DestinationIp',
  dst_port: 'DestinationPort',
  'destination.port': 'DestinationPort',
}

const sigmaField = (field: string): string => SIGMA_FIELD[field] ?? SIGMA_FIELD[field.toLowerCase()] ?? field

type Term = Extract<QueryNode, { type: 'term' }>
type Selection = Record<string, unknown>

const escapeSigma = (text: string): string => text.replace(/[\\*?]/g, (c) => `\\${c}`)

/** A term as Sigma's `field|modifier: value`: *x* contains, x* startswith, *x endswith. */
const termEntry = (term: Term): [string, unknown] => {
  const field = sigmaField(term.field ?? '')
  const numeric = /^\d+$/.test(term.value) && !term.wildcard
  if (!term.wildcard) return [field, numeric ? Number(term.value) : term.value]
  const parts = term.pattern
  const literal = (p: readonly PatternPart[]): string | null =>
    p.every((x) => !isWild(x)) ? (p as string[]).join('') : null
  const first = parts[0]
  const last = parts[parts.length - 1]
  const star = (x: PatternPart | undefined): boolean => x !== undefined && isWild(x) && x.wild === '*'
  if (parts.length >= 2 && star(first) && star(last)) {
    const mid = literal(parts.slice(1, -1))
    if (mid !== null) return [`${field}|contains`, mid]
  }
  if (star(last)) {
    const head = literal(parts.slice(0, -1))
    if (head !== null) return [`${field}|startswith`, head]
  }
  if (star(first)) {
    const tail = literal(parts.slice(1))
    if (tail !== null) return [`${field}|endswith`, tail]
  }
  return [field, parts.map((p) => (isWild(p) ? p.wild : escapeSigma(p))).join('')]
}

/**
 * A Sigma rule draft for a hunt query: each OR branch becomes a selection (with NOT terms as its
 * filter), field:(a OR b) a list. What Sigma cannot say (nested OR under AND, full-text mixed
 * with fields) is reported in `warnings` and left out of the draft.
 */
export const toSigma = (node: QueryNode, title: string): { yaml: string; warnings: string[] } => {
  const warnings: string[] = []
  const detection: Record<string, unknown> = {}
  const keywords: string[] = []
  const branches = node.type === 'or' ? node.children : [node]
  const conditions: string[] = []
  let usesProcess = false

  const addTo = (selection: Selection, entry: [string, unknown]): boolean => {
    const [key, value] = entry
    if (key in selection) return false
    selection[key] = value
    if (/^(Image|CommandLine|ParentImage)/.test(key)) usesProcess = true
    return true
  }

  /** A positive node into a selection map; false if Sigma's map cannot hold it. */
  const positive = (selection: Selection, n: QueryNode): boolean => {
    if (n.type === 'term' && n.field !== null) return addTo(selection, termEntry(n))
    if (n.type === 'exists') return addTo(selection, [`${sigmaField(n.field)}|exists`, true])
    if (n.type === 'range') {
      const entries: Array<[string, unknown]> = []
      if (n.lo !== null)
        entries.push([`${sigmaField(n.field)}|${n.loInclusive ? 'gte' : 'gt'}`, Number(n.lo)])
      if (n.hi !== null)
        entries.push([`${sigmaField(n.field)}|${n.hiInclusive ? 'lte' : 'lt'}`, Number(n.hi)])
      if (entries.some(([, v]) => Number.isNaN(v))) return false
      return entries.every((e) => addTo(selection, e))
    }
    if (n.type === 'or' && n.children.every((c) => c.type === 'term' && c.field !== null)) {
      const terms = n.children as Term[]
      const entries = terms.map(termEntry)
      const keys = new Set(entries.map(([k]) => k))
      if (keys.size !== 1) return false
      return addTo(selection, [entries[0]?.[0] ?? '', entries.map(([, v]) => v)])
    }
    return false
  }

  branches.forEach((branch, index) => {
    const parts = branch.type === 'and' ? branch.children : [branch]
    const selection: Selection = {}
    const filter: Selection = {}
    for (const part of parts) {
      if (part.type === 'all') continue
      if (part.type === 'term' && part.field === null && branches.length === 1 && parts.length === 1) {
        keywords.push(part.value)
        continue
      }
      const ok = part.type === 'not' ? positive(filter, part.child) : positive(selection, part)
      if (!ok) warnings.push(`left out: a part of branch ${index + 1} Sigma cannot express as a field map`)
    }
    const suffix = branches.length > 1 ? `_${index + 1}` : ''
    if (Object.keys(selection).length > 0) {
      detection[`selection${suffix}`] = selection
      if (Object.keys(filter).length > 0) {
        detection[`filter${suffix}`] = filter
        conditions.push(`(selection${suffix} and not filter${suffix})`)
      } else conditions.push(`selection${suffix}`)
    }
  })
  if (keywords.length > 0) {
    detection.keywords = keywords
    conditions.push('keywords')
  }
  if (conditions.length === 0)
    warnings.push('nothing in the query can become a Sigma selection; the draft matches nothing')
  detection.condition =
    conditions.length === 0
      ? 'selection'
      : conditions.length === 1
        ? (conditions[0] as string).replace(/^\((.*)\)$/, '$1')
        : conditions.join(' or ')
  if (conditions.length === 0) detection.selection = {}
  if (!usesProcess)
    warnings.push('logsource guessed: set product/category/service to the events this targets')
  const rule = {
    title,
    id: randomUUID(),
    status: 'experimental',
    description: 'Drafted from an Outpost hunt; review the fields and logsource before enabling.',
    author: 'Outpost hunt',
    date: new Date().toISOString().slice(0, 10).replace(/-/g, '/'),
    logsource: usesProcess ? { category: 'process_creation', product: 'windows' } : { product: 'windows' },
    detection,
    falsepositives: ['Unknown'],
    level: 'medium',
  }
  return { yaml: stringify(rule, { lineWidth: 0 }), warnings }
}

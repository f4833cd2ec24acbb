/**
 * The ATT&CK matrix as the console shows it: tactic columns of techniques, each with how many
 * enabled rules cover it and how many alerts hit it. With no imported bundle the matrix is
 * built from what rules and alerts say themselves (their attack.* tags), without names.
 */
import type { AttackTactic, AttackTechnique } from './parse-bundle'

export type MatrixCell = {
  id: string
  name: string | null
  rules: number
  rules_total: number
  alerts: number
}
export type MatrixTechnique = MatrixCell & { subtechniques: MatrixCell[] }
export type MatrixTactic = { id: string; shortname: string; name: string; techniques: MatrixTechnique[] }

export type MatrixRule = { key: string; tags: readonly string[]; enabled: boolean }
export type AlertTally = {
  /** Alerts whose techniques include this exact id. */
  exact: ReadonlyMap<string, number>
  /** Alerts whose techniques include this technique or one of its subtechniques. */
  rolled: ReadonlyMap<string, number>
  /** The technique/tactic combinations alerts carry, for the matrix without a bundle. */
  pairs: ReadonlyArray<{ techniques: readonly string[]; tactics: readonly string[] }>
}

/** Enterprise tactics in matrix order: the columns when no bundle is imported. */
export const ENTERPRISE_TACTICS: readonly AttackTactic[] = [
  ['TA0043', 'reconnaissance', 'Reconnaissance'],
  ['TA0042', 'resource-development', 'Resource Development'],
  ['TA0001', 'initial-access', 'Initial Access'],
  ['TA0002', 'execution', 'Execution'],
  ['TA0003', 'persistence', 'Persistence'],
  ['TA0004', 'privilege-escalation', 'Privilege Escalation'],
  ['TA0005', 'defense-evasion', 'Defense Evasion'],
  ['TA0006', 'credential-access', 'Credential Access'],
  ['TA0007', 'discovery', 'Discovery'],
  ['TA0008', 'lateral-movement', 'Lateral Movement'],
  ['TA0009', 'collection', 'Collection'],
  ['TA0011', 'command-and-control', 'Command and Control'],
  ['TA0010', 'exfiltration', 'Exfiltration'],
  ['TA0040', 'impact', 'Impact'],
].map(([id, shortname, name], position) => ({ id: id!, shortname: shortname!, name: name!, position }))

/** Techniques a rule names in no known tactic go here when nothing is imported. */
export const UNASSIGNED_TACTIC = { id: '', shortname: 'unassigned', name: 'No tactic', position: 99 }

const TECHNIQUE_TAG = /^attack\.(t\d{4}(?:\.\d{3})?)$/
const parentOf = (id: string): string => id.split('.')[0]!
/** Alerts store tactics as the Sigma tags say them (`command_and_control`); MITRE hyphenates. */
const tacticShortname = (tag: string): string => tag.toLowerCase().replaceAll('_', '-')

const ruleTechniques = (tags: readonly string[]): string[] =>
  tags.flatMap((t) => {
    const m = TECHNIQUE_TAG.exec(t.toLowerCase())
    return m ? [m[1]!.toUpperCase()] : []
  })
const ruleTactics = (tags: readonly string[]): string[] =>
  tags.flatMap((t) => {
    const lower = t.toLowerCase()
    return lower.startsWith('attack.') && !TECHNIQUE_TAG.test(lower)
      ? [tacticShortname(lower.slice('attack.'.length))]
      : []
  })

export type MatrixInput = {
  /** Null: nothing imported. */
  attack: { tactics: readonly AttackTactic[]; techniques: readonly AttackTechnique[] } | null
  rules: readonly MatrixRule[]
  alerts: AlertTally
}

export const buildMatrix = ({ attack, rules, alerts }: MatrixInput): MatrixTactic[] => {
  // Rule keys per exact technique id and per parent (itself and its subtechniques).
  const exactRules = new Map<string, Set<MatrixRule>>()
  const rolledRules = new Map<string, Set<MatrixRule>>()
  const add = (map: Map<string, Set<MatrixRule>>, id: string, rule: MatrixRule): void => {
    let set = map.get(id)
    if (!set) map.set(id, (set = new Set()))
    set.add(rule)
  }
  for (const rule of rules)
    for (const id of ruleTechniques(rule.tags)) {
      add(exactRules, id, rule)
      add(rolledRules, parentOf(id), rule)
    }

  const cell = (id: string, name: string | null, rolled: boolean): MatrixCell => {
    const set = (rolled ? rolledRules : exactRules).get(id)
    let enabled = 0
    for (const rule of set ?? []) if (rule.enabled) enabled++
    return {
      id,
      name,
      rules: enabled,
      rules_total: set?.size ?? 0,
      alerts: (rolled ? alerts.rolled : alerts.exact).get(id) ?? 0,
    }
  }

  const columns = attack?.tactics ?? ENTERPRISE_TACTICS
  // tactic shortname -> parent technique id -> subtechnique ids
  const layout = new Map<string, Map<string, Set<string>>>(columns.map((t) => [t.shortname, new Map()]))
  const names = new Map<string, string>()
  const place = (tactic: string, id: string): void => {
    const column = layout.get(tactic)
    if (!column) return
    const parent = parentOf(id)
    let subs = column.get(parent)
    if (!subs) column.set(parent, (subs = new Set()))
    if (parent !== id) subs.add(id)
  }

  if (attack) {
    for (const t of attack.techniques) {
      names.set(t.id, t.name)
      for (const tactic of t.tactics) place(tactic, t.id)
    }
  } else {
    layout.set(UNASSIGNED_TACTIC.shortname, new Map())
    const placeAll = (techniques: readonly string[], tactics: readonly string[]): void => {
      const known = tactics.map(tacticShortname).filter((t) => layout.has(t))
      for (const id of techniques)
        for (const tactic of known.length ? known : ['unassigned']) place(tactic, id)
    }
    for (const rule of rules) placeAll(ruleTechniques(rule.tags), ruleTactics(rule.tags))
    for (const pair of alerts.pairs) placeAll(pair.techniques, pair.tactics)
  }

  const byId = (a: { id: string }, b: { id: string }): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  const result: MatrixTactic[] = []
  for (const tactic of attack ? columns : [...columns, UNASSIGNED_TACTIC]) {
    const column = layout.get(tactic.shortname)!
    if (!attack && tactic === UNASSIGNED_TACTIC && column.size === 0) continue
    const techniques = [...column].map(([id, subs]) => ({
      ...cell(id, names.get(id) ?? null, true),
      subtechniques: [...subs].map((sub) => cell(sub, names.get(sub) ?? null, false)).sort(byId),
    }))
    // Named techniques read best alphabetically, as MITRE's own matrix does; ids otherwise.
    techniques.sort((a, b) => (a.name && b.name ? a.name.localeCompare(b.name) : byId(a, b)))
    result.push({ id: tactic.id, shortname: tactic.shortname, name: tactic.name, techniques })
  }
  return result
}

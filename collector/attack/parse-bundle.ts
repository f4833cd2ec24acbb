/**
 * MITRE ATT&CK from a STIX bundle as MITRE publishes it (mitre/cti, attack-stix-data): the
 * matrix gives the tactic order, tactics their shortnames, attack-patterns the techniques.
 * Revoked and deprecated techniques are left out.
 */
export type AttackTactic = { id: string; shortname: string; name: string; position: number }
export type AttackTechnique = {
  id: string
  name: string
  tactics: string[]
  is_subtechnique: boolean
  parent: string | null
}
export type ParsedAttack = {
  version: string
  tactics: AttackTactic[]
  techniques: AttackTechnique[]
  /** Objects that were skipped, with why; at most 100. */
  problems: string[]
}

export class AttackBundleError extends Error {}

type Obj = Record<string, unknown>
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v)
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null)

/** The ATT&CK id: the external_id of the `mitre-attack` external reference. */
const attackId = (o: Obj): string | null => {
  const refs = o.external_references
  if (!Array.isArray(refs)) return null
  for (const ref of refs) if (isObj(ref) && ref.source_name === 'mitre-attack') return str(ref.external_id)
  return null
}

const MAX_PROBLEMS = 100
const TECHNIQUE_ID = /^T\d{4}(\.\d{3})?$/

export const parseAttackBundle = (json: unknown): ParsedAttack => {
  if (!isObj(json) || json.type !== 'bundle' || !Array.isArray(json.objects))
    throw new AttackBundleError('not a STIX bundle: expected {"type": "bundle", "objects": [...]}')
  const objects = json.objects.filter(isObj)
  const problems: string[] = []
  const problem = (text: string): void => {
    if (problems.length < MAX_PROBLEMS) problems.push(text)
  }
  const live = (o: Obj): boolean => o.revoked !== true && o.x_mitre_deprecated !== true

  const matrices = objects.filter((o) => o.type === 'x-mitre-matrix' && live(o))
  const matrix = matrices[0]
  if (!matrix || !Array.isArray(matrix.tactic_refs))
    throw new AttackBundleError('no ATT&CK matrix in the bundle (an x-mitre-matrix with tactic_refs)')
  if (matrices.length > 1) problem(`${matrices.length} matrices; using the first, ${String(matrix.name)}`)

  const tacticObjects = new Map(objects.filter((o) => o.type === 'x-mitre-tactic').map((o) => [o.id, o]))
  const tactics: AttackTactic[] = []
  for (const ref of matrix.tactic_refs) {
    const o = tacticObjects.get(ref)
    const id = o ? attackId(o) : null
    const shortname = o ? str(o.x_mitre_shortname) : null
    const name = o ? str(o.name) : null
    if (!o || !id || !shortname || !name) {
      problem(`tactic ${String(ref)}: ${o ? 'without id, shortname or name' : 'not in the bundle'}`)
      continue
    }
    tactics.push({ id, shortname, name, position: tactics.length })
  }
  if (tactics.length === 0)
    throw new AttackBundleError('the ATT&CK matrix names no tactic found in the bundle')
  const shortnames = new Set(tactics.map((t) => t.shortname))

  const techniques: AttackTechnique[] = []
  const seen = new Set<string>()
  for (const o of objects) {
    if (o.type !== 'attack-pattern' || !live(o)) continue
    const id = attackId(o)
    const name = str(o.name)
    if (!id || !TECHNIQUE_ID.test(id) || !name) {
      problem(`attack-pattern ${String(o.id)}: without a technique id (T1234) or name`)
      continue
    }
    if (seen.has(id)) {
      problem(`${id}: more than one active attack-pattern; keeping the first`)
      continue
    }
    const phases = Array.isArray(o.kill_chain_phases) ? o.kill_chain_phases.filter(isObj) : []
    const tacticNames = phases
      .filter((p) => p.kill_chain_name === 'mitre-attack' && typeof p.phase_name === 'string')
      .map((p) => p.phase_name as string)
      .filter((p) => shortnames.has(p))
    if (tacticNames.length === 0) {
      problem(`${id}: in no tactic of the matrix`)
      continue
    }
    seen.add(id)
    const dot = id.indexOf('.')
    techniques.push({
      id,
      name,
      tactics: [...new Set(tacticNames)],
      is_subtechnique: o.x_mitre_is_subtechnique === true || dot > 0,
      parent: dot > 0 ? id.slice(0, dot) : null,
    })
  }
  techniques.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))

  // attack-stix-data bundles carry the release in an x-mitre-collection; mitre/cti's do not.
  const collection = objects.find((o) => o.type === 'x-mitre-collection')
  const version =
    (collection && str(collection.x_mitre_version)) ??
    `${str(matrix.name) ?? 'ATT&CK'} (modified ${str(matrix.modified) ?? 'unknown'})`
  return { version, tactics, techniques, problems }
}

/** The attack:* calls over the imported ATT&CK set, the rule book and the alerts table. */
import { readFile, rm } from 'node:fs/promises'
import type { Audited } from '../detect/rule-calls'
import { ContractError, type CallRes, type ParsedReq } from '../contract'
import type { AttackRepo } from '../store/sqlite/attack-repo'
import { buildMatrix, type MatrixRule } from './matrix'
import { AttackBundleError, parseAttackBundle, type ParsedAttack } from './parse-bundle'

type AttackCall = 'attack:import' | 'attack:matrix' | 'attack:techniques'
export type AttackHandlers = { [K in AttackCall]: (req: ParsedReq<K>) => CallRes<K> | Promise<CallRes<K>> }

/** Reads and parses a bundle file; what is wrong with it is the caller's invalid_request. */
export const readAttackBundle = async (path: string, name = path): Promise<ParsedAttack> => {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new ContractError('not_found', `cannot read ${name}: ${(error as Error).message}`)
  }
  let json: unknown
  try {
    json = JSON.parse(text)
  } catch (error) {
    throw new ContractError('invalid_request', `${name} is not JSON: ${(error as Error).message}`)
  }
  try {
    return parseAttackBundle(json)
  } catch (error) {
    if (error instanceof AttackBundleError)
      throw new ContractError('invalid_request', `${name}: ${error.message}`)
    throw error
  }
}

export const attackHandlers = (
  repo: AttackRepo,
  rules: () => readonly MatrixRule[],
  findUpload: (id: string) => Promise<{ path: string; name: string } | undefined>,
  audited: Audited,
): AttackHandlers => ({
  'attack:import': async (req) => {
    let parsed: ParsedAttack
    if ('path' in req) parsed = await readAttackBundle(req.path)
    else {
      const upload = await findUpload(req.upload_id)
      if (!upload) throw new ContractError('not_found', `no waiting upload with id ${req.upload_id}`)
      try {
        parsed = await readAttackBundle(upload.path, upload.name)
      } finally {
        await rm(upload.path, { force: true })
      }
    }
    const meta = audited(
      (done) => ({
        action: 'import',
        object_type: 'attack',
        object_id: done.version,
        details: { tactics: done.tactics, techniques: done.techniques },
      }),
      () => repo.replace(parsed),
    )
    return {
      version: meta.version,
      tactics: meta.tactics,
      techniques: meta.techniques,
      problems: parsed.problems,
    }
  },
  'attack:matrix': () => {
    const meta = repo.meta()
    const attack = meta ? { tactics: repo.tactics(), techniques: repo.techniques() } : null
    return {
      imported: meta && { version: meta.version, imported_at: new Date(meta.imported_at).toISOString() },
      tactics: buildMatrix({ attack, rules: rules(), alerts: repo.alertTally() }),
    }
  },
  'attack:techniques': (req) => ({ names: repo.names(req.ids) }),
})

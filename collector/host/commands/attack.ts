import { ContractError } from '../../contract'
import { readAttackBundle } from '../../attack/attack-calls'
import { AttackRepo } from '../../store/sqlite/attack-repo'
import { StartupError } from '../errors'
import { withStore } from './store'
import { commonOptions, parse, UsageError, type Command } from './common'

const HELP = `Usage: outpost attack import FILE [--data-dir DIR] [--json]

Imports MITRE ATT&CK from a STIX bundle (enterprise-attack.json as MITRE publishes it): tactics
and techniques, for technique names and the ATT&CK view. Replaces what was imported before.
Revoked and deprecated techniques are left out. Works on the data dir directly.

Options:
  --data-dir DIR   data dir
  --json           print JSON instead of text
  -h, --help       show this help
`

export const attackCommand: Command = {
  summary: 'import MITRE ATT&CK from a STIX bundle',
  run: async (args, io) => {
    const { values, positionals } = parse(
      args,
      { ...commonOptions, json: { type: 'boolean' } },
      'attack',
      true,
    )
    if (values.help) {
      io.stdout(HELP)
      return 0
    }
    const [verb, file, ...extra] = positionals
    if (verb !== 'import') throw new UsageError('say what to do: import FILE (see outpost attack --help)')
    if (!file) throw new UsageError('outpost attack import needs a FILE (a STIX bundle)')
    if (extra.length > 0)
      throw new UsageError(`unexpected argument "${extra[0]}" (see outpost attack --help)`)

    let parsed
    try {
      parsed = await readAttackBundle(file)
    } catch (error) {
      if (error instanceof ContractError) throw new StartupError(error.message)
      throw error
    }
    return withStore(values['data-dir'], io.env, ({ db, audited }) => {
      const meta = audited(
        (done) => ({
          action: 'import',
          object_type: 'attack',
          object_id: done.version,
          details: { tactics: done.tactics, techniques: done.techniques, file },
        }),
        () => new AttackRepo(db).replace(parsed),
      )
      const sub = parsed.techniques.filter((t) => t.is_subtechnique).length
      io.stdout(
        values.json
          ? JSON.stringify({ ...meta, subtechniques: sub, problems: parsed.problems }) + '\n'
          : `imported ATT&CK ${meta.version}: ${meta.tactics} tactics, ${meta.techniques - sub} techniques, ${sub} subtechniques` +
              (parsed.problems.length ? `; ${parsed.problems.length} objects skipped` : '') +
              '\n',
      )
      return 0
    })
  },
}

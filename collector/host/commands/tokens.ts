import type { IngestToken } from '../../contract'
import { ContractError } from '../../contract'
import { TokensRepo } from '../../store/sqlite/tokens-repo'
import { StartupError } from '../errors'
import { commonOptions, parse, UsageError, type Command } from './common'
import { withStore } from './store'

const HELP = `Usage: outpost tokens list [--json]
       outpost tokens create NAME [--json]
       outpost tokens revoke ID|NAME [--json]

Ingest tokens for forwarders: Splunk HEC (Authorization: Splunk <token>) and the JSON listener
when it requires a token. A first start creates one named "default". Works on the data dir
directly, also while Outpost is running: changes apply at once.

Options:
  --data-dir DIR   data dir
  --json           print JSON instead of a table
  -h, --help       show this help
`

const table = (tokens: IngestToken[]): string => {
  if (tokens.length === 0) return 'no tokens\n'
  const rows = tokens.map((t) => [
    t.name,
    t.token,
    t.revoked_at ? `revoked ${t.revoked_at}` : 'active',
    t.last_used_at ?? 'never',
    t.id,
  ])
  const header = ['NAME', 'TOKEN', 'STATUS', 'LAST USED', 'ID']
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)))
  return (
    [header, ...rows]
      .map((r) =>
        r
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  )
}

export const tokensCommand: Command = {
  summary: 'list, create or revoke ingest tokens (HEC, HTTP)',
  run: (args, io) => {
    const { values, positionals } = parse(
      args,
      { ...commonOptions, json: { type: 'boolean' } },
      'tokens',
      true,
    )
    if (values.help) {
      io.stdout(HELP)
      return 0
    }
    const [verb, target, ...extra] = positionals
    if (verb === undefined)
      throw new UsageError('say what to do: list, create NAME or revoke ID|NAME (see outpost tokens --help)')
    if (extra.length > 0)
      throw new UsageError(`unexpected argument "${extra[0]}" (see outpost tokens --help)`)
    if ((verb === 'create' || verb === 'revoke') && !target)
      throw new UsageError(`outpost tokens ${verb} needs a ${verb === 'create' ? 'NAME' : 'ID or NAME'}`)
    if (!['list', 'create', 'revoke'].includes(verb))
      throw new UsageError(`unknown tokens command "${verb}": use list, create or revoke`)

    return withStore(values['data-dir'], io.env, ({ db, audited }) => {
      const repo = new TokensRepo(db)
      repo.ensureDefault()
      try {
        // A change is recorded in the audit log in its own transaction, as the console records it.
        const result =
          verb === 'list'
            ? repo.list()
            : [
                audited({ action: verb, object_type: 'token', object_id: target! }, () =>
                  verb === 'create' ? repo.create(target!) : repo.revoke(target!),
                ),
              ]
        io.stdout(
          values.json
            ? JSON.stringify(verb === 'list' ? { tokens: result } : { token: result[0] }) + '\n'
            : table(result),
        )
        return 0
      } catch (error) {
        if (error instanceof ContractError) throw new StartupError(error.message)
        throw error
      }
    })
  },
}

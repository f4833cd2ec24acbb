import { AuditLog } from '../../store/sqlite/audit-repo'
import { commonOptions, parse, UsageError, type Command } from './common'
import { withStore } from './store'

const HELP = `Usage: outpost audit verify [--data-dir DIR] [--json]
       outpost audit list [--limit N] [--data-dir DIR] [--json]

The audit log records every change made through Outpost (rules, alerts, incidents, tokens,
exports…), append-only, each entry chained to the previous by SHA-256.

  verify   walks the whole chain: prints "intact" and exits 0, or the first entry that does not
           follow (changed, removed or inserted) and exits 1
  list     the newest entries, newest first

Works on the data dir directly, also while Outpost is running.

Options:
  --data-dir DIR   data dir
  --limit N        entries to list (default 50)
  --json           print JSON
  -h, --help       show this help
`

export const auditCommand: Command = {
  summary: 'verify or list the tamper-evident audit log',
  run: (args, io) => {
    const { values, positionals } = parse(
      args,
      { ...commonOptions, json: { type: 'boolean' }, limit: { type: 'string' } },
      'audit',
      true,
    )
    if (values.help) {
      io.stdout(HELP)
      return 0
    }
    const [verb, ...extra] = positionals
    if (verb !== 'verify' && verb !== 'list')
      throw new UsageError(
        verb === undefined
          ? 'say what to do: verify or list (see outpost audit --help)'
          : `unknown audit command "${verb}": use verify or list`,
      )
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}" (see outpost audit --help)`)
    const limit = Number(values.limit ?? 50)
    if (!Number.isInteger(limit) || limit < 1 || limit > 10_000)
      throw new UsageError(`--limit must be a whole number from 1 to 10000, got "${values.limit}"`)

    return withStore(values['data-dir'], io.env, ({ db }) => {
      const audit = new AuditLog(db)
      if (verb === 'list') {
        const entries = audit.list(limit)
        io.stdout(
          values.json
            ? JSON.stringify({ entries }) + '\n'
            : entries
                .map(
                  (e) =>
                    `${e.seq}\t${e.at}\t${e.actor}\t${e.action}\t${e.object_type}\t${e.object_id ?? '-'}`,
                )
                .join('\n') + (entries.length > 0 ? '\n' : 'no entries\n'),
        )
        return 0
      }
      const verdict = audit.verify()
      if (values.json) io.stdout(JSON.stringify(verdict) + '\n')
      else if (verdict.intact) io.stdout(`intact (${verdict.entries} entries)\n`)
      else io.stdout(`broken at entry ${verdict.seq}: ${verdict.reason}\n`)
      return verdict.intact ? 0 : 1
    })
  },
}

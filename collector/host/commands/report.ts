import { readFileSync } from 'node:fs'
import { Tlp } from '../../contract'
import { ReportError, ReportsRepo } from '../../store/sqlite/reports-repo'
import { parseObservableArg } from '../../workspace/observables'
import { commonOptions, parse, UsageError, type Command } from './common'
import { withStore } from './store'

const HELP = `Usage: outpost report create --title TITLE (--body-file FILE | --body TEXT)
                             [--tlp clear|green|amber|amber+strict|red]
                             [--observable TYPE:VALUE …] [--technique T1059.001 …]
                             [--operation ID] [--incident ID …] [--asset KIND:VALUE …] [--json]

Writes an intelligence report (a draft) into the data dir and prints its id; export it with
outpost export report ID. Observable types: ipv4, ipv6, domain, url, md5, sha1, sha256, email,
user, host, file. Works beside a running Outpost; the change is in the audit log.

Options:
  --data-dir DIR        data dir
  --title TITLE         the report's title
  --body TEXT           its markdown body, or
  --body-file FILE      read from a file ("-": standard input is not supported, name a file)
  --tlp LEVEL           TLP 2.0 marking (default amber)
  --observable TYPE:VALUE   repeat for each (e.g. --observable ipv4:203.0.113.9)
  --technique ID        an ATT&CK technique, repeat for each
  --operation ID        the operation it belongs to
  --incident ID         an incident it draws on, repeat for each
  --asset KIND:VALUE    an asset it concerns (host:ws01, ip:10.0.0.5, user:alice…), repeat
  --json                print the whole report as JSON
  -h, --help            show this help
`

/** The store's refusals (an unknown operation or incident) are the caller's to fix: said as usage. */
const refusedAsUsage = <T>(run: () => T): T => {
  try {
    return run()
  } catch (error) {
    if (error instanceof ReportError) throw new UsageError(error.message)
    throw error
  }
}

export const reportCommand: Command = {
  summary: 'create an intelligence report',
  run: async (args, io) => {
    const { values, positionals } = parse(
      args,
      {
        ...commonOptions,
        title: { type: 'string' },
        body: { type: 'string' },
        'body-file': { type: 'string' },
        tlp: { type: 'string' },
        observable: { type: 'string', multiple: true },
        technique: { type: 'string', multiple: true },
        operation: { type: 'string' },
        incident: { type: 'string', multiple: true },
        asset: { type: 'string', multiple: true },
        json: { type: 'boolean' },
      },
      'report',
      true,
    )
    if (values.help) {
      io.stdout(HELP)
      return 0
    }
    const [verb, ...extra] = positionals
    if (verb !== 'create')
      throw new UsageError(
        verb === undefined
          ? 'say what to do: create (see outpost report --help)'
          : `unknown report command "${verb}": use create`,
      )
    if (extra.length > 0)
      throw new UsageError(`unexpected argument "${extra[0]}" (see outpost report --help)`)
    const title = values.title?.trim()
    if (!title) throw new UsageError('a report needs --title TITLE')
    if (values.body !== undefined && values['body-file'] !== undefined)
      throw new UsageError('give --body or --body-file, not both')
    let body = values.body ?? ''
    if (values['body-file'] !== undefined) {
      try {
        body = readFileSync(values['body-file'], 'utf8')
      } catch (error) {
        throw new UsageError(`cannot read --body-file ${values['body-file']}: ${(error as Error).message}`)
      }
    }
    const tlp = Tlp.safeParse(values.tlp ?? 'amber')
    if (!tlp.success)
      throw new UsageError(`--tlp must be one of ${Tlp.options.join(', ')}, got "${values.tlp}"`)
    const observables = (values.observable ?? []).map((arg) => {
      const parsed = parseObservableArg(arg)
      if (typeof parsed === 'string') throw new UsageError(`--observable ${parsed}`)
      return parsed
    })
    const techniques = (values.technique ?? []).map((id) => {
      const upper = id.toUpperCase()
      if (!/^T\d{4}(\.\d{3})?$/.test(upper))
        throw new UsageError(`--technique ${id}: an ATT&CK technique id such as T1059 or T1059.001`)
      return upper
    })
    const assets = values.asset ?? []
    for (const asset of assets)
      if (!/^(host|ip|user|process|service):.+$/.test(asset))
        throw new UsageError(
          `--asset ${asset}: an asset id is KIND:VALUE with KIND host, ip, user, process or service`,
        )
    return withStore(values['data-dir'], io.env, ({ db, actor, audited }) => {
      const reports = new ReportsRepo(db)
      const report = refusedAsUsage(() =>
        audited(
          (created) => ({
            action: 'create',
            object_type: 'report',
            object_id: created.id,
            details: { title },
          }),
          () =>
            reports.create(
              {
                title,
                body,
                tlp: tlp.data,
                techniques,
                labels: [],
                observables,
                operation_id: values.operation ?? null,
                incidents: values.incident ?? [],
                assets,
              },
              actor,
            ),
        ),
      )
      io.stdout(values.json ? JSON.stringify({ report }) + '\n' : `${report.id}\n`)
      return 0
    })
  },
}

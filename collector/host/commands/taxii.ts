import { TaxiiPuller, type PullResult } from '../../sync/taxii/client'
import { TaxiiIndicatorsRepo } from '../../sync/taxii/indicators-repo'
import { loadConfig } from '../config'
import { silentLogger } from '../log'
import { dataFiles } from '../paths'
import { commonOptions, parse, UsageError, type Command } from './common'
import { withStore } from './store'

const HELP = `Usage: outpost taxii pull [--source NAME] [--json]

Pulls STIX indicators now from the TAXII 2.1 collections listed under taxii.sources in the data
dir's config.yaml (each from where its last pull stopped), into the IOC watchlist. Works beside a
running Outpost. Exits 1 when a source failed.

Options:
  --data-dir DIR   data dir
  --source NAME    only this source
  --json           print the results as JSON
  -h, --help       show this help
`

const line = (r: PullResult): string => {
  const skipped = Object.entries(r.skipped)
    .map(([reason, n]) => `${reason} ${n}`)
    .join(', ')
  return r.error !== null
    ? `${r.source}: failed: ${r.error}\n`
    : `${r.source}: ${r.stored} stored, ${r.removed} revoked, ${r.pages} page(s)${skipped ? `; skipped: ${skipped}` : ''}\n`
}

export const taxiiCommand: Command = {
  summary: 'pull STIX indicators from the configured TAXII 2.1 collections',
  run: (args, io) => {
    const { values, positionals } = parse(
      args,
      { ...commonOptions, source: { type: 'string' }, json: { type: 'boolean' } },
      'taxii',
      true,
    )
    if (values.help) {
      io.stdout(HELP)
      return 0
    }
    const [verb, ...extra] = positionals
    if (verb !== 'pull')
      throw new UsageError(
        verb === undefined
          ? 'say what to do: pull (see outpost taxii --help)'
          : `unknown taxii command "${verb}": use pull`,
      )
    if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}" (see outpost taxii --help)`)
    return withStore(values['data-dir'], io.env, async ({ db, dataDir }) => {
      const file = dataFiles(dataDir).config
      const { sources } = loadConfig(file).taxii
      if (sources.length === 0)
        throw new UsageError(`no TAXII sources configured: list them under taxii.sources in ${file}`)
      const names = sources.map((s) => s.name)
      if (values.source !== undefined && !names.includes(values.source))
        throw new UsageError(`no TAXII source named ${values.source}; configured: ${names.join(', ')}`)
      const puller = new TaxiiPuller({ sources, repo: new TaxiiIndicatorsRepo(db), db, log: silentLogger })
      const results: PullResult[] = []
      for (const name of values.source === undefined ? names : [values.source])
        results.push(await puller.pull(name))
      io.stdout(values.json ? JSON.stringify({ results }) + '\n' : results.map(line).join(''))
      return results.some((r) => r.error !== null) ? 1 : 0
    })
  },
}

import type { BundleImportResult, BundlePreview, ContentVersion } from '../../contract'
import { SYNC_PUSH_KINDS } from '../../contract'
import { CONTENT_TYPES, type ContentType } from '../../sync/bundle/format'
import type { PushKind } from '../../sync/bundle/local-records'
import { commonOptions, parse, UsageError, type CliIo, type Command } from './common'
import { withBundles } from './bundle-service'

const HELP = `Usage: outpost bundle export --out FILE [--since ISO|N] [--kinds alert,incident,…] [--json]
       outpost bundle export --outbox --out FILE [--json]
       outpost bundle import FILE [--dry-run] [--json]
       outpost bundle content export --type rule-pack|attack|watchlist --in PATH --version V
                                     [--name NAME] --out FILE [--json]
       outpost bundle content list [--json]
       outpost bundle content rollback --type T [--name NAME] [--to VERSION] [--json]

Signed bundles carry records and content between installations on removable media.

  export           writes this installation's alerts, incidents (timeline, comments, observables,
                   evidence metadata and files), reports, analyst-edited assets and audit
                   entries as one signed file, numbered 1, 2, …; --since TIME only what changed
                   since then, --since N what changed after bundle N; --kinds a subset of ${SYNC_PUSH_KINDS.join(', ')}.
                   --outbox instead carries the sync outbox entries no bundle carried yet, as
                   online sync sends them: the bundle delivery channel (on an export-only
                   console its outbox drains as bundles are written). Use --outbox for regular
                   transfers over a data diode, a selection to hand over chosen objects again
  import           verifies the signature against the trusted keys (outpost keys) and every
                   entry's SHA-256, then stores everything in one transaction, or nothing.
                   Importing the same bundle again adds nothing. --dry-run shows what would be
                   new, changed, unchanged or in conflict (and which fields), storing nothing.
                   On a core's data dir (last served with --role core) records go through the
                   core's merge, as a running core imports them; that needs the data dir to
                   itself, so it is refused while Outpost serves it
  content export   signs a rule pack (a folder, .zip or .yml of Sigma rules), an ATT&CK STIX
                   bundle or an IOC watchlist (CSV with type,value[,source,valid_from,valid_until,level], or JSON)
                   with a version; "bundle import" installs it
  content list     installed content versions (* marks the active one)
  content rollback restores the version installed before the active one, or --to VERSION

bundles.mode in config.yaml (two-way, export-only, import-only) makes a side of a data diode
refuse what it must not do. Works on the data dir directly.

Options:
  --data-dir DIR   data dir
  --json           print JSON
  -h, --help       show this help
`

const options = {
  ...commonOptions,
  json: { type: 'boolean' },
  out: { type: 'string' },
  since: { type: 'string' },
  kinds: { type: 'string' },
  outbox: { type: 'boolean' },
  'dry-run': { type: 'boolean' },
  type: { type: 'string' },
  in: { type: 'string' },
  version: { type: 'string' },
  name: { type: 'string' },
  to: { type: 'string' },
} as const

const needs = (value: string | undefined, flag: string, what: string): string => {
  if (value === undefined || value === '')
    throw new UsageError(`${what} needs ${flag} (see outpost bundle --help)`)
  return value
}

const contentType = (value: string | undefined, what: string): ContentType => {
  const type = needs(value, '--type', what)
  if (!(CONTENT_TYPES as readonly string[]).includes(type))
    throw new UsageError(`--type must be one of ${CONTENT_TYPES.join(', ')}, got "${type}"`)
  return type as ContentType
}

const parseKinds = (text: string | undefined): PushKind[] | undefined => {
  if (text === undefined) return undefined
  const kinds = text
    .split(',')
    .map((k) => k.trim())
    .filter(Boolean)
  for (const kind of kinds)
    if (!(SYNC_PUSH_KINDS as readonly string[]).includes(kind))
      throw new UsageError(`--kinds: unknown kind "${kind}" (use ${SYNC_PUSH_KINDS.join(', ')})`)
  if (kinds.length === 0) throw new UsageError('--kinds names no kind')
  return kinds as PushKind[]
}

const previewText = (preview: BundlePreview | BundleImportResult, dryRun: boolean): string => {
  const b = preview.bundle
  const what = b.kind === 'records' ? 'records' : `${b.content_type} "${b.name}" ${b.version}`
  const lines = [
    `bundle ${b.bundle_id}: ${what} from ${b.origin}, signed by "${b.signer.name}" (key ${b.signer.key_id}), made ${b.created_at}`,
  ]
  const c = preview.counts
  const summary = `${c.new} new, ${c.changed} changed, ${c.conflict} conflicts, ${c.unchanged} already present`
  if (dryRun) {
    lines.push(`would import: ${summary} (nothing stored: --dry-run)`)
    const shown = preview.items.filter((i) => i.status !== 'unchanged')
    if (shown.length > 0) {
      lines.push('STATUS     KIND      VERSION  STORED  KEPT      ID  FIELDS')
      for (const i of shown)
        lines.push(
          `${i.status.padEnd(10)} ${i.kind.padEnd(9)} ${i.incoming_version.padEnd(8)} ${(i.stored_version ?? '-').padEnd(7)} ${i.winner.padEnd(9)} ${i.id}  ${i.fields.join(',')}`,
        )
    }
  } else lines.push(`imported: ${summary}; ${(preview as BundleImportResult).applied} stored`)
  return lines.join('\n') + '\n'
}

const versionsText = (versions: readonly ContentVersion[]): string =>
  versions.length === 0
    ? 'no content installed from bundles\n'
    : versions
        .map(
          (v) =>
            `${v.active ? '*' : ' '} ${v.type.padEnd(9)} ${v.name.padEnd(24)} ${v.version.padEnd(12)} ${v.installed_at}  signer ${v.signer}`,
        )
        .join('\n') + '\n'

const run = async (args: string[], io: CliIo): Promise<number> => {
  const { values, positionals } = parse(args, options, 'bundle', true)
  if (values.help) {
    io.stdout(HELP)
    return 0
  }
  const [verb, sub, ...rest] = positionals
  const print = (value: unknown, text: string): number => {
    io.stdout(values.json ? JSON.stringify(value) + '\n' : text)
    return 0
  }
  if (verb === 'export') {
    if (sub !== undefined) throw new UsageError(`unexpected argument "${sub}" (see outpost bundle --help)`)
    const out = needs(values.out, '--out FILE', 'outpost bundle export')
    const kinds = parseKinds(values.kinds)
    return withBundles(values['data-dir'], io.env, async (service) => {
      const outbox = values.outbox === true
      const done = await service.exportRecords({ out, since: values.since, kinds, outbox })
      const counts = Object.entries(done.counts)
        .map(([k, n]) => `${n} ${k}`)
        .join(', ')
      const nothing =
        outbox && done.counts.records === 0 ? 'nothing new in the outbox since the last bundle\n' : ''
      return print(
        done,
        `${nothing}wrote ${done.file} (bundle number ${done.version}, ${done.bytes} bytes, id ${done.bundle_id}): ${counts}\nsha256 ${done.sha256}\n`,
      )
    })
  }
  if (verb === 'import') {
    const file = needs(sub, 'a FILE', 'outpost bundle import')
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}" (see outpost bundle --help)`)
    const dryRun = values['dry-run'] === true
    return withBundles(
      values['data-dir'],
      io.env,
      async (service) => {
        const result = dryRun ? await service.preview(file) : await service.import(file)
        return print(result, previewText(result, dryRun))
      },
      dryRun ? {} : { asCore: 'bundle import' },
    )
  }
  if (verb === 'content') {
    if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}" (see outpost bundle --help)`)
    if (sub === 'export') {
      const req = {
        type: contentType(values.type, 'outpost bundle content export'),
        in: needs(values.in, '--in PATH', 'outpost bundle content export'),
        version: needs(values.version, '--version V', 'outpost bundle content export'),
        name: values.name,
        out: needs(values.out, '--out FILE', 'outpost bundle content export'),
      }
      return withBundles(values['data-dir'], io.env, async (service) => {
        const done = await service.exportContent(req)
        const counts = Object.entries(done.counts)
          .map(([k, n]) => `${n} ${k}`)
          .join(', ')
        return print(
          done,
          `wrote ${done.file} (${req.type} ${req.version}, ${counts}, bundle ${done.bundle_id})\nsha256 ${done.sha256}\n`,
        )
      })
    }
    if (sub === 'list')
      return withBundles(values['data-dir'], io.env, (service) => {
        const versions = service.contentList()
        return print({ versions }, versionsText(versions))
      })
    if (sub === 'rollback') {
      const type = contentType(values.type, 'outpost bundle content rollback')
      return withBundles(values['data-dir'], io.env, (service) => {
        const done = service.rollback({ type, name: values.name, to: values.to })
        return print(
          done,
          `${type} "${done.to.name}": rolled back from ${done.from.version} to ${done.to.version}\n`,
        )
      })
    }
    throw new UsageError('say what to do with content: export, list or rollback (see outpost bundle --help)')
  }
  throw new UsageError('say what to do: export, import FILE or content … (see outpost bundle --help)')
}

export const bundleCommand: Command = { summary: 'export and import signed bundles (records, content)', run }

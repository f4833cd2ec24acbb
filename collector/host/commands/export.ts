import { createHash } from 'node:crypto'
import { writeFileSync } from 'node:fs'
import { ExportFormat } from '../../contract'
import { ReportsRepo } from '../../store/sqlite/reports-repo'
import { EXPORTS, incidentDocument, renderExport, reportDocument } from '../../workspace/report-export'
import type { ExportDocument } from '../../workspace/export/model'
import { AlertsRepo } from '../../store/sqlite/alerts-repo'
import { CasesRepo, type CaseDetail } from '../../store/sqlite/cases-repo'
import { EvidenceStore } from '../../workspace/evidence-store'
import { StartupError } from '../errors'
import { dataFiles } from '../paths'
import { commonOptions, parse, UsageError, type Command } from './common'
import { withStore } from './store'

const FORMATS = ExportFormat.options

const HELP = `Usage: outpost export report|incident ID --format FORMAT --out FILE [--data-dir DIR]

Writes a report or an incident (with its timeline) as a file to hand over: ${FORMATS.join(', ')}.
  stix       STIX 2.1 bundle (report, indicators, SCOs, attack-patterns, TLP 2.0 markings)
  html       one self-contained HTML file (prints well)
  md         Markdown
  pdf        PDF, printed by Chromium from the HTML (needs chromium, or OUTPOST_CHROMIUM)
  csv        the observables
  misp       a MISP event
  navigator  an ATT&CK Navigator layer (techniques scored by alerts)
  package    a zip of all of these (PDF when Chromium is there) and manifest.json with each
             file's SHA-256
Prints the file's SHA-256 and size; the export is recorded in the audit log.

Options:
  --data-dir DIR    data dir
  --format FORMAT   one of the above
  --out FILE        where to write it
  -h, --help        show this help
`

export const exportCommand: Command = {
  summary: 'export a report or an incident (STIX, HTML, Markdown, PDF, CSV, MISP, Navigator, package)',
  run: async (args, io) => {
    const { values, positionals } = parse(
      args,
      { ...commonOptions, format: { type: 'string', short: 'f' }, out: { type: 'string', short: 'o' } },
      'export',
      true,
    )
    if (values.help) {
      io.stdout(HELP)
      return 0
    }
    const [kind, id, ...extra] = positionals
    if (kind !== 'report' && kind !== 'incident')
      throw new UsageError(
        kind === undefined
          ? 'say what to export: report ID or incident ID (see outpost export --help)'
          : `cannot export "${kind}": use report ID or incident ID`,
      )
    if (!id) throw new UsageError(`name the ${kind}: outpost export ${kind} ID`)
    if (extra.length > 0)
      throw new UsageError(`unexpected argument "${extra[0]}" (see outpost export --help)`)
    const format = values.format
    if (format === undefined || !(FORMATS as readonly string[]).includes(format))
      throw new UsageError(
        `--format must be one of ${FORMATS.join(', ')}${format ? `, got "${format}"` : ''}`,
      )
    if (!values.out) throw new UsageError('say where to write it: --out FILE')
    const out = values.out
    return withStore(values['data-dir'], io.env, async ({ db, dataDir, actor, audited }) => {
      let doc: ExportDocument
      if (kind === 'report') {
        const report = new ReportsRepo(db).get(id)
        if (!report) throw new StartupError(`no report with id ${id} (outpost report create makes one)`)
        doc = reportDocument(db, report)
      } else {
        let detail: CaseDetail
        try {
          detail = new CasesRepo(db, new AlertsRepo(db)).detail(id)
        } catch {
          throw new StartupError(`no incident with id ${id} (the console lists them: Alerts, incidents)`)
        }
        // The package carries the evidence files; the limit only matters when attaching.
        const evidence = new EvidenceStore(dataFiles(dataDir).evidence, Number.MAX_SAFE_INTEGER)
        const bytes =
          format === 'package' ? await evidence.readAll(detail.evidence.map((e) => e.sha256)) : undefined
        doc = incidentDocument(db, detail, actor, bytes)
      }
      const bytes = await renderExport(doc, format as (typeof FORMATS)[number])
      const sha256 = createHash('sha256').update(bytes).digest('hex')
      audited(
        {
          action: 'export',
          object_type: kind,
          object_id: id,
          details: { format, sha256, bytes: bytes.length },
        },
        () => writeFileSync(out, bytes),
      )
      io.stdout(
        `${out}\t${EXPORTS[format as (typeof FORMATS)[number]].media_type}\t${bytes.length} bytes\tsha256 ${sha256}\n`,
      )
      return 0
    })
  },
}

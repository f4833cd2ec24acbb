/**
 * A stored report -> an export file: the document the export library renders (export/), with
 * technique names and tactics from the imported ATT&CK set and alert counts from the store, and
 * PDF printed by Chromium from the same self-contained HTML.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import type { Database } from 'better-sqlite3'
import type { ExportFormat, Report } from '../contract'
import { AttackRepo } from '../store/sqlite/attack-repo'
import type { CaseDetail } from '../store/sqlite/cases-repo'
import { observablesCsv } from './export/csv'
import { toHtml } from './export/html'
import { toMarkdown } from './export/markdown'
import { toMispEvent } from './export/misp'
import type { ExportDocument, ExportRelated } from './export/model'
import { toNavigatorLayer } from './export/navigator'
import { toPackage } from './export/package'
import { toStixBundle } from './export/stix'

export const ORGANIZATION = 'Outpost'

/** A report's operation, incidents (by title) and assets, for the readers of its export. */
const reportRelated = (db: Database, report: Report): ExportRelated[] => {
  const operation = report.operation_id
    ? (db.prepare('SELECT name FROM operations WHERE id = ?').get(report.operation_id) as
        { name: string } | undefined)
    : undefined
  const title = db.prepare('SELECT title FROM incidents WHERE id = ?')
  return [
    ...(report.operation_id
      ? [{ kind: 'operation' as const, id: report.operation_id, label: operation?.name ?? '' }]
      : []),
    ...report.incidents.map((id) => ({
      kind: 'incident' as const,
      id,
      label: (title.get(id) as { title: string } | undefined)?.title ?? '',
    })),
    ...report.assets.map((id) => ({ kind: 'asset' as const, id, label: id.slice(id.indexOf(':') + 1) })),
  ]
}

/** The export document of a report: what every format is rendered from. */
export const reportDocument = (db: Database, report: Report): ExportDocument => {
  const attack = new AttackRepo(db)
  const known = new Map(attack.techniques().map((t) => [t.id, t]))
  const tally = attack.alertTally()
  return {
    kind: 'report',
    id: report.id,
    title: report.title,
    body_markdown: report.body,
    status: report.status,
    tlp: report.tlp,
    author: report.author,
    organization: ORGANIZATION,
    created_at: report.created_at,
    updated_at: report.updated_at,
    version: report.version,
    observables: report.observables.map((o) => ({
      type: o.type,
      value: o.value,
      first_seen: o.first_seen,
      last_seen: o.last_seen,
      note: o.note,
    })),
    techniques: report.techniques.map((id) => ({
      id,
      name: known.get(id)?.name ?? null,
      tactics: known.get(id)?.tactics ?? [],
      alerts: tally.exact.get(id) ?? 0,
    })),
    timeline: [],
    evidence: [],
    labels: report.labels,
    related: reportRelated(db, report),
  }
}

/**
 * A timeline text with the values of observables removed from the incident (and not added again)
 * left out: the export says that one was added or removed, never which.
 */
const withoutRemovedValues = (text: string, detail: CaseDetail): string => {
  const present = new Set(detail.observables.map((o) => `${o.type}:${o.value}`))
  let out = text
  for (const r of detail.removed) {
    if (r.part !== 'observables' || present.has(r.key)) continue
    const colon = r.key.indexOf(':')
    const [type, value] = [r.key.slice(0, colon), r.key.slice(colon + 1)]
    for (const said of [r.key, `${type} ${value}`]) out = out.split(said).join(`(removed ${type})`)
    out = out.split(value).join('(removed)')
  }
  return out
}

/**
 * The export document of an incident: its alerts' techniques, observables, the timeline and its
 * evidence, with the bytes (by SHA-256) when the format carries them (the package).
 */
export const incidentDocument = (
  db: Database,
  detail: CaseDetail,
  author: string,
  evidenceBytes: ReadonlyMap<string, Uint8Array> = new Map(),
): ExportDocument => {
  const attack = new AttackRepo(db)
  const known = new Map(attack.techniques().map((t) => [t.id, t]))
  const perTechnique = new Map<string, number>()
  for (const alert of detail.alerts)
    for (const id of alert.techniques) perTechnique.set(id, (perTechnique.get(id) ?? 0) + alert.count)
  const { incident } = detail
  const body = [
    `Severity: ${incident.severity}. Status: ${incident.status}.${incident.assignee ? ` Assignee: ${incident.assignee}.` : ''}`,
    '',
    `${incident.alert_count} alert(s) from ${incident.first_timestamp} to ${incident.last_timestamp}.`,
    ...(incident.description.trim() ? ['', incident.description.trim()] : []),
    // A retracted comment is exported as its tombstone: who retracted it and when, never its text.
    ...detail.comments.map((c) =>
      c.retracted
        ? `\n**${c.actor}** (${c.at}): _comment retracted by ${c.retracted.actor} at ${c.retracted.at}_`
        : `\n**${c.actor}** (${c.at}):\n\n${c.body}`,
    ),
  ].join('\n')
  return {
    kind: 'incident',
    id: incident.id,
    title: incident.title,
    body_markdown: body,
    status: incident.status,
    tlp: incident.tlp,
    author,
    organization: ORGANIZATION,
    created_at: incident.created_at,
    updated_at: incident.updated_at,
    version: 1,
    observables: detail.observables.map((o) => ({
      type: o.type,
      value: o.value,
      first_seen: o.first_seen,
      last_seen: o.last_seen,
      note: o.note,
    })),
    techniques: [...perTechnique].map(([id, alerts]) => ({
      id,
      name: known.get(id)?.name ?? null,
      tactics: known.get(id)?.tactics ?? [],
      alerts,
    })),
    timeline: detail.timeline.map((t) => ({
      at: t.at,
      kind: t.kind === 'evidence' ? 'action' : t.kind,
      text: withoutRemovedValues(t.text, detail),
    })),
    evidence: detail.evidence.map((e) => {
      const bytes = evidenceBytes.get(e.sha256)
      return { name: e.name, sha256: e.sha256, size: e.size, ...(bytes && { bytes }) }
    }),
    labels: [],
  }
}

export const EXPORTS: Record<ExportFormat, { extension: string; media_type: string }> = {
  stix: { extension: 'stix.json', media_type: 'application/stix+json;version=2.1' },
  html: { extension: 'html', media_type: 'text/html' },
  md: { extension: 'md', media_type: 'text/markdown' },
  pdf: { extension: 'pdf', media_type: 'application/pdf' },
  csv: { extension: 'csv', media_type: 'text/csv' },
  misp: { extension: 'misp.json', media_type: 'application/json' },
  navigator: { extension: 'layer.json', media_type: 'application/json' },
  package: { extension: 'zip', media_type: 'application/zip' },
}

const json = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value, null, 2) + '\n')
const text = (value: string): Uint8Array => new TextEncoder().encode(value)

/** Where Chromium is: OUTPOST_CHROMIUM, else Debian's and the usual places. */
export const findChromium = (env: NodeJS.ProcessEnv = process.env): string | null => {
  const candidates = [
    env.OUTPOST_CHROMIUM,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
  ]
  return (
    candidates.find((path): path is string => path !== undefined && path !== '' && existsSync(path)) ?? null
  )
}

/**
 * Prints self-contained HTML to PDF with headless Chromium (no network: the HTML references
 * nothing). An aborted `signal` kills Chromium; its temporary dir goes either way.
 */
export const htmlToPdf = async (
  html: string,
  chromium = findChromium(),
  signal?: AbortSignal,
): Promise<Uint8Array> => {
  if (!chromium)
    throw new ExportError(
      'PDF export needs Chromium: install it (apt-get install chromium) or set OUTPOST_CHROMIUM',
    )
  const dir = await mkdtemp(join(tmpdir(), 'outpost-pdf-'))
  try {
    const input = join(dir, 'report.html')
    const output = join(dir, 'report.pdf')
    await writeFile(input, html)
    const args = [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--no-pdf-header-footer',
      `--user-data-dir=${join(dir, 'profile')}`,
      `--print-to-pdf=${output}`,
      pathToFileURL(input).href,
    ]
    const stderr = await new Promise<string>((resolve, reject) => {
      const child = spawn(chromium, args, { stdio: ['ignore', 'ignore', 'pipe'] })
      let err = ''
      child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()))
      const timer = setTimeout(() => child.kill('SIGKILL'), 60_000)
      const abort = (): void => void child.kill('SIGKILL')
      if (signal?.aborted) abort()
      else signal?.addEventListener('abort', abort, { once: true })
      const settle = (): void => {
        clearTimeout(timer)
        signal?.removeEventListener('abort', abort)
      }
      child.on('error', (error) => {
        settle()
        reject(new ExportError(`cannot run ${chromium}: ${error.message}`))
      })
      child.on('close', () => {
        settle()
        resolve(err)
      })
    })
    if (signal?.aborted) throw new ExportCancelled('PDF printing stopped')
    if (!existsSync(output))
      throw new ExportError(
        `Chromium wrote no PDF: ${stderr.trim().split('\n').slice(-3).join(' ') || 'no output'}`,
      )
    return new Uint8Array(await readFile(output))
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

export class ExportError extends Error {
  override name = 'ExportError'
}

/** The export's signal aborted (its task was cancelled): nothing was written. */
export class ExportCancelled extends Error {
  override name = 'ExportCancelled'
}

/**
 * One export file's bytes. `package` is a zip of every format, the PDF when Chromium is there,
 * and a manifest of SHA-256 hashes (export/package.ts).
 */
export const renderExport = async (
  doc: ExportDocument,
  format: ExportFormat,
  signal?: AbortSignal,
): Promise<Uint8Array> => {
  switch (format) {
    case 'stix':
      return json(toStixBundle(doc))
    case 'html':
      return text(toHtml(doc))
    case 'md':
      return text(toMarkdown(doc))
    case 'csv':
      return text(observablesCsv(doc))
    case 'misp':
      return json(toMispEvent(doc))
    case 'navigator':
      return json(toNavigatorLayer(doc))
    case 'pdf':
      return htmlToPdf(toHtml(doc), findChromium(), signal)
    case 'package':
      return toPackage(
        doc,
        findChromium() ? { pdf: await htmlToPdf(toHtml(doc), findChromium(), signal) } : {},
      )
  }
}

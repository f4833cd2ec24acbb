/**
 * The reports:* calls: every change in one transaction with its audit entry (see AuditLog), and
 * the repo's refusals (unknown id, stale version, a status that cannot follow) as contract errors.
 */
import { createHash } from 'node:crypto'
import { renameSync, rmSync } from 'node:fs'
import { open, rm } from 'node:fs/promises'
import type { Database } from 'better-sqlite3'
import { ContractError, type CallRes, type ExportFormat, type ParsedReq } from '../contract'
import type { ExportDocument } from './export/model'
import type { Audited } from '../detect/rule-calls'
import type { ReportsRepo } from '../store/sqlite/reports-repo'
import { observableProblem } from './observables'
import { EXPORTS, ExportCancelled, ExportError, renderExport, reportDocument } from './report-export'
import { refused } from './refused'

type ReportCall = 'reports:list' | 'reports:get' | 'reports:versions' | 'reports:create' | 'reports:update'
export type ReportHandlers = {
  [K in ReportCall]: (req: ParsedReq<K>) => CallRes<K> | Promise<CallRes<K>>
} & {
  /** Run as a task by the host (create-core), which passes its handle. */
  'reports:export': (
    req: ParsedReq<'reports:export'>,
    task?: ExportTask,
  ) => Promise<CallRes<'reports:export'>>
}

/** Every observable checked before anything is written; the first bad one is named with its index. */
const checkObservables = (
  name: string,
  list: ReadonlyArray<{ type: Parameters<typeof observableProblem>[0]; value: string }> | undefined,
): void => {
  list?.forEach((o, index) => {
    const problem = observableProblem(o.type, o.value)
    if (problem)
      throw new ContractError(
        'invalid_request',
        `${name}: observables.${index} (${o.type} ${JSON.stringify(o.value)}): ${problem}`,
      )
  })
}

/** An export run as a task: its signal (Cancel) and where it is (the tray's bar). */
export type ExportTask = {
  readonly signal: AbortSignal
  progress(fraction: number | null, phase?: string): void
}

/** Written this much at a time, so a Cancel stops a large file (a package with evidence) part-way. */
export const EXPORT_WRITE_CHUNK = 1024 * 1024

const cancelled = (call: string): ContractError =>
  new ContractError('cancelled', `${call}: cancelled; no file was left behind`)

/**
 * Writes `bytes` to `<path>.partial` a chunk at a time, stopping when `task` is cancelled (the
 * partial file removed); the caller renames it into place.
 */
const writePartial = async (call: string, partial: string, bytes: Uint8Array, task?: ExportTask) => {
  const file = await open(partial, 'w', 0o600)
  try {
    let at = 0
    do {
      if (task?.signal.aborted) throw cancelled(call)
      const length = Math.min(EXPORT_WRITE_CHUNK, bytes.length - at)
      await file.write(bytes, at, length)
      at += length
      task?.progress(0.5 + (0.5 * at) / Math.max(1, bytes.length), 'writing')
    } while (at < bytes.length)
    await file.sync()
  } catch (error) {
    await file.close()
    await rm(partial, { force: true })
    throw error
  }
  await file.close()
}

/**
 * Renders an export, writes it to `path` or hands the bytes back, and audits it (format, SHA-256,
 * size, where): the same for reports and incidents. With a task: phases and a fraction for its
 * bar, and Cancel honoured between phases, inside PDF printing (Chromium killed) and between
 * written chunks; a cancelled export leaves no file (written to `<path>.partial`, renamed when
 * whole) and no audit entry.
 */
export const deliverExport = async (options: {
  call: string
  doc: ExportDocument
  format: ExportFormat
  path: string | null
  audited: Audited
  task?: ExportTask
}): Promise<CallRes<'reports:export'>> => {
  const { call, doc, format, path, audited, task } = options
  if (task?.signal.aborted) throw cancelled(call)
  task?.progress(0.1, 'rendering')
  let bytes: Uint8Array
  try {
    bytes = await renderExport(doc, format, task?.signal)
  } catch (error) {
    if (error instanceof ExportCancelled || task?.signal.aborted) throw cancelled(call)
    if (error instanceof ExportError) throw new ContractError('unsupported', `${call}: ${error.message}`)
    throw error
  }
  if (task?.signal.aborted) throw cancelled(call)
  task?.progress(0.5, path === null ? 'sending' : 'writing')
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  const { extension, media_type } = EXPORTS[format]
  const partial = path === null ? null : `${path}.partial`
  if (partial !== null) await writePartial(call, partial, bytes, task)
  try {
    audited(
      {
        action: 'export',
        object_type: doc.kind,
        object_id: doc.id,
        details: { format, sha256, bytes: bytes.length, path },
      },
      () => {
        // Cancelled while the last chunk was written: still nothing left behind.
        if (task?.signal.aborted) throw cancelled(call)
        if (partial !== null && path !== null) renameSync(partial, path)
      },
    )
  } finally {
    if (partial !== null) rmSync(partial, { force: true })
  }
  return {
    name: `${fileStem(doc.title)}.${extension}`,
    media_type,
    bytes: bytes.length,
    sha256,
    path,
    content_base64: path === null ? Buffer.from(bytes).toString('base64') : null,
  }
}

/** A file name from a title: letters, digits and dashes, never a path. */
const fileStem = (title: string): string =>
  title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80) || 'report'

export const reportHandlers = (
  reports: ReportsRepo,
  db: Database,
  audited: Audited,
  author: string,
): ReportHandlers => ({
  'reports:export': async (req, task) => {
    const report = reports.get(req.id)
    if (!report) throw new ContractError('not_found', `no report with id ${req.id}`)
    return deliverExport({
      call: 'reports:export',
      doc: reportDocument(db, report),
      format: req.format,
      path: req.path ?? null,
      audited,
      task,
    })
  },
  'reports:list': (req) => reports.list(req),
  'reports:get': (req) => {
    const report = reports.get(req.id)
    if (!report) throw new ContractError('not_found', `no report with id ${req.id}`)
    return { report }
  },
  'reports:versions': (req) => {
    const versions = reports.versions(req.id, req.version)
    if (!versions) throw new ContractError('not_found', `no report with id ${req.id}`)
    if (req.version !== undefined && versions.length === 0)
      throw new ContractError('not_found', `report ${req.id} has no version ${req.version}`)
    return { versions }
  },
  'reports:create': (req) => {
    checkObservables('reports:create', req.observables)
    const report = refused(() =>
      audited(
        (created) => ({
          action: 'create',
          object_type: 'report',
          object_id: created.id,
          details: { title: req.title },
        }),
        () => reports.create(req, author),
      ),
    )
    return { report }
  },
  'reports:update': (req) => {
    checkObservables('reports:update', req.observables)
    const { id, version, ...change } = req
    const fields = Object.keys(change).filter((k) => change[k as keyof typeof change] !== undefined)
    const report = refused(() =>
      audited(
        {
          action: change.status !== undefined ? 'status' : 'update',
          object_type: 'report',
          object_id: id,
          details: { fields, from_version: version, ...(change.status ? { status: change.status } : {}) },
        },
        () => reports.update(id, version, change, author),
      ),
    )
    return { report }
  },
})

/** The incidents:* case calls; each change is audited in its transaction (see AuditLog). */
import { basename } from 'node:path'
import type { Database } from 'better-sqlite3'
import { ContractError, type CallRes, type ParsedReq } from '../contract'
import type { Audited } from '../detect/rule-calls'
import type { CasesRepo } from '../store/sqlite/cases-repo'
import { EVIDENCE_GET_MAX_BYTES, mediaTypeOf, type EvidenceStore, type StoredBytes } from './evidence-store'
import { observableProblem } from './observables'
import { deliverExport, type ExportTask } from './report-calls'
import { incidentDocument } from './report-export'
import { refused } from './refused'

type CaseCall =
  | 'incidents:get'
  | 'incidents:update'
  | 'incidents:comment'
  | 'incidents:observe'
  | 'incidents:unobserve'
  | 'incidents:retract'
  | 'incidents:attach'
  | 'evidence:get'
export type CaseHandlers = { [K in CaseCall]: (req: ParsedReq<K>) => CallRes<K> | Promise<CallRes<K>> } & {
  /** Run as a task by the host (create-core), which passes its handle. */
  'incidents:export': (
    req: ParsedReq<'incidents:export'>,
    task?: ExportTask,
  ) => Promise<CallRes<'incidents:export'>>
}

/** Browser mode's uploads (`PUT /api/upload`), taken once: an upload is imported or attached, not both. */
export type UploadDesk = {
  take(id: string): Promise<{ path: string; name: string } | undefined>
  /** Deletes the upload once attached (or refused). */
  finish(path: string): Promise<void>
}

export type CaseDeps = {
  evidence: EvidenceStore
  uploads: UploadDesk
  /** Called after each change to an incident (the core pushes `incidents:changed`). */
  changed: (id: string) => void
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/

export const caseHandlers = (
  cases: CasesRepo,
  db: Database,
  audited: Audited,
  actor: string,
  deps: CaseDeps,
): CaseHandlers => ({
  'incidents:export': async (req, task) => {
    const detail = refused(() => cases.detail(req.id))
    // Only the package carries the files themselves; every other format lists them.
    task?.progress(0, 'reading')
    const bytes =
      req.format === 'package' ? await deps.evidence.readAll(detail.evidence.map((e) => e.sha256)) : undefined
    return deliverExport({
      call: 'incidents:export',
      doc: incidentDocument(db, detail, actor, bytes),
      format: req.format,
      path: req.path ?? null,
      audited,
      task,
    })
  },
  'incidents:attach': async (req) => {
    const { id } = req
    refused(() => cases.assertIncident(id))
    let stored: StoredBytes
    let name: string
    if ('content_base64' in req) {
      const text = req.content_base64.replace(/\s+/g, '')
      if (text.length % 4 === 1 || !BASE64.test(text))
        throw new ContractError(
          'invalid_request',
          'incidents:attach: content_base64 is not base64; encode the file with standard base64 (A-Z a-z 0-9 + /)',
        )
      const bytes = Buffer.from(text, 'base64')
      name = req.name
      deps.evidence.checkSize(name, bytes.length)
      stored = await deps.evidence.putBytes(name, bytes)
    } else if ('path' in req) {
      name = req.name ?? basename(req.path)
      deps.evidence.checkSize(req.path, await deps.evidence.sizeOf(req.path, 'path'))
      stored = await deps.evidence.putFile(req.path, req.path)
    } else {
      const upload = await deps.uploads.take(req.upload_id)
      if (!upload)
        throw new ContractError(
          'not_found',
          `incidents:attach: no waiting upload with id ${req.upload_id}; upload the file again (PUT /api/upload)`,
        )
      name = req.name
      try {
        deps.evidence.checkSize(name, await deps.evidence.sizeOf(upload.path, 'upload'))
        stored = await deps.evidence.putFile(name, upload.path)
      } finally {
        await deps.uploads.finish(upload.path)
      }
    }
    // Idempotent: the same bytes on the same incident are the attachment already there.
    const twin = cases.findEvidence(id, stored.sha256)
    if (twin) return { evidence: twin }
    let evidence
    try {
      evidence = refused(() =>
        audited(
          {
            action: 'attach',
            object_type: 'incident',
            object_id: id,
            details: { name, sha256: stored.sha256, size: stored.size },
          },
          () =>
            cases.attach(id, {
              name,
              media_type: mediaTypeOf(name),
              size: stored.size,
              sha256: stored.sha256,
              note: req.note ?? null,
              actor,
            }),
        ),
      )
    } catch (error) {
      if (!cases.evidenceStored(stored.sha256)) await deps.evidence.discard(stored.sha256)
      throw error
    }
    deps.changed(id)
    return { evidence }
  },
  'evidence:get': async (req) => {
    const evidence = refused(() => cases.evidence(req.id))
    if (evidence.size > EVIDENCE_GET_MAX_BYTES)
      throw new ContractError(
        'invalid_request',
        `evidence:get: ${evidence.name} is ${evidence.size} bytes, over the ${EVIDENCE_GET_MAX_BYTES} bytes (32 MB) handed back inline; export the incident as a package (incidents:export format package) to get it`,
      )
    let bytes: Uint8Array
    try {
      bytes = await deps.evidence.read(evidence.sha256)
    } catch {
      throw new ContractError(
        'not_found',
        `evidence:get: the bytes of ${evidence.name} (SHA-256 ${evidence.sha256}) are missing from ${deps.evidence.dir}`,
      )
    }
    return { evidence, content_base64: Buffer.from(bytes).toString('base64') }
  },
  'incidents:get': (req) => refused(() => cases.detail(req.id)),
  'incidents:update': (req) => {
    const { id, ...change } = req
    const fields = Object.fromEntries(Object.entries(change).filter(([, v]) => v !== undefined))
    const incident = refused(() =>
      audited(
        {
          action: change.status !== undefined ? 'status' : 'update',
          object_type: 'incident',
          object_id: id,
          details: fields,
        },
        () => cases.update(id, change),
      ),
    )
    deps.changed(id)
    return { incident }
  },
  'incidents:comment': (req) => {
    const comment = refused(() =>
      audited(
        {
          action: 'comment',
          object_type: 'incident',
          object_id: req.id,
          details: { chars: req.body.length },
        },
        () => cases.comment(req.id, req.body, actor),
      ),
    )
    deps.changed(req.id)
    return { comment }
  },
  'incidents:observe': (req) => {
    req.observables.forEach((o, index) => {
      const problem = observableProblem(o.type, o.value)
      if (problem)
        throw new ContractError(
          'invalid_request',
          `incidents:observe: observables.${index} (${o.type} ${JSON.stringify(o.value)}): ${problem}`,
        )
    })
    const added = refused(() =>
      audited(
        {
          action: 'observe',
          object_type: 'incident',
          object_id: req.id,
          details: { observables: req.observables.map((o) => `${o.type}:${o.value}`) },
        },
        () => cases.observe(req.id, req.observables),
      ),
    )
    deps.changed(req.id)
    return { added }
  },
  'incidents:unobserve': (req) => {
    const removal = refused(() =>
      audited(
        {
          action: 'unobserve',
          object_type: 'incident',
          object_id: req.id,
          details: { type: req.type, value: req.value },
        },
        () => cases.unobserve(req.id, req.type, req.value, actor),
      ),
    )
    deps.changed(req.id)
    return { removal }
  },
  'incidents:retract': (req) => {
    // A retraction is permanent: retracting again answers the tombstone, with no new audit entry.
    const current = refused(() => cases.detail(req.id)).comments.find((c) => c.id === req.comment_id)
    if (current?.retracted) return { comment: current }
    // Audited without the text (as comments are): the fact, whose comment, and who retracted it.
    const { comment } = refused(() =>
      audited(
        (outcome: { author: string }) => ({
          action: 'retract',
          object_type: 'incident',
          object_id: req.id,
          details: { comment: req.comment_id, author: outcome.author },
        }),
        () => cases.retract(req.id, req.comment_id, actor),
      ),
    )
    deps.changed(req.id)
    return { comment }
  },
})

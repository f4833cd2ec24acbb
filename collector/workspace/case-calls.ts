/** The incidents:* case calls; each change is audited in its transaction (see AuditLog). */
import type { Database } from 'better-sqlite3'
import { ContractError, type CallRes, type ParsedReq } from '../contract'
import type { Audited } from '../detect/rule-calls'
import type { CasesRepo } from '../store/sqlite/cases-repo'
import { observableProblem } from './observables'
import { deliverExport } from './report-calls'
import { incidentDocument } from './report-export'
import { refused } from './refused'

type CaseCall =
  'incidents:get' | 'incidents:update' | 'incidents:comment' | 'incidents:observe' | 'incidents:export'
export type CaseHandlers = { [K in CaseCall]: (req: ParsedReq<K>) => CallRes<K> | Promise<CallRes<K>> }

export const caseHandlers = (
  cases: CasesRepo,
  db: Database,
  audited: Audited,
  actor: string,
): CaseHandlers => ({
  'incidents:export': (req) =>
    deliverExport({
      call: 'incidents:export',
      doc: incidentDocument(
        db,
        refused(() => cases.detail(req.id)),
        actor,
      ),
      format: req.format,
      path: req.path ?? null,
      audited,
    }),
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
    return { added }
  },
})

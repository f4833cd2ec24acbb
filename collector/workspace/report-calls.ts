/**
 * The reports:* calls: every change in one transaction with its audit entry (see AuditLog), and
 * the repo's refusals (unknown id, stale version, a status that cannot follow) as contract errors.
 */
import { ContractError, type CallRes, type ParsedReq } from '../contract'
import type { Audited } from '../detect/rule-calls'
import { ReportError, type ReportsRepo } from '../store/sqlite/reports-repo'
import { observableProblem } from './observables'

type ReportCall = 'reports:list' | 'reports:get' | 'reports:create' | 'reports:update'
export type ReportHandlers = { [K in ReportCall]: (req: ParsedReq<K>) => CallRes<K> }

const refused = <T>(run: () => T): T => {
  try {
    return run()
  } catch (error) {
    if (error instanceof ReportError) throw new ContractError(error.code, error.message)
    throw error
  }
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

export const reportHandlers = (reports: ReportsRepo, audited: Audited, author: string): ReportHandlers => ({
  'reports:list': (req) => reports.list(req),
  'reports:get': (req) => {
    const report = reports.get(req.id)
    if (!report) throw new ContractError('not_found', `no report with id ${req.id}`)
    return { report }
  },
  'reports:create': (req) => {
    checkObservables('reports:create', req.observables)
    const report = audited(
      (created) => ({
        action: 'create',
        object_type: 'report',
        object_id: created.id,
        details: { title: req.title },
      }),
      () => reports.create(req, author),
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

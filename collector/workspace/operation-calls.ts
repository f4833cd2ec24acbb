/** operations:* and missions:* calls; each change audited in its transaction. */
import type { CallRes, ParsedReq } from '../contract'
import type { Audited } from '../detect/rule-calls'
import type { OperationsRepo } from '../store/sqlite/operations-repo'
import { refused } from './refused'

type OperationCall =
  | 'operations:list'
  | 'operations:create'
  | 'operations:update'
  | 'missions:list'
  | 'missions:create'
  | 'missions:update'
export type OperationHandlers = { [K in OperationCall]: (req: ParsedReq<K>) => CallRes<K> }

const changed = (change: Record<string, unknown>): string[] =>
  Object.keys(change).filter((key) => change[key] !== undefined)

export const operationHandlers = (repo: OperationsRepo, audited: Audited): OperationHandlers => ({
  'operations:list': (req) => ({ operations: repo.operations(req) }),
  'operations:create': (req) => ({
    operation: refused(() =>
      audited(
        (made) => ({
          action: 'create',
          object_type: 'operation',
          object_id: made.id,
          details: { name: req.name },
        }),
        () => repo.createOperation(req),
      ),
    ),
  }),
  'operations:update': (req) => {
    const { id, ...change } = req
    return {
      operation: refused(() =>
        audited(
          {
            action: change.status !== undefined ? 'status' : 'update',
            object_type: 'operation',
            object_id: id,
            details: { fields: changed(change), ...(change.status ? { status: change.status } : {}) },
          },
          () => repo.updateOperation(id, change),
        ),
      ),
    }
  },
  'missions:list': (req) => ({ missions: repo.missions(req) }),
  'missions:create': (req) => ({
    mission: refused(() =>
      audited(
        (made) => ({
          action: 'create',
          object_type: 'mission',
          object_id: made.id,
          details: { operation: req.operation_id, title: req.title },
        }),
        () => repo.createMission(req),
      ),
    ),
  }),
  'missions:update': (req) => {
    const { id, ...change } = req
    return {
      mission: refused(() =>
        audited(
          {
            action: change.status !== undefined ? 'status' : 'update',
            object_type: 'mission',
            object_id: id,
            details: { fields: changed(change), ...(change.status ? { status: change.status } : {}) },
          },
          () => repo.updateMission(id, change),
        ),
      ),
    }
  },
})

/** assets:* and graph:get; a manual change is audited in its transaction. */
import { ContractError, type CallRes, type ParsedReq } from '../contract'
import type { Audited } from '../detect/rule-calls'
import { AssetError, type AssetsRepo } from '../store/sqlite/assets-repo'

type AssetCall = 'assets:list' | 'assets:get' | 'assets:create' | 'assets:update' | 'graph:get'
export type AssetHandlers = { [K in AssetCall]: (req: ParsedReq<K>) => CallRes<K> }

/** The repo's refusals (unknown asset, malformed id) as contract errors. */
const answered = <T>(run: () => T): T => {
  try {
    return run()
  } catch (error) {
    if (error instanceof AssetError) throw new ContractError(error.code, error.message)
    throw error
  }
}

export const assetHandlers = (repo: AssetsRepo, audited: Audited): AssetHandlers => ({
  'assets:list': (req) => repo.list(req),
  'assets:get': (req) => answered(() => repo.get(req.id, req.events)),
  'assets:create': (req) => ({
    asset: answered(() =>
      audited(
        (asset) => ({
          action: 'create',
          object_type: 'asset',
          object_id: asset.id,
          details: { kind: req.kind, value: req.value },
        }),
        () => repo.create(req),
      ),
    ),
  }),
  'assets:update': (req) => {
    const { id, ...change } = req
    return {
      asset: answered(() =>
        audited(
          (asset) => ({
            action: 'update',
            object_type: 'asset',
            object_id: asset.id,
            details: Object.fromEntries(Object.entries(change).filter(([, value]) => value !== undefined)),
          }),
          () => repo.update(id, change),
        ),
      ),
    }
  },
  'graph:get': (req) => answered(() => repo.graph(req)),
})

/** The keys:*, bundles:* and watchlist:* calls over the bundle service. */
import type { CallRes, ParsedReq } from '../../contract'
import type { BundleService } from './bundle-service'

type BundleCall =
  | 'keys:show'
  | 'keys:list'
  | 'keys:trust'
  | 'keys:revoke'
  | 'bundles:export'
  | 'bundles:content-export'
  | 'bundles:preview'
  | 'bundles:import'
  | 'bundles:content-list'
  | 'bundles:content-rollback'
  | 'watchlist:list'
export type BundleHandlers = { [K in BundleCall]: (req: ParsedReq<K>) => CallRes<K> | Promise<CallRes<K>> }

export const bundleHandlers = (service: BundleService): BundleHandlers => ({
  'keys:show': () => service.showKey(),
  'keys:list': () => ({ keys: service.keys.list() }),
  'keys:trust': (req) => ({ key: service.trust(req.name, req.public_key, req.scope) }),
  'keys:revoke': (req) => ({ key: service.revoke(req.name) }),
  'bundles:export': (req) => service.exportRecords(req),
  'bundles:content-export': (req) => service.exportContent(req),
  'bundles:preview': (req) => service.preview(req.path),
  'bundles:import': (req) => service.import(req.path),
  'bundles:content-list': () => ({ versions: service.contentList() }),
  'bundles:content-rollback': (req) => service.rollback(req),
  'watchlist:list': (req) => service.watchlist(req),
})

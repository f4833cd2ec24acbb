import { ContractError } from '../../contract'
import { BundleService } from '../../sync/bundle/bundle-service'
import { loadConfig } from '../config'
import { StartupError } from '../errors'
import { dataFiles } from '../paths'
import { syncLoaders } from '../sync-loaders'
import { withStore } from './store'

/**
 * The bundle service over the data dir's store, for `outpost keys` and `outpost bundle`. With
 * `asCore` (an import), a core's data dir is opened as the core: records go through its merge.
 */
export const withBundles = <T>(
  dataDir: string | undefined,
  env: NodeJS.ProcessEnv,
  use: (service: BundleService) => T | Promise<T>,
  options: { asCore?: string } = {},
): Promise<T> =>
  withStore(
    dataDir,
    env,
    async ({ db, dataDir: dir, audited, sync, role }) => {
      const files = dataFiles(dir)
      const service = new BundleService({
        db,
        dataDir: dir,
        audited,
        mode: loadConfig(files.config).bundles.mode,
        evidenceDir: files.evidence,
        // On a console's data dir, records imported are applied to its tables; on a core's, through
        // its merge, as the running core applies them (create-core).
        sync: { store: sync.store, records: sync.records, core: role === 'core', loaders: syncLoaders(db) },
      })
      try {
        return await use(service)
      } catch (error) {
        // The contract's refusals are the CLI's errors: exit 1 with the same message.
        if (error instanceof ContractError) throw new StartupError(error.message)
        throw error
      }
    },
    options,
  )

import { ContractError } from '../../contract'
import { BundleService } from '../../sync/bundle/bundle-service'
import { loadConfig } from '../config'
import { StartupError } from '../errors'
import { dataFiles } from '../paths'
import { syncLoaders } from '../sync-loaders'
import { withStore } from './store'

/** The bundle service over the data dir's store, for `outpost keys` and `outpost bundle`. */
export const withBundles = <T>(
  dataDir: string | undefined,
  env: NodeJS.ProcessEnv,
  use: (service: BundleService) => T | Promise<T>,
): Promise<T> =>
  withStore(dataDir, env, async ({ db, dataDir: dir, audited, sync }) => {
    const files = dataFiles(dir)
    const service = new BundleService({
      db,
      dataDir: dir,
      audited,
      mode: loadConfig(files.config).bundles.mode,
      evidenceDir: files.evidence,
      // The CLI opens a data dir as a console: records imported here are applied to its tables.
      sync: { store: sync.store, records: sync.records, core: false, loaders: syncLoaders(db) },
    })
    try {
      return await use(service)
    } catch (error) {
      // The contract's refusals are the CLI's errors: exit 1 with the same message.
      if (error instanceof ContractError) throw new StartupError(error.message)
      throw error
    }
  })

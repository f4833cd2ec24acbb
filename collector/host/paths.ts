import { homedir } from 'node:os'
import { join } from 'node:path'

/**
 * The per-user data dir, shared by the desktop app and the CLI so both open the same store.
 * OUTPOST_DATA_DIR overrides it (tests, portable installs).
 */
export const defaultDataDir = (
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string => {
  if (env.OUTPOST_DATA_DIR) return env.OUTPOST_DATA_DIR
  const home = env.HOME ?? homedir()
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'Outpost', 'data')
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'Outpost', 'data')
  return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'outpost')
}

export const dataFiles = (dataDir: string) => ({
  config: join(dataDir, 'config.yaml'),
  token: join(dataDir, 'api-token'),
  lock: join(dataDir, 'outpost.lock'),
  sqlite: join(dataDir, 'outpost.sqlite'),
  duckdb: join(dataDir, 'archive.duckdb'),
  uploads: join(dataDir, 'uploads'),
})

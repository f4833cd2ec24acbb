import { homedir } from 'node:os'
import { existsSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

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
  // Incident evidence, one file per content, named by its SHA-256.
  evidence: join(dataDir, 'evidence'),
})

/**
 * A file shipped in the repo's resources/ (default mappings, example rules), found by walking up
 * from this module: the same code runs from source (tests) and bundled in out/main/.
 */
export const resourceFile = (relative: string, from: string = import.meta.url): string | null => {
  let dir = dirname(fileURLToPath(from))
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'resources', relative)
    if (existsSync(candidate)) return candidate
    const parent = dirname(dir)
    if (parent === dir) break
    dir = parent
  }
  return null
}

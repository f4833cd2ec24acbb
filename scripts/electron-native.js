// better-sqlite3 is a V8 addon: the copy npm builds for Node cannot load in Electron, and
// rebuilding it in place would break the Node tests. So the Electron build lives beside it,
// in out/native/, and the core loads it through better-sqlite3's `nativeBinding` option.
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync, copyFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = fileURLToPath(new URL('..', import.meta.url))
const require = createRequire(import.meta.url)
const outDir = join(root, 'out', 'native')
const target = join(outDir, 'better_sqlite3.node')
const stampFile = join(outDir, 'better_sqlite3.json')

/** The Electron executable, or null when its binary was not downloaded. */
export const electronBinary = () => {
  try {
    const path = /** @type {string} */ (require('electron'))
    return existsSync(path) ? path : null
  } catch {
    return null
  }
}

const versionOf = (/** @type {string} */ pkg) =>
  /** @type {{ version: string }} */ (
    JSON.parse(readFileSync(join(root, 'node_modules', pkg, 'package.json'), 'utf8'))
  ).version

/** Builds better-sqlite3 for the installed Electron into out/native/, unless it is already there. */
export const ensureElectronNative = async (
  log = (/** @type {string} */ line) => process.stderr.write(line + '\n'),
) => {
  const stamp = {
    electron: versionOf('electron'),
    betterSqlite3: versionOf('better-sqlite3'),
    arch: process.arch,
  }
  if (
    existsSync(target) &&
    existsSync(stampFile) &&
    readFileSync(stampFile, 'utf8') === JSON.stringify(stamp)
  )
    return target
  log(`outpost: building better-sqlite3 ${stamp.betterSqlite3} for Electron ${stamp.electron} (once)…`)
  const work = join(root, '.cache', 'electron-native')
  rmSync(work, { recursive: true, force: true })
  const moduleDir = join(work, 'node_modules', 'better-sqlite3')
  mkdirSync(dirname(moduleDir), { recursive: true })
  cpSync(join(root, 'node_modules', 'better-sqlite3'), moduleDir, {
    recursive: true,
    filter: (src) => !src.includes(`${join('better-sqlite3', 'build')}`),
  })
  writeFileSync(
    join(work, 'package.json'),
    JSON.stringify({
      name: 'outpost-native',
      version: '0.0.0',
      dependencies: { 'better-sqlite3': stamp.betterSqlite3 },
    }),
  )
  const { rebuild } = await import('@electron/rebuild')
  await rebuild({
    buildPath: work,
    electronVersion: stamp.electron,
    arch: process.arch,
    onlyModules: ['better-sqlite3'],
    force: true,
  })
  mkdirSync(outDir, { recursive: true })
  copyFileSync(join(moduleDir, 'build', 'Release', 'better_sqlite3.node'), target)
  writeFileSync(stampFile, JSON.stringify(stamp))
  log(`outpost: wrote ${target}`)
  return target
}

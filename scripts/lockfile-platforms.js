// npm ci refuses a lockfile that lacks an entry for any optional dependency, even one for
// another OS. The registry this project installs from does not serve some of those platform
// builds (e.g. @duckdb/node-bindings-darwin-arm64), so `npm install <pkg>` drops their entries
// and a later `npm ci` fails. This puts back a stub entry for each missing platform package,
// with os/cpu/libc taken from its name, so npm skips it everywhere but its own platform.
// Run by `npm install` (postinstall) and by .ci/run; scripts/lockfile-platforms.test.js checks
// the committed lockfile needs none.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'

const PLATFORM =
  /-(darwin|linux|win32|freebsd|android)-(x64|arm64|ia32|arm|ppc64|s390x|riscv64)(?:-(gnu|musl|msvc))?$/

/** The stub entries a lockfile lacks, by key (`node_modules/<name>`). */
export const missingPlatformEntries = (/** @type {any} */ lock) => {
  /** @type {Record<string, object>} */
  const missing = {}
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    for (const [name, version] of Object.entries(/** @type {any} */ (entry).optionalDependencies ?? {})) {
      const key = `node_modules/${name}`
      const match = PLATFORM.exec(name)
      if (!match || lock.packages[key] || lock.packages[`${path}/${key}`]) continue
      missing[key] = {
        version,
        os: [match[1]],
        cpu: [match[2]],
        ...(match[3] === 'musl' || match[3] === 'gnu'
          ? { libc: [match[3] === 'gnu' ? 'glibc' : 'musl'] }
          : {}),
        optional: true,
      }
    }
  }
  return missing
}

const main = () => {
  const file = 'package-lock.json'
  if (!existsSync(file)) return
  const lock = JSON.parse(readFileSync(file, 'utf8'))
  const missing = missingPlatformEntries(lock)
  const added = Object.keys(missing).length
  if (added === 0) return
  Object.assign(lock.packages, missing)
  lock.packages = Object.fromEntries(
    Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
  )
  writeFileSync(file, JSON.stringify(lock, null, 2) + '\n')
  process.stderr.write(`lockfile-platforms: added ${added} platform package entries to ${file}\n`)
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main()

// npm ci refuses a lockfile that lacks an entry for any optional dependency, even one for
// another OS. The registry this project installs from does not serve some of those
// platform builds (e.g. @duckdb/node-bindings-darwin-arm64), so `npm install` drops their
// entries and a later `npm ci` fails. This (run as postinstall) puts back a stub entry for each
// missing platform package, with os/cpu/libc taken from its name, so npm skips it everywhere
// but its own platform.
import { existsSync, readFileSync, writeFileSync } from 'node:fs'

const FILE = 'package-lock.json'
const PLATFORM =
  /-(darwin|linux|win32|freebsd|android)-(x64|arm64|ia32|arm|ppc64|s390x|riscv64)(?:-(gnu|musl|msvc))?$/

if (existsSync(FILE)) {
  const lock = JSON.parse(readFileSync(FILE, 'utf8'))
  let added = 0
  for (const [path, entry] of Object.entries(lock.packages ?? {})) {
    for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
      const key = `node_modules/${name}`
      const match = PLATFORM.exec(name)
      if (!match || lock.packages[key] || lock.packages[`${path}/${key}`]) continue
      lock.packages[key] = {
        version,
        os: [match[1]],
        cpu: [match[2]],
        ...(match[3] === 'musl' || match[3] === 'gnu'
          ? { libc: [match[3] === 'gnu' ? 'glibc' : 'musl'] }
          : {}),
        optional: true,
      }
      added++
    }
  }
  if (added > 0) {
    lock.packages = Object.fromEntries(
      Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))),
    )
    writeFileSync(FILE, JSON.stringify(lock, null, 2) + '\n')
    process.stderr.write(`lockfile-platforms: added ${added} platform package entries to ${FILE}\n`)
  }
}

import { randomBytes } from 'node:crypto'
import { dirname, resolve } from 'node:path'
import {
  accessSync,
  chmodSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  statSync,
  unlinkSync,
  writeSync,
} from 'node:fs'
import { StartupError, errnoCode } from './errors'
import { dataFiles } from './paths'

/**
 * mkdir -p, one level at a time: Node's recursive mkdir spins forever on some paths
 * (e.g. under /proc, where mkdir answers ENOENT for a parent that exists).
 */
const mkdirs = (dir: string): void => {
  const missing: string[] = []
  let current = resolve(dir)
  while (!existsSync(current)) {
    missing.push(current)
    const parent = dirname(current)
    if (parent === current) break
    current = parent
  }
  for (const path of missing.reverse()) mkdirSync(path, { mode: 0o700 })
}

/** Creates the data dir (0700) or proves an existing one is a writable directory. */
export const prepareDataDir = (dataDir: string): void => {
  try {
    mkdirs(dataDir)
  } catch (error) {
    const code = errnoCode(error)
    const why =
      code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'ENOTDIR' || code === 'EEXIST'
          ? 'a file is in the way'
          : (error as Error).message
    throw new StartupError(
      `cannot create data dir ${dataDir}: ${why}; pass --data-dir with a writable folder`,
      { cause: error },
    )
  }
  if (!statSync(dataDir).isDirectory()) {
    throw new StartupError(`data dir ${dataDir} is not a directory; pass --data-dir with a writable folder`)
  }
  try {
    accessSync(dataDir, constants.W_OK | constants.X_OK)
  } catch (error) {
    throw new StartupError(
      `data dir ${dataDir} is not writable; fix its permissions or pass --data-dir with a writable folder`,
      { cause: error },
    )
  }
}

const processAlive = (pid: number): boolean => {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return errnoCode(error) === 'EPERM'
  }
}

/**
 * One Outpost process per data dir: SQLite would cope, DuckDB's file lock would not, and two
 * collectors would fight over ports. A lock left by a dead process is taken over.
 */
const heldHere = new Set<string>()

export const lockDataDir = (dataDir: string): (() => void) => {
  const file = dataFiles(dataDir).lock
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600)
      writeSync(fd, String(process.pid))
      closeSync(fd)
      heldHere.add(file)
      return () => {
        heldHere.delete(file)
        try {
          if (readFileSync(file, 'utf8').trim() === String(process.pid)) unlinkSync(file)
        } catch {
          // already gone: nothing to release
        }
      }
    } catch (error) {
      if (errnoCode(error) !== 'EEXIST')
        throw new StartupError(`cannot lock data dir ${dataDir}: ${(error as Error).message}`, {
          cause: error,
        })
      const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10)
      // Our own pid in the file is ours only if this process really holds it: after a crash
      // a restarted container often gets the same pid back.
      const held =
        pid === process.pid ? heldHere.has(file) : Number.isInteger(pid) && pid > 0 && processAlive(pid)
      if (held) {
        throw new StartupError(
          `data dir ${dataDir} is in use by another Outpost process (pid ${pid}); stop it or pass a different --data-dir`,
        )
      }
      unlinkSync(file) // stale: its owner is gone
    }
  }
  throw new StartupError(`cannot lock data dir ${dataDir}: another process keeps taking the lock`)
}

/** The headless host's access token: random on first start, kept 0600 in the data dir. */
export const loadOrCreateToken = (dataDir: string): string => {
  const file = dataFiles(dataDir).token
  try {
    const token = readFileSync(file, 'utf8').trim()
    if (token.length >= 32) {
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600)
      return token
    }
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT')
      throw new StartupError(`cannot read ${file}: ${(error as Error).message}`, { cause: error })
  }
  const token = randomBytes(32).toString('base64url')
  const fd = openSync(file, 'w', 0o600)
  writeSync(fd, token + '\n')
  closeSync(fd)
  chmodSync(file, 0o600)
  return token
}

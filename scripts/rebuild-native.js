// npm run rebuild:electron: native modules for the desktop app (see scripts/electron-native.js).
import { ensureElectronNative } from './electron-native.js'

try {
  await ensureElectronNative()
} catch (error) {
  process.stderr.write(
    `outpost: cannot build better-sqlite3 for Electron: ${error instanceof Error ? error.message : String(error)}\n` +
      "It needs Electron's headers (from its download host, or ELECTRON_MIRROR / a local node-gyp headers dir).\n",
  )
  process.exit(1)
}

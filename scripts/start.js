// npm start: build and open the desktop app.
import { spawn } from 'node:child_process'
import { electronBinary, ensureElectronNative } from './electron-native.js'

if (electronBinary() === null) {
  process.stderr.write(`outpost: Electron's binary is not installed, so the desktop app cannot open here.
  - Installed with ELECTRON_SKIP_BINARY_DOWNLOAD=1? Use browser mode instead: npx outpost serve
  - Or install Electron from a local copy of its release zip (README, "Air-gapped or offline build host"),
    then run npm start again.
`)
  process.exit(1)
}
try {
  await ensureElectronNative()
} catch (error) {
  process.stderr.write(
    `outpost: cannot build better-sqlite3 for Electron: ${error instanceof Error ? error.message : String(error)}\n`,
  )
  process.exit(1)
}
const child = spawn(process.execPath, ['node_modules/electron-vite/bin/electron-vite.js', 'preview'], {
  stdio: 'inherit',
})
child.on('exit', (code) => process.exit(code ?? 1))

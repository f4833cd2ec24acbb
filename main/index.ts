import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, BrowserWindow, dialog, ipcMain, session } from 'electron'
import { EVENT_NAMES } from '../collector/contract'
import { CoreProcess } from './core-process'
import { createShellHandlers } from './dialogs'
import { registerContract } from './ipc'
import { appUrlMatcher, hardenSession, hardenWebContents } from './security'
import { createSecureWindow } from './window'

const here = fileURLToPath(new URL('.', import.meta.url)) // out/main/
const devServer = process.env.ELECTRON_RENDERER_URL
const rendererUrl = devServer ?? new URL('../renderer/index.html', import.meta.url).href
const isAppUrl = appUrlMatcher(rendererUrl)

let mainWindow: BrowserWindow | undefined
let core: CoreProcess | undefined

/** better-sqlite3 rebuilt for Electron's ABI (npm run rebuild:electron; packaged: resources/native). */
const sqliteBinding = (): string | undefined => {
  const file = app.isPackaged
    ? join(process.resourcesPath, 'native', 'better_sqlite3.node')
    : join(here, '..', 'native', 'better_sqlite3.node')
  return existsSync(file) ? file : undefined
}

const openMainWindow = (): void => {
  const win = createSecureWindow({ preload: join(here, '../preload/index.cjs'), title: 'Outpost' })
  win.once('ready-to-show', () => win.show())
  win.on('closed', () => {
    mainWindow = undefined
  })
  void win.loadURL(rendererUrl)
  mainWindow = win
}

const start = async (): Promise<void> => {
  hardenSession(session.defaultSession)
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, isAppUrl))

  const binding = sqliteBinding()
  try {
    core = await CoreProcess.start({
      modulePath: join(here, 'core-worker.js'),
      env: { ...process.env, ...(binding ? { OUTPOST_SQLITE_BINDING: binding } : {}) },
      onEvent: (name, payload) => {
        if (!EVENT_NAMES.includes(name)) return
        for (const win of BrowserWindow.getAllWindows()) win.webContents.send(name, payload)
      },
    })
  } catch (error) {
    dialog.showErrorBox('Outpost could not start', (error as Error).message)
    app.exit(1)
    return
  }
  const running = core
  registerContract({
    ipcMain,
    core: running,
    shell: createShellHandlers(() => mainWindow),
    isTrustedSender: isAppUrl,
  })
  openMainWindow()
}

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.focus()
  })
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit()
  })
  app.on('activate', () => {
    if (core && BrowserWindow.getAllWindows().length === 0) openMainWindow()
  })
  let quitting = false
  app.on('before-quit', (event) => {
    if (quitting || !core) return
    // Let the core flush and close its databases before the process goes.
    event.preventDefault()
    quitting = true
    void core.stop().finally(() => app.quit())
  })
  void app.whenReady().then(start)
}

import { existsSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeImage, screen, session, Tray } from 'electron'
import {
  DEEP_LINK_SCHEME,
  deepLinkToHash,
  EVENT_NAMES,
  type EventPayload,
  type Route,
} from '../collector/contract'
import { CoreProcess } from './core-process'
import { createShellHandlers } from './dialogs'
import { registerContract } from './ipc'
import { appUrlMatcher, hardenSession, hardenWebContents } from './security'
import { menuTemplate, trayTooltip } from './menu'
import { TRAY_ICON_PNG } from './tray-icon'
import { createSecureWindow } from './window'
import { readWindowState, writeWindowState } from './window-state'

const here = fileURLToPath(new URL('.', import.meta.url)) // out/main/
const devServer = process.env.ELECTRON_RENDERER_URL
const rendererUrl = devServer ?? new URL('../renderer/index.html', import.meta.url).href
const isAppUrl = appUrlMatcher(rendererUrl)

let mainWindow: BrowserWindow | undefined
let core: CoreProcess | undefined
let tray: Tray | undefined
/** A deep link that arrived before the window could take it. */
let pendingLink: string | null = null

const windowStateFile = (): string => join(app.getPath('userData'), 'window-state.json')
const workAreas = () => screen.getAllDisplays().map((d) => d.workArea)

const command = (payload: EventPayload<'shell:command'>): void => {
  if (!mainWindow) return
  if (mainWindow.isMinimized()) mainWindow.restore()
  mainWindow.show()
  mainWindow.focus()
  mainWindow.webContents.send('shell:command', payload)
}
const navigate = (route: Route): void => command({ command: 'navigate', hash: `#/${route}` })

/** An `outpost://` link from the OS: only known views open; anything else is ignored. */
const openDeepLink = (link: string): void => {
  const hash = deepLinkToHash(link)
  if (hash === null) return
  if (mainWindow && !mainWindow.webContents.isLoading()) command({ command: 'navigate', hash })
  else pendingLink = hash
}
const linkIn = (argv: readonly string[]): string | undefined =>
  argv.find((arg) => arg.startsWith(`${DEEP_LINK_SCHEME}://`))

/** better-sqlite3 rebuilt for Electron's ABI (npm run rebuild:electron; packaged: resources/native). */
const sqliteBinding = (): string | undefined => {
  const file = app.isPackaged
    ? join(process.resourcesPath, 'native', 'better_sqlite3.node')
    : join(here, '..', 'native', 'better_sqlite3.node')
  return existsSync(file) ? file : undefined
}

const openMainWindow = (): void => {
  const saved = readWindowState(windowStateFile(), workAreas())
  const win = createSecureWindow({
    preload: join(here, '../preload/index.cjs'),
    title: 'Outpost',
    ...(saved ? saved.bounds : {}),
  })
  win.once('ready-to-show', () => {
    if (saved?.maximized) win.maximize()
    win.show()
  })
  const remember = (): void =>
    writeWindowState(windowStateFile(), { bounds: win.getNormalBounds(), maximized: win.isMaximized() })
  win.on('close', remember)
  win.on('closed', () => {
    mainWindow = undefined
  })
  // A link that started the app opens once the page is there (its hash is the route).
  void win.loadURL(pendingLink ? rendererUrl + pendingLink : rendererUrl)
  pendingLink = null
  mainWindow = win
}

/** The tray: the collector's state in the tooltip, a way back to the window and to quit. */
const startTray = (running: CoreProcess): void => {
  tray = new Tray(nativeImage.createFromDataURL(TRAY_ICON_PNG))
  tray.setContextMenu(
    Menu.buildFromTemplate([
      {
        label: 'Show Outpost',
        click: () => (mainWindow ? command({ command: 'navigate', hash: '#/dashboard' }) : openMainWindow()),
      },
      { label: 'Collector', click: () => navigate('collector') },
      { type: 'separator' },
      { role: 'quit' },
    ]),
  )
  const refresh = (): void => {
    void running.call('system:info', {}).then((result) => {
      const info = result.ok ? (result.value as { listeners: object; sqlite: { events: number } }) : null
      tray?.setToolTip(
        trayTooltip(
          info ? { listeners: Object.keys(info.listeners).length, events: info.sqlite.events } : null,
        ),
      )
    })
  }
  tray.setToolTip('Outpost')
  setInterval(refresh, 10_000).unref()
  setTimeout(refresh, 2_000).unref()
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
  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      menuTemplate(
        {
          navigate,
          toggleTheme: () => command({ command: 'toggle-theme' }),
          // The renderer's own Ctrl/Cmd+K handler opens it; the menu item documents the shortcut.
          palette: () =>
            mainWindow?.webContents.sendInputEvent({ type: 'keyDown', keyCode: 'K', modifiers: ['control'] }),
        },
        process.platform === 'darwin',
      ),
    ),
  )
  openMainWindow()
  try {
    startTray(running)
  } catch {
    // No system tray on this desktop: the window and menu still work.
  }
}

// outpost:// links open this app (registered per user; packaged builds also declare it).
if (process.defaultApp && process.argv[1]) {
  app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME, process.execPath, [process.argv[1]])
} else {
  app.setAsDefaultProtocolClient(DEEP_LINK_SCHEME)
}
const firstLink = linkIn(process.argv)
if (firstLink) pendingLink = deepLinkToHash(firstLink)

if (!app.requestSingleInstanceLock()) {
  app.quit()
} else {
  // One Outpost per user: a second launch (or a link on Windows/Linux) comes to this window.
  app.on('second-instance', (_event, argv) => {
    const link = linkIn(argv)
    if (link) openDeepLink(link)
    if (!mainWindow) return
    if (mainWindow.isMinimized()) mainWindow.restore()
    mainWindow.focus()
  })
  // macOS hands links over here.
  app.on('open-url', (event, link) => {
    event.preventDefault()
    openDeepLink(link)
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

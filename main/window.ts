import { BrowserWindow } from 'electron'

/**
 * The one window factory: every Outpost window is made here, so none can be made without
 * context isolation, the sandbox, or with Node in the page.
 */
export const createSecureWindow = (options: {
  preload: string
  title: string
  width?: number
  height?: number
  /** Remembered position (main/window-state.ts); the system places the window without it. */
  x?: number
  y?: number
}): BrowserWindow =>
  new BrowserWindow({
    title: options.title,
    width: options.width ?? 1440,
    height: options.height ?? 900,
    ...(options.x !== undefined && options.y !== undefined ? { x: options.x, y: options.y } : {}),
    minWidth: 960,
    minHeight: 600,
    show: false,
    backgroundColor: '#0f1419',
    autoHideMenuBar: false,
    webPreferences: {
      preload: options.preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webviewTag: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      navigateOnDragDrop: false,
      spellcheck: false,
    },
  })

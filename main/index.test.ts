import { describe, expect, it, vi } from 'vitest'
import { CALL_NAMES, type ToCore } from '../collector/contract'

// The whole shell wired up against a fake Electron: what main/index.ts really registers.
const fake = vi.hoisted(() => ({
  handlers: new Map<string, (event: unknown, req: unknown) => Promise<unknown>>(),
  windowOptions: [] as unknown[],
  windows: [] as Array<{ webContents: { send: (...args: unknown[]) => void } }>,
  toCore: [] as unknown[],
  child: undefined as undefined | { emit: (event: string, ...args: unknown[]) => boolean },
  forkPath: '',
  protocols: [] as string[],
  menus: [] as unknown[],
  tooltips: [] as string[],
}))

vi.mock('electron', async () => {
  const { EventEmitter: Emitter } = await import('node:events')
  class FakeChild extends Emitter {
    postMessage(message: ToCore): void {
      fake.toCore.push(message)
      if (message.type === 'call') {
        setImmediate(() =>
          this.emit('message', {
            type: 'result',
            id: message.id,
            result: { ok: true, value: { echo: message.name, req: message.req } },
          }),
        )
      }
    }
    kill(): void {}
  }
  class BrowserWindow {
    static getAllWindows = () => fake.windows
    webContents = { send: vi.fn() }
    constructor(options: unknown) {
      fake.windowOptions.push(options)
      fake.windows.push(this)
    }
    once(): void {}
    on(): void {}
    show(): void {}
    loadURL(): Promise<void> {
      return Promise.resolve()
    }
  }
  const electron = {
    app: {
      setAsDefaultProtocolClient: (scheme: string) => fake.protocols.push(scheme),
      getPath: () => '/nonexistent-outpost-user-data',
      requestSingleInstanceLock: () => true,
      on: vi.fn(),
      whenReady: () => Promise.resolve(),
      isPackaged: false,
      quit: vi.fn(),
      exit: vi.fn(),
    },
    BrowserWindow,
    Menu: {
      buildFromTemplate: (template: unknown) => template,
      setApplicationMenu: (menu: unknown) => fake.menus.push(menu),
    },
    Tray: class {
      setContextMenu(): void {}
      setToolTip(text: string): void {
        fake.tooltips.push(text)
      }
    },
    nativeImage: { createFromDataURL: (url: string) => ({ url }) },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    ipcMain: {
      handle: (channel: string, listener: (event: unknown, req: unknown) => Promise<unknown>) =>
        fake.handlers.set(channel, listener),
      removeHandler: (channel: string) => fake.handlers.delete(channel),
    },
    session: { defaultSession: { setPermissionRequestHandler: vi.fn(), setPermissionCheckHandler: vi.fn() } },
    dialog: { showErrorBox: vi.fn(), showOpenDialog: vi.fn(), showSaveDialog: vi.fn() },
    utilityProcess: {
      fork: vi.fn((modulePath: string) => {
        const child = new FakeChild()
        fake.child = child
        fake.forkPath = modulePath
        setImmediate(() => child.emit('message', { type: 'ready', listeners: {} }))
        return child
      }),
    },
  }
  return { ...electron, default: electron }
})

const appUrl = new URL('../renderer/index.html', import.meta.url).href

describe('main/index.ts with Electron mocked', async () => {
  await import('./index')
  await vi.waitFor(() => expect(fake.handlers.size).toBeGreaterThan(0))

  it('starts the core in a utilityProcess and registers every contract call', () => {
    expect(fake.forkPath).toMatch(/core-worker\.js$/)
    expect([...fake.handlers.keys()].sort()).toEqual([...CALL_NAMES].sort())
  })

  it('registers outpost:// links, sets the native menu with a View menu, and shows a tray', () => {
    expect(fake.protocols).toEqual(['outpost'])
    expect(fake.menus).toHaveLength(1)
    expect((fake.menus[0] as Array<{ label?: string }>).map((m) => m.label)).toContain('View')
    expect(fake.tooltips).toEqual(['Outpost'])
  })

  it('opens one window with the sandbox, context isolation and no Node', () => {
    expect(fake.windowOptions).toHaveLength(1)
    expect(fake.windowOptions[0]).toMatchObject({
      webPreferences: { sandbox: true, contextIsolation: true, nodeIntegration: false, webviewTag: false },
    })
  })

  it('validates payloads in main and forwards only valid ones to the core', async () => {
    const sender = { senderFrame: { url: appUrl } }
    const bad = await fake.handlers.get('events:list')!(sender, { limit: 0 })
    expect(bad).toMatchObject({ ok: false, error: { code: 'invalid_request' } })
    expect(fake.toCore).toHaveLength(0)
    const good = await fake.handlers.get('events:list')!(sender, { limit: 5 })
    expect(good).toEqual({ ok: true, value: { echo: 'events:list', req: { limit: 5 } } })
    expect(fake.toCore).toEqual([{ type: 'call', id: 1, name: 'events:list', req: { limit: 5 } }])
  })

  it('forwards pushed events to the windows', () => {
    const payload = { total: 1, events: [] }
    fake.child!.emit('message', { type: 'event', name: 'events:appended', payload })
    expect(fake.windows[0]!.webContents.send).toHaveBeenCalledWith('events:appended', payload)
    fake.child!.emit('message', { type: 'event', name: 'not:an-event', payload })
    expect(fake.windows[0]!.webContents.send).toHaveBeenCalledTimes(1)
  })
})

import { createHttpTransport } from './http-transport'
import { createIpcTransport, type DesktopBridge } from './ipc-transport'
import type { Transport } from './transport'

declare global {
  interface Window {
    outpost?: DesktopBridge
  }
}

/** Electron's preload exposes window.outpost; the browser host does not. */
export const detectTransport = (): Transport =>
  window.outpost ? createIpcTransport(window.outpost) : createHttpTransport()

export type { ConnectionState, Transport } from './transport'

import { fail, type OutpostBridge } from '../../../collector/contract'
import type { Transport } from './transport'

/** What the preload adds beside the contract: Electron gives dropped files a path only there. */
export type DesktopBridge = OutpostBridge & { pathForFile?: (file: File) => string }

/** The desktop app: window.outpost from the preload. */
export const createIpcTransport = (bridge: DesktopBridge): Transport => ({
  kind: 'ipc',
  invoke: (name, req) => bridge.invoke(name, req),
  on: (name, listener) => bridge.on(name, listener),
  onConnection: (listener) => {
    listener('open')
    return () => {}
  },
  // The core runs on this machine and reads files in place: nothing to upload.
  upload: () => Promise.resolve(fail('unsupported', 'the desktop app imports files by path, not by upload')),
  pathForFile: (file) => bridge.pathForFile?.(file) || null,
})

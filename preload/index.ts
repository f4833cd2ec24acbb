// Sandboxed preload: exposes exactly the contract's calls and events as window.outpost.
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron'
import { isCallName, isEventName } from '../collector/contract/channels'
import type { OutpostBridge } from '../collector/contract/bridge'

const bridge: OutpostBridge = {
  invoke: (name, req) =>
    isCallName(name)
      ? ipcRenderer.invoke(name, req)
      : Promise.resolve({
          ok: false,
          error: { code: 'unknown_call', message: `no call named ${String(name)}` },
        }),
  on: (name, listener) => {
    if (!isEventName(name)) throw new Error(`no event named ${String(name)}`)
    const relay = (_event: IpcRendererEvent, payload: unknown): void =>
      (listener as (p: unknown) => void)(payload)
    ipcRenderer.on(name, relay)
    return () => {
      ipcRenderer.removeListener(name, relay)
    }
  },
}

// Since Electron 32 a dropped File has no .path; only the preload can ask for it (import by path).
const pathForFile = (file: File): string => webUtils.getPathForFile(file)

contextBridge.exposeInMainWorld('outpost', { ...bridge, pathForFile })

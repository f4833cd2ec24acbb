import type { OutpostBridge } from '../../../collector/contract'
import type { Transport } from './transport'

/** The desktop app: window.outpost from the preload. */
export const createIpcTransport = (bridge: OutpostBridge): Transport => ({
  kind: 'ipc',
  invoke: (name, req) => bridge.invoke(name, req),
  on: (name, listener) => bridge.on(name, listener),
  onConnection: (listener) => {
    listener('open')
    return () => {}
  },
})

import type { OutpostBridge } from '../../../collector/contract'

export type ConnectionState = 'connecting' | 'open' | 'closed'

/** How the renderer reaches the core: Electron IPC or HTTP + WebSocket. Nothing else talks to it. */
export type Transport = OutpostBridge & {
  readonly kind: 'ipc' | 'http'
  /** Live-push connection state; IPC is always open. Returns the unsubscribe function. */
  onConnection(listener: (state: ConnectionState) => void): () => void
}

import type { OutpostBridge, Result } from '../../../collector/contract'

export type ConnectionState = 'connecting' | 'open' | 'closed'

/** How the renderer reaches the core: Electron IPC or HTTP + WebSocket. Nothing else talks to it. */
export type Transport = OutpostBridge & {
  readonly kind: 'ipc' | 'http'
  /** Live-push connection state; IPC is always open. Returns the unsubscribe function. */
  onConnection(listener: (state: ConnectionState) => void): () => void
  /** Browser mode: sends a file's bytes to the host for `import:start { upload_id }`. IPC: unsupported. */
  upload(file: File): Promise<Result<{ upload_id: string }>>
  /** Desktop: the dropped file's path on disk, so the core reads it in place. Browser: null. */
  pathForFile(file: File): string | null
}

import type { StateCreator } from 'zustand'
import type { SyncConflict, SyncStatus } from '../../../collector/contract'
import type { AppState } from './store'

export type SyncField = 'url' | 'token' | 'ca_pem' | 'cert_pem' | 'key_pem'

export type SyncSlice = {
  syncStatus: SyncStatus | null
  syncConflicts: SyncConflict[]
  /** A refusal of the connection form, beside the field it names. */
  syncFieldErrors: Partial<Record<SyncField, string>>
  syncError: string | null
  /** What the last Push now / Pull now did, for the status line. */
  syncNotice: string | null
  syncBusy: boolean
  loadSync: () => Promise<void>
  syncConnect: (req: {
    url: string
    token: string
    ca_pem: string
    /** A client certificate and key instead of the token (both, or neither). */
    cert_pem?: string
    key_pem?: string
  }) => Promise<boolean>
  syncDisconnect: () => Promise<void>
  syncPushNow: () => Promise<void>
  syncPullNow: () => Promise<void>
  syncResolve: (id: number, choose: 'local' | 'remote') => Promise<void>
  syncChanged: (status: SyncStatus) => void
}

/** The field a sync:connect refusal names ("sync:connect: url: …"), else null. */
export const syncErrorField = (message: string): SyncField | null => {
  const named = /^(?:sync:connect: )?(url|token|ca_pem|cert_pem|key_pem)\b/.exec(message)
  if (named) return named[1] as SyncField
  if (/\b(401|console token)\b/.test(message)) return 'token'
  if (/\b(ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|no answer from|certificate|self.signed)\b/i.test(message))
    return 'url'
  return null
}

export const createSyncSlice =
  (transport: AppState['transport']): StateCreator<AppState, [], [], SyncSlice> =>
  (set, get) => {
    const loadConflicts = async (): Promise<void> => {
      const result = await transport.invoke('sync:conflicts', {})
      if (result.ok) set({ syncConflicts: result.value.conflicts })
      else set({ syncError: result.error.message })
    }
    return {
      syncStatus: null,
      syncConflicts: [],
      syncFieldErrors: {},
      syncError: null,
      syncNotice: null,
      syncBusy: false,
      async loadSync() {
        const result = await transport.invoke('sync:status', {})
        if (result.ok) set({ syncStatus: result.value })
        else set({ syncError: result.error.message })
        await loadConflicts()
      },
      async syncConnect(req) {
        set({ syncBusy: true, syncFieldErrors: {}, syncError: null })
        const cert = req.cert_pem?.trim() ?? ''
        const key = req.key_pem?.trim() ?? ''
        const result = await transport.invoke('sync:connect', {
          url: req.url,
          // With a client certificate the token may stay empty.
          ...(req.token.trim() || (!cert && !key) ? { token: req.token } : {}),
          ...(req.ca_pem.trim() ? { ca_pem: req.ca_pem } : {}),
          ...(cert ? { cert_pem: cert } : {}),
          ...(key ? { key_pem: key } : {}),
        })
        if (result.ok) {
          set({
            syncBusy: false,
            syncStatus: result.value,
            syncNotice: `Connected as ${result.value.console_id ?? '?'}`,
          })
          return true
        }
        const field = syncErrorField(result.error.message)
        set({
          syncBusy: false,
          syncFieldErrors: field ? { [field]: result.error.message } : {},
          syncError: field ? null : result.error.message,
        })
        return false
      },
      async syncDisconnect() {
        const result = await transport.invoke('sync:disconnect', {})
        if (result.ok) set({ syncStatus: result.value, syncNotice: 'Disconnected', syncError: null })
        else set({ syncError: result.error.message })
      },
      async syncPushNow() {
        set({ syncBusy: true, syncError: null })
        const result = await transport.invoke('sync:push-now', {})
        if (result.ok)
          set({
            syncBusy: false,
            syncStatus: result.value.status,
            syncNotice: `Pushed ${result.value.pushed}, ${result.value.conflicts} conflicts`,
          })
        else set({ syncBusy: false, syncError: result.error.message })
        await get().loadSync()
      },
      async syncPullNow() {
        set({ syncBusy: true, syncError: null })
        const result = await transport.invoke('sync:pull-now', {})
        if (result.ok)
          set({
            syncBusy: false,
            syncStatus: result.value.status,
            syncNotice: `Pulled ${result.value.pulled}, ${result.value.conflicts} conflicts`,
          })
        else set({ syncBusy: false, syncError: result.error.message })
        await get().loadSync()
      },
      async syncResolve(id, choose) {
        const result = await transport.invoke('sync:resolve', { id, choose })
        if (!result.ok) set({ syncError: result.error.message })
        await get().loadSync()
      },
      syncChanged(status) {
        set({ syncStatus: status })
        if (status.conflicts !== get().syncConflicts.length) void loadConflicts()
      },
    }
  }

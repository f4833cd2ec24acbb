import type { StateCreator } from 'zustand'
import type { CallRes } from '../../../collector/contract'
import type { ConnectionState } from '../transport'
import type { AppState } from './store'

export type SystemSlice = {
  connection: ConnectionState
  info: CallRes<'system:info'> | null
  infoError: string | null
  setConnection: (state: ConnectionState) => void
  loadInfo: () => Promise<void>
}

export const createSystemSlice =
  (transport: AppState['transport']): StateCreator<AppState, [], [], SystemSlice> =>
  (set) => ({
    connection: 'connecting',
    info: null,
    infoError: null,
    setConnection(connection) {
      set({ connection })
    },
    async loadInfo() {
      const result = await transport.invoke('system:info', {})
      set(result.ok ? { info: result.value, infoError: null } : { infoError: result.error.message })
    },
  })

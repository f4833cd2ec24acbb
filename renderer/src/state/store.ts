import { createContext, useContext } from 'react'
import { createStore, useStore, type StoreApi } from 'zustand'
import type { EventPayload } from '../../../collector/contract'
import type { Transport } from '../transport'
import { createCollectorSlice, type CollectorSlice } from './collector-slice'
import { createEventsSlice, type EventsSlice } from './events-slice'
import { createImportSlice, type ImportSlice } from './import-slice'
import { createSystemSlice, type SystemSlice } from './system-slice'

export type AppState = EventsSlice & SystemSlice & CollectorSlice & ImportSlice & { transport: Transport }

/** One store of slices; its actions are the only code that calls the transport. */
export const createAppStore = (transport: Transport): StoreApi<AppState> =>
  createStore<AppState>()((...a) => ({
    transport,
    ...createEventsSlice(transport)(...a),
    ...createSystemSlice(transport)(...a),
    ...createCollectorSlice(transport)(...a),
    ...createImportSlice(transport)(...a),
  }))

/**
 * Wires pushes into the store. Pushes are coalesced per animation frame so a burst of
 * commits costs one render, not hundreds.
 */
export const connectStore = (store: StoreApi<AppState>, transport: Transport): (() => void) => {
  let queued: Array<EventPayload<'events:appended'>> = []
  let frame = 0
  const flush = (): void => {
    frame = 0
    const batches = queued
    queued = []
    store.getState().eventsAppended(batches)
  }
  const offAppended = transport.on('events:appended', (payload) => {
    queued.push(payload)
    if (frame === 0) frame = requestAnimationFrame(flush)
  })
  // At most 10 a second per job (the core throttles), so no coalescing here.
  const offImport = transport.on('import:progress', (job) => store.getState().importProgress(job))
  let wasClosed = false
  const offConnection = transport.onConnection((state) => {
    store.getState().setConnection(state)
    if (state === 'closed') wasClosed = true
    if (state === 'open' && wasClosed) {
      // Pushes were missed while disconnected: catch up.
      wasClosed = false
      void store.getState().loadEvents()
      void store.getState().loadInfo()
      void store.getState().loadImports()
    }
  })
  return () => {
    offAppended()
    offImport()
    offConnection()
    if (frame) cancelAnimationFrame(frame)
  }
}

export const StoreContext = createContext<StoreApi<AppState> | null>(null)

export const useAppStore = <T>(selector: (state: AppState) => T): T => {
  const store = useContext(StoreContext)
  if (!store) throw new Error('useAppStore outside <StoreContext.Provider>')
  return useStore(store, selector)
}

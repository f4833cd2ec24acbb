import type { StoreApi } from 'zustand'
import { StoreContext, type AppState } from '../state/store'
import { AppShell } from './AppShell'

export const App = ({ store }: { store: StoreApi<AppState> }) => (
  <StoreContext.Provider value={store}>
    <AppShell />
  </StoreContext.Provider>
)

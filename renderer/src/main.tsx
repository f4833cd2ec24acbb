import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './app/App'
import { initTheme, toggleTheme } from './app/theme'
import { connectStore, createAppStore } from './state/store'
import { detectTransport } from './transport'
import './styles/tokens.css'
import './styles/app.css'

// Before the first render: no flash of the wrong theme.
initTheme()
const transport = detectTransport()
const store = createAppStore(transport)
connectStore(store, transport)
// Desktop: the native menu, the tray and outpost:// links (mapped in main/) steer the window.
transport.on('shell:command', (command) => {
  if (command.command === 'toggle-theme') toggleTheme()
  else if (/^#\/[a-z]+(\?.*)?$/.test(command.hash)) window.location.hash = command.hash
})
void store.getState().loadInfo()
void store.getState().loadEvents()
store.getState().countNewAlerts()

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App store={store} />
  </StrictMode>,
)

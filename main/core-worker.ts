// Runs inside Electron's utilityProcess: the whole core (listeners, SQLite, DuckDB) lives here,
// so storage work never blocks the window. Talks to main over process.parentPort.
import type { FromCore, ToCore } from '../collector/contract'
import { createCore, type Core } from '../collector/host/create-core'
import { createLogger } from '../collector/host/log'
import { defaultDataDir } from '../collector/host/paths'

const port = process.parentPort
const send = (message: FromCore): void => port.postMessage(message)
const log = createLogger()

const run = async (): Promise<void> => {
  let core: Core
  try {
    core = await createCore({
      dataDir: defaultDataDir(),
      log,
      ephemeralPorts: process.env.OUTPOST_EPHEMERAL_PORTS === '1',
      sqliteBinding: process.env.OUTPOST_SQLITE_BINDING,
    })
  } catch (error) {
    send({ type: 'fatal', message: (error as Error).message })
    process.exit(1)
  }
  core.subscribe((name, payload) => send({ type: 'event', name, payload }))
  port.on('message', (event: { data: ToCore }) => {
    const message = event.data
    if (message.type === 'call') {
      void core
        .call(message.name, message.req)
        .then((result) => send({ type: 'result', id: message.id, result }))
    } else if (message.type === 'stop') {
      void core.stop().then(() => {
        send({ type: 'stopped' })
        process.exit(0)
      })
    }
  })
  send({ type: 'ready', listeners: { ...core.listeners } })
}

void run()

// The archive worker's entry (a worker_threads thread of the core): see archive-worker.ts.
import { parentPort, workerData } from 'node:worker_threads'
import { runArchiveWorker, type Port } from './archive-worker'
import type { ArchiveWorkerData } from './worker-protocol'

if (!parentPort) throw new Error('worker-main.ts runs as a worker thread of the core')
const port = parentPort as unknown as Port
// A bug that escapes every handler is reported, not left to end the thread with DuckDB work in
// flight (which would abort the whole process): the core logs it and the archive goes on.
process.on('uncaughtException', (error) =>
  port.postMessage({ type: 'fatal', message: error.stack ?? error.message, startup: false }),
)
process.on('unhandledRejection', (reason) =>
  port.postMessage({
    type: 'fatal',
    message: reason instanceof Error ? (reason.stack ?? reason.message) : String(reason),
    startup: false,
  }),
)
void runArchiveWorker(port, workerData as ArchiveWorkerData)

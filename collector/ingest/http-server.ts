import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/** Listens, turning a bind failure (EADDRINUSE…) into a rejection the core can explain. */
export const listenHttp = (server: Server, host: string, port: number): Promise<number> =>
  new Promise((resolve, reject) => {
    server.keepAliveTimeout = 30_000
    server.once('error', reject)
    server.listen(port, host, () => {
      server.off('error', reject)
      resolve((server.address() as AddressInfo).port)
    })
  })

/**
 * In-flight requests finish (and are acknowledged); idle keep-alive sockets close now, stragglers
 * after 5 s.
 */
export const closeHttp = async (server: Server | undefined): Promise<void> => {
  if (!server) return
  const force = setTimeout(() => server.closeAllConnections(), 5000)
  await new Promise<void>((resolve) => {
    server.close(() => resolve())
    server.closeIdleConnections()
  })
  clearTimeout(force)
}

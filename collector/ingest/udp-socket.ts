import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import { isIPv6 } from 'node:net'

/** A bound UDP socket with a large receive buffer (bursts arrive faster than one turn of the loop). */
export const bindUdp = async (
  host: string,
  port: number,
  receiveBufferBytes: number,
  onMessage: (datagram: Buffer, remote: RemoteInfo) => void,
): Promise<Socket> => {
  const socket = createSocket({ type: isIPv6(host) ? 'udp6' : 'udp4', recvBufferSize: receiveBufferBytes })
  socket.on('message', onMessage) // before bind: nothing that arrives is missed
  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject)
    socket.bind(port, host, () => {
      socket.off('error', reject)
      resolve()
    })
  })
  return socket
}

export const closeUdp = (socket: Socket | undefined): Promise<void> =>
  socket ? new Promise<void>((resolve) => socket.close(() => resolve())) : Promise.resolve()

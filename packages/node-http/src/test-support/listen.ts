import { createServer, type RequestListener } from 'node:http'
import type { AddressInfo, Socket } from 'node:net'

export interface Listening {
  readonly port: number
  /** `http://127.0.0.1:<port>` */
  readonly origin: string
  /** What the server took off each connection it accepted, once each has closed. */
  bytesReadPerConnection(): Promise<number[]>
  close(): Promise<void>
}

/** Serves `listener` on a free port of 127.0.0.1. */
export async function listen(listener: RequestListener): Promise<Listening> {
  const server = createServer(listener)
  const bytesRead: Promise<number>[] = []
  server.on('connection', (socket: Socket) => {
    bytesRead.push(new Promise((resolve) => socket.once('close', () => resolve(socket.bytesRead))))
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    port,
    origin: `http://127.0.0.1:${port}`,
    bytesReadPerConnection: () => Promise.all(bytesRead),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}

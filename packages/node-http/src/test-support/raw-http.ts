import { connect, type Socket } from 'node:net'

/** A response as it came off the socket, and what happened to the connection. */
export interface RawExchange {
  /** `null` when no complete response arrived before the connection closed or the deadline. */
  readonly status: number | null
  readonly headers: Readonly<Record<string, string>>
  readonly body: string
  /** Whether the server closed the connection. */
  readonly closed: boolean
  /** Body bytes the client managed to write before the answer (or the close) stopped it. */
  readonly bytesSent: number
}

export interface RawRequest {
  readonly port: number
  /** Request line and headers, without the blank line. */
  readonly head: string
  readonly body?: string
  /** Stream this many body bytes as chunked encoding, stopping once answered. */
  readonly streamBytes?: number
  /** The response to a HEAD request has no body, whatever its content-length says. */
  readonly bodiless?: boolean
}

const CHUNK = Buffer.alloc(64 * 1024, 'a')
/** A guard, not a timing assertion: the exchanges under test answer within milliseconds. */
const DEADLINE_MS = 10_000

/**
 * One request over a raw socket, for what `fetch` hides: a declared length never sent, a body
 * that streams on past the limit, whether the server hung up.
 */
export function rawExchange(request: RawRequest): Promise<RawExchange> {
  return new Promise((resolve) => {
    const socket = connect(request.port, '127.0.0.1')
    let received = Buffer.alloc(0)
    let bytesSent = 0
    let parsed: Omit<RawExchange, 'closed' | 'bytesSent'> | null = null
    let done = false
    const finish = (closed: boolean): void => {
      if (done) return
      done = true
      clearTimeout(deadline)
      socket.destroy()
      resolve({ ...(parsed ?? { status: null, headers: {}, body: '' }), closed, bytesSent })
    }
    const deadline = setTimeout(() => finish(false), DEADLINE_MS)
    socket.on('data', (data: Buffer) => {
      received = Buffer.concat([received, data])
      parsed = parseResponse(received, request.bodiless ?? false)
      // Keep listening for the close when the server said it would hang up.
      if (parsed && parsed.headers.connection !== 'close') finish(false)
    })
    socket.on('error', () => finish(true))
    socket.on('close', () => finish(true))
    socket.write(`${request.head}\r\n\r\n`)
    if (request.body !== undefined) {
      socket.write(request.body)
      bytesSent = Buffer.byteLength(request.body)
    }
    if (request.streamBytes !== undefined) {
      void streamChunks(
        socket,
        request.streamBytes,
        () => done || parsed !== null,
        (n) => {
          bytesSent += n
        },
      )
    }
  })
}

async function streamChunks(
  socket: Socket,
  total: number,
  stopped: () => boolean,
  sent: (bytes: number) => void,
): Promise<void> {
  let remaining = total
  while (remaining > 0 && !stopped() && !socket.destroyed) {
    const chunk = CHUNK.subarray(0, Math.min(CHUNK.length, remaining))
    const flowing =
      socket.write(`${chunk.length.toString(16)}\r\n`) && socket.write(chunk) && socket.write('\r\n')
    remaining -= chunk.length
    sent(chunk.length)
    if (!flowing) await drainedOrClosed(socket)
  }
  if (remaining === 0 && !socket.destroyed) socket.write('0\r\n\r\n')
}

function drainedOrClosed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('drain', done)
      socket.off('close', done)
      resolve()
    }
    socket.on('drain', done)
    socket.on('close', done)
  })
}

function parseResponse(bytes: Buffer, bodiless: boolean): Omit<RawExchange, 'closed' | 'bytesSent'> | null {
  const end = bytes.indexOf('\r\n\r\n')
  if (end === -1) return null
  const [statusLine = '', ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n')
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim()
  }
  const length = bodiless ? 0 : Number(headers['content-length'] ?? 0)
  const body = bytes.subarray(end + 4)
  if (body.length < length) return null
  return {
    status: Number(statusLine.split(' ')[1]),
    headers,
    body: body.subarray(0, length).toString('utf8'),
  }
}

import { connect, type Socket } from 'node:net'

/** What {@link rawRequest} sends: the request line and headers as given, then the body bytes. */
export interface RawRequest {
  readonly method: string
  /** The request target, sent byte for byte (a string is sent as latin1, so `\xC3` is one byte). */
  readonly target: string | Buffer
  /**
   * Sent as given, after `host` (the origin's) and `connection: close`, which these override: give
   * `connection: keep-alive` to see whether the server hangs up on its own.
   */
  readonly headers?: Readonly<Record<string, string>>
  /** Sent as is; give `content-length` or `transfer-encoding` yourself in `headers`. */
  readonly body?: string | Buffer | readonly (string | Buffer)[]
  /**
   * After `body`, stream this many more body bytes as chunks of a chunked body (declare
   * `transfer-encoding: chunked`), stopping as soon as a whole response has arrived.
   */
  readonly streamBytes?: number
}

/** A response as it came off the socket, and what happened to the connection. */
export interface RawResponse {
  readonly status: number
  /** By lower-case name, repeats joined with `, `. */
  readonly headers: Readonly<Record<string, string>>
  /** The body bytes, de-chunked; whatever arrived when the connection closed early. */
  readonly body: Buffer
  /** The body as UTF-8 text. */
  readonly text: string
  /** The body parsed as JSON, or `undefined` when it is empty or not JSON. */
  readonly json: unknown
  /** Whether the server closed the connection (always, once asked to by `connection: close`). */
  readonly closed: boolean
  /** Body bytes the client wrote before the answer (or the close) stopped it. */
  readonly bytesSent: number
}

const CHUNK = Buffer.alloc(64 * 1024, 'a')
/** A guard, not a timing assertion: the exchanges under test answer within milliseconds. */
const DEADLINE_MS = 10_000

/**
 * Sends one HTTP/1.1 request over a plain TCP socket, exactly as written (no encoding, no header
 * fixing), and reads the response: for what `fetch` hides or refuses to send. Raw non-ASCII bytes
 * in the target, broken chunking, a declared length never sent, a body that streams on past a
 * limit, whether the server hung up.
 *
 * Done once a whole response has arrived and the server keeps the connection, or once the
 * connection closes. Rejects when no response head arrived at all.
 */
export function rawRequest(origin: string, request: RawRequest): Promise<RawResponse> {
  const url = new URL(origin)
  const body = bodyOf(request)
  const bodiless = request.method.toUpperCase() === 'HEAD'
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) })
    const received: Buffer[] = []
    let bytesSent = body.length
    let answered = false
    let done = false
    const finish = (closed: boolean, error?: Error): void => {
      if (done) return
      done = true
      clearTimeout(deadline)
      socket.destroy()
      const response = parseResponse(Buffer.concat(received), bodiless)
      if (response === null) {
        reject(
          error ??
            new Error(
              closed ? 'The server closed the connection without answering' : 'No answer within 10 s',
            ),
        )
        return
      }
      resolve({ ...response.response, closed, bytesSent })
    }
    const deadline = setTimeout(() => finish(false), DEADLINE_MS)
    socket.on('data', (data: Buffer) => {
      received.push(data)
      const response = parseResponse(Buffer.concat(received), bodiless)
      answered = response?.complete ?? false
      // Keep listening for the close when the server said it would hang up.
      if (answered && response?.response.headers.connection !== 'close') finish(false)
    })
    // A server may answer before reading the whole body and reset the connection: keep what came.
    socket.on('error', (error) => finish(true, error))
    socket.on('close', () => finish(true))
    socket.write(Buffer.concat([headOf(url, request), body]))
    if (request.streamBytes !== undefined) {
      void streamChunks(
        socket,
        request.streamBytes,
        () => done || answered,
        (bytes) => {
          bytesSent += bytes
        },
      )
    }
  })
}

/** A form-encoded POST as {@link rawRequest} takes it, with the right `Content-Length`. */
export function formPost(
  target: string,
  body: string | Buffer,
  headers: Readonly<Record<string, string>> = {},
): RawRequest {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'latin1') : body
  return {
    method: 'POST',
    target,
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'content-length': String(bytes.length),
      ...headers,
    },
    body: bytes,
  }
}

function headOf(url: URL, request: RawRequest): Buffer {
  const headers = { host: url.host, connection: 'close', ...request.headers }
  return Buffer.concat([
    Buffer.from(`${request.method} `, 'latin1'),
    typeof request.target === 'string' ? Buffer.from(request.target, 'latin1') : request.target,
    Buffer.from(' HTTP/1.1\r\n', 'latin1'),
    Buffer.from(
      Object.entries(headers)
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join(''),
      'latin1',
    ),
    Buffer.from('\r\n', 'latin1'),
  ])
}

function bodyOf(request: RawRequest): Buffer {
  const parts = request.body === undefined ? [] : Array.isArray(request.body) ? request.body : [request.body]
  return Buffer.concat(
    parts.map((part: string | Buffer) => (typeof part === 'string' ? Buffer.from(part) : part)),
  )
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

type ParsedResponse = Omit<RawResponse, 'closed' | 'bytesSent'>

/**
 * The response in `bytes` so far, `null` before its head has arrived, and whether it is whole:
 * by `content-length`, by the last chunk, or never (a body that ends with the connection).
 */
function parseResponse(
  bytes: Buffer,
  bodiless: boolean,
): { readonly response: ParsedResponse; readonly complete: boolean } | null {
  const end = bytes.indexOf('\r\n\r\n')
  if (end === -1) return null
  const [statusLine = '', ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n')
  const status = Number(statusLine.split(' ')[1])
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`
  }
  const rest = bytes.subarray(end + 4)
  let body: Buffer
  let complete: boolean
  if (bodiless || status === 204 || status === 304) {
    body = Buffer.alloc(0)
    complete = true
  } else if (headers['transfer-encoding']?.toLowerCase() === 'chunked') {
    ;({ body, complete } = dechunk(rest))
  } else if (headers['content-length'] !== undefined) {
    const length = Number(headers['content-length'])
    body = rest.subarray(0, length)
    complete = rest.length >= length
  } else {
    body = rest
    complete = false
  }
  const text = body.toString('utf8')
  return { response: { status, headers, body, text, json: parseJson(text) }, complete }
}

function dechunk(bytes: Buffer): { readonly body: Buffer; readonly complete: boolean } {
  const chunks: Buffer[] = []
  let offset = 0
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', offset)
    if (lineEnd === -1) return { body: Buffer.concat(chunks), complete: false }
    const size = Number.parseInt(bytes.subarray(offset, lineEnd).toString('latin1'), 16)
    if (size === 0) return { body: Buffer.concat(chunks), complete: true }
    if (!Number.isFinite(size)) return { body: Buffer.concat(chunks), complete: false }
    const data = bytes.subarray(lineEnd + 2, lineEnd + 2 + size)
    chunks.push(data)
    if (data.length < size) return { body: Buffer.concat(chunks), complete: false }
    offset = lineEnd + 2 + size + 2
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

import { connect } from 'node:net'

/** A response read off the socket: status, headers by lower-case name (repeats joined), body bytes. */
export interface RawResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: Buffer
  /** The body as UTF-8 text. */
  readonly text: string
  /** The body parsed as JSON, or `undefined` when it is empty or not JSON. */
  readonly json: unknown
}

/** What {@link rawRequest} sends: the request line and headers as given, then the body bytes. */
export interface RawRequestInput {
  readonly method: string
  /** The request target, sent byte for byte (a string is sent as latin1, so `\xC3` is one byte). */
  readonly target: string | Buffer
  readonly headers?: Readonly<Record<string, string>>
  /** Sent as is; give `content-length` or `transfer-encoding` yourself in `headers`. */
  readonly body?: string | Buffer | readonly (string | Buffer)[]
}

/**
 * Sends one HTTP/1.1 request over a plain TCP socket, exactly as written (no encoding, no header
 * fixing), with `Connection: close`, and reads the whole response. For requests `fetch` would not
 * send: raw non-ASCII bytes in the target, broken chunking, a body larger than declared.
 */
export function rawRequest(origin: string, input: RawRequestInput): Promise<RawResponse> {
  const url = new URL(origin)
  const head = Buffer.concat([
    Buffer.from(`${input.method} `, 'latin1'),
    typeof input.target === 'string' ? Buffer.from(input.target, 'latin1') : input.target,
    Buffer.from(' HTTP/1.1\r\n', 'latin1'),
    Buffer.from(
      Object.entries({ host: url.host, connection: 'close', ...input.headers })
        .map(([name, value]) => `${name}: ${value}\r\n`)
        .join(''),
      'latin1',
    ),
    Buffer.from('\r\n', 'latin1'),
  ])
  const parts = input.body === undefined ? [] : Array.isArray(input.body) ? input.body : [input.body]
  const payload = Buffer.concat([
    head,
    ...parts.map((part) => (typeof part === 'string' ? Buffer.from(part) : part)),
  ])
  return new Promise((resolve, reject) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) })
    const received: Buffer[] = []
    socket.on('data', (chunk) => received.push(chunk))
    socket.on('connect', () => socket.write(payload))
    const finish = (error?: Error) => {
      const bytes = Buffer.concat(received)
      if (bytes.length === 0) {
        reject(error ?? new Error('The server closed the connection without answering'))
        return
      }
      try {
        resolve(parseResponse(bytes))
      } catch (parseError) {
        reject(parseError)
      }
    }
    // A server may answer before reading the whole body and reset the connection: keep what came.
    socket.on('error', (error) => finish(error))
    socket.on('close', () => finish())
    socket.setTimeout(10_000, () => socket.destroy(new Error('No answer within 10 s')))
  })
}

function parseResponse(bytes: Buffer): RawResponse {
  const end = bytes.indexOf('\r\n\r\n')
  if (end === -1) throw new Error(`Incomplete response: ${bytes.toString('latin1').slice(0, 200)}`)
  const [statusLine = '', ...lines] = bytes.subarray(0, end).toString('latin1').split('\r\n')
  const status = Number(statusLine.split(' ')[1])
  const headers: Record<string, string> = {}
  for (const line of lines) {
    const colon = line.indexOf(':')
    const name = line.slice(0, colon).trim().toLowerCase()
    const value = line.slice(colon + 1).trim()
    headers[name] = headers[name] === undefined ? value : `${headers[name]}, ${value}`
  }
  let body = bytes.subarray(end + 4)
  if (headers['transfer-encoding']?.toLowerCase() === 'chunked') body = dechunk(body)
  else if (headers['content-length'] !== undefined) body = body.subarray(0, Number(headers['content-length']))
  return { status, headers, body, text: body.toString('utf8'), json: parseJson(body.toString('utf8')) }
}

function dechunk(bytes: Buffer): Buffer {
  const chunks: Buffer[] = []
  let offset = 0
  for (;;) {
    const lineEnd = bytes.indexOf('\r\n', offset)
    if (lineEnd === -1) break
    const size = Number.parseInt(bytes.subarray(offset, lineEnd).toString('latin1'), 16)
    if (!Number.isFinite(size) || size === 0) break
    chunks.push(bytes.subarray(lineEnd + 2, lineEnd + 2 + size))
    offset = lineEnd + 2 + size + 2
  }
  return Buffer.concat(chunks)
}

function parseJson(text: string): unknown {
  if (text === '') return undefined
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** A form-encoded POST as {@link rawRequest} takes it, with the right `Content-Length`. */
export function formPost(
  target: string,
  body: string | Buffer,
  headers: Readonly<Record<string, string>> = {},
): RawRequestInput {
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

import type { IncomingMessage } from 'node:http'
import { ConfigurationError } from '@sp-oauth/core'

/** The body was larger than the limit: nothing of it is kept, and the stream is left paused. */
export const TOO_LARGE = Symbol('too large')

/**
 * The client went away before its body ended (or Node cut it off at `requestTimeout`): there is
 * nobody left to answer, and nothing went wrong on the server's side.
 */
export const ABORTED = Symbol('aborted')

/**
 * Reads a request body from the Node stream, keeping at most `limitBytes`: a `content-length`
 * over the limit is refused before reading a byte, and a body that streams past the limit
 * (chunked, or a lying client) is refused at the first chunk that crosses it. The stream is then
 * paused, so the rest is never read into memory; answer with `connection: close` to drop it.
 *
 * @throws ConfigurationError when another middleware (a body parser) has already read the stream:
 *   its parsed object is never used instead, since that would bypass the core's strict form parsing
 * Resolves {@link ABORTED} when the client aborts the request before the body ends.
 */
export function readRequestBody(
  request: IncomingMessage,
  limitBytes: number,
): Promise<Uint8Array | typeof TOO_LARGE | typeof ABORTED> {
  const declared = request.headers['content-length']
  // Node's parser has already refused a malformed or repeated content-length.
  if (declared !== undefined && Number(declared) > limitBytes) return Promise.resolve(TOO_LARGE)
  if (request.readableDidRead || request.readableEnded) return Promise.reject(consumedBody())
  if (request.destroyed) return Promise.resolve(ABORTED)
  return new Promise((resolve) => {
    const chunks: Buffer[] = []
    let size = 0
    const onData = (chunk: Buffer): void => {
      size += chunk.length
      if (size > limitBytes) {
        stop()
        request.pause()
        resolve(TOO_LARGE)
        return
      }
      chunks.push(chunk)
    }
    const onEnd = (): void => {
      stop()
      resolve(Buffer.concat(chunks, size))
    }
    // Node reports a client gone mid-body as an 'aborted' error, or as 'close' without 'end' first.
    const onAborted = (): void => {
      stop()
      resolve(ABORTED)
    }
    const stop = (): void => {
      request.off('data', onData)
      request.off('end', onEnd)
      request.off('error', onAborted)
      request.off('close', onAborted)
    }
    request.on('data', onData)
    request.on('end', onEnd)
    request.on('error', onAborted)
    request.on('close', onAborted)
  })
}

function consumedBody(): ConfigurationError {
  return new ConfigurationError([
    'middleware order: the request body was already read by another middleware (a body parser) ' +
      'before the sp-oauth routes; mount the sp-oauth middleware before any body parser, ' +
      'or scope body parsers to your own routes',
  ])
}

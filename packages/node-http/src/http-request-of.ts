import type { IncomingMessage } from 'node:http'
import type { HttpRequest } from '@sp-oauth/core/http'

/** The request target as received, split at the first `?`: nothing decoded. */
export interface RequestTarget {
  readonly path: string
  readonly query: string
}

export function splitRequestTarget(url: string): RequestTarget {
  const mark = url.indexOf('?')
  return mark === -1 ? { path: url, query: '' } : { path: url.slice(0, mark), query: url.slice(mark + 1) }
}

/**
 * The core's view of a Node request: method, raw path and query, headers by lower-case name as
 * Node joined them (the only array, `set-cookie`, joined with `, ` too), and the body bytes.
 */
export function httpRequestOf(
  request: IncomingMessage,
  target: RequestTarget,
  body: Uint8Array | null,
): HttpRequest {
  const headers: Record<string, string> = Object.create(null)
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return { method: request.method ?? 'GET', path: target.path, query: target.query, headers, body }
}

import type { IncomingMessage } from 'node:http'
import type { HttpRequest } from '@sp-oauth/core/http'

/** A request target's raw path and query string. */
export interface RequestTarget {
  readonly path: string
  readonly query: string
}

/** `http://host:port` at the start of an absolute-form target (RFC 9112 §3.2.2). */
const ABSOLUTE_FORM = /^https?:\/\/[^/?#]*/i

/**
 * The request target as received, split at the first `?`: nothing decoded. An absolute-form
 * target (`POST http://host/oauth/token`, as proxies send) counts as its path and query.
 */
export function splitRequestTarget(url: string): RequestTarget {
  const authority = ABSOLUTE_FORM.exec(url)
  const rest = authority ? url.slice(authority[0].length) : url
  const target = authority && !rest.startsWith('/') ? `/${rest}` : rest
  const mark = target.indexOf('?')
  return mark === -1
    ? { path: target, query: '' }
    : { path: target.slice(0, mark), query: target.slice(mark + 1) }
}

/**
 * The core's view of a Node request: method, raw path and query, headers by lower-case name as
 * Node joined them (the only array, `set-cookie`, joined with `, ` too), the body bytes, and the
 * adapter's own `context`, handed back should the request fail on the server's side.
 */
export function httpRequestOf(
  request: IncomingMessage,
  target: RequestTarget,
  body: Uint8Array | null,
  context?: unknown,
): HttpRequest {
  const headers: Record<string, string> = Object.create(null)
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value
  }
  return {
    method: request.method ?? 'GET',
    path: target.path,
    query: target.query,
    headers,
    body,
    context,
    remoteAddress: request.socket?.remoteAddress ?? null,
  }
}

/**
 * An HTTP request as an adapter hands it to the core: nothing parsed, nothing decoded, so every
 * framework gets the same answer for the same bytes.
 */
export interface HttpRequest {
  readonly method: string
  /** The path as received, without the query string (still percent-encoded). */
  readonly path: string
  /** The query string as received, without `?`; `''` when there is none. */
  readonly query: string
  /** Request headers by lower-case name; a repeated header as the framework joined it. */
  readonly headers: Readonly<Record<string, string | undefined>>
  /** The body as received (at most `bodyLimitBytes`), or `null` when the route reads none. */
  readonly body: Uint8Array | null
  /**
   * Anything the adapter wants handed back in an `ErrorReport` should this request fail on the
   * server's side: its own request or context object, say. The core never looks inside.
   */
  readonly context?: unknown
  /**
   * The address of the peer the request came from (the socket's), for per-address rate limits;
   * which `X-Forwarded-For` entry counts instead is the `rateLimit.trustProxy` option's to say.
   */
  readonly remoteAddress?: string | null
}

/** A response an adapter copies as it is: status, headers, and the body text (or none). */
export interface HttpResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | null
}

/** Token, introspection and error responses must not be cached (RFC 6749 §5.1). */
export const NO_STORE: Readonly<Record<string, string>> = Object.freeze({
  'cache-control': 'no-store',
  pragma: 'no-cache',
})

export function jsonResponse(
  status: number,
  body: unknown,
  headers: Readonly<Record<string, string>> = NO_STORE,
): HttpResponse {
  return {
    status,
    headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
    body: JSON.stringify(body),
  }
}

/**
 * A refusal that is about HTTP rather than OAuth (wrong method, body too large), still in the
 * shape of an OAuth error body so clients parse one format.
 */
export function httpRefusal(
  status: number,
  description: string,
  headers: Readonly<Record<string, string>> = {},
): HttpResponse {
  return jsonResponse(
    status,
    { error: 'invalid_request', error_description: description },
    { ...NO_STORE, ...headers },
  )
}

/** A redirect that must not be cached: the authorization response carries a one-time code. */
export function redirectResponse(location: string): HttpResponse {
  return { status: 302, headers: { ...NO_STORE, location }, body: null }
}

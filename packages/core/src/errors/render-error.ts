import { OAuthError } from './oauth-error.js'
import { StorageUnavailableError } from './storage-unavailable-error.js'

/** A framework-neutral HTTP response an adapter copies as it is. */
export interface OAuthHttpResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  /** A JSON body, or `null` for none: a redirect, or a bare RFC 6750 challenge. */
  readonly body: Readonly<Record<string, unknown>> | null
}

/** Options for {@link renderError}. */
export interface RenderErrorOptions {
  /** The `realm` of RFC 6750 challenges. */
  readonly realm?: string
  /** The issuer, added as `iss` to redirected errors (RFC 9207). */
  readonly issuer?: string
}

const NO_STORE = { 'cache-control': 'no-store', pragma: 'no-cache' } as const

/** The description of every `server_error` the server did not choose to explain. */
export const SERVER_ERROR_DESCRIPTION = 'The server could not complete the request.'

/** The description of a `503 server_error`: the storage is unavailable, try again later. */
export const UNAVAILABLE_DESCRIPTION =
  'The server is temporarily unable to complete the request; try again later.'

/**
 * Turns anything thrown by a use case into the response to send. An {@link OAuthError} keeps its
 * code and status; a {@link StorageUnavailableError} (the database is unreachable or lost the
 * connection) becomes `503 server_error` with `Retry-After`; anything else becomes
 * `500 server_error`. Both with a fixed text, so no message, stack, SQL or secret ever leaves the
 * server.
 *
 * @see RFC 6749 §4.1.2.1 and §5.2, RFC 6750 §3, RFC 9110 §10.2.3 and §15.6.4
 */
export function renderError(error: unknown, options: RenderErrorOptions = {}): OAuthHttpResponse {
  if (error instanceof StorageUnavailableError) {
    return {
      status: 503,
      headers: {
        ...NO_STORE,
        'content-type': 'application/json',
        'retry-after': String(error.retryAfterSeconds),
      },
      body: { error: 'server_error', error_description: UNAVAILABLE_DESCRIPTION },
    }
  }
  if (!(error instanceof OAuthError)) {
    return {
      status: 500,
      headers: { ...NO_STORE, 'content-type': 'application/json' },
      body: { error: 'server_error', error_description: SERVER_ERROR_DESCRIPTION },
    }
  }
  if (error.redirect) return renderRedirect(error, options)
  const headers: Record<string, string> = { ...NO_STORE, 'content-type': 'application/json' }
  const challenge = challengeFor(error, options)
  if (challenge) headers['www-authenticate'] = challenge
  // RFC 6750 §3.1: a request that sent no credentials gets the challenge and no error information.
  if (error.missingBearer) return { status: error.status, headers, body: null }
  const body: Record<string, unknown> = { error: error.code }
  if (error.description) body.error_description = error.description
  if (error.scope) body.scope = error.scope
  return { status: error.status, headers, body }
}

function renderRedirect(error: OAuthError, options: RenderErrorOptions): OAuthHttpResponse {
  const redirect = error.redirect!
  const url = new URL(redirect.redirectUri)
  url.searchParams.set('error', error.code)
  if (error.description) url.searchParams.set('error_description', error.description)
  if (redirect.state !== null) url.searchParams.set('state', redirect.state)
  if (options.issuer) url.searchParams.set('iss', options.issuer)
  return { status: 302, headers: { ...NO_STORE, location: url.toString() }, body: null }
}

function challengeFor(error: OAuthError, options: RenderErrorOptions): string | null {
  if (error.challenge === 'Basic') return `Basic realm="${quote(options.realm ?? 'oauth')}", charset="UTF-8"`
  if (error.challenge !== 'Bearer') return null
  const params = [`realm="${quote(options.realm ?? 'oauth')}"`]
  if (!error.missingBearer) {
    params.push(`error="${error.code}"`)
    if (error.description) params.push(`error_description="${quote(error.description)}"`)
    if (error.scope) params.push(`scope="${quote(error.scope)}"`)
  }
  return `Bearer ${params.join(', ')}`
}

function quote(value: string): string {
  return value.replace(/[\\"]/g, (c) => `\\${c}`)
}

import { OAUTH_ERROR_STATUS, type OAuthErrorCode } from './error-codes.js'
import { SpOAuthError } from './sp-oauth-error.js'

/** Where an authorization endpoint error may be sent back to the client (RFC 6749 §4.1.2.1). */
export interface ErrorRedirect {
  readonly redirectUri: string
  readonly state: string | null
}

/** The options every {@link OAuthError} factory takes. */
export interface OAuthErrorOptions {
  /** Safe, human-readable text for the client developer. Never a secret, SQL or a stack. */
  readonly description?: string
  readonly cause?: unknown
  /** Set only once the client and redirect URI are verified: the error is then redirected. */
  readonly redirect?: ErrorRedirect
  /**
   * The `WWW-Authenticate` scheme to challenge with: `Basic` when client credentials came through
   * HTTP Basic (RFC 6749 §5.2), `Bearer` for a protected resource (RFC 6750 §3). Defaults to
   * `Basic` for `invalid_client` and `Bearer` for `invalid_token` and `insufficient_scope`.
   */
  readonly challenge?: 'Basic' | 'Bearer'
  /** RFC 6750 §3: no token was sent at all, so the challenge carries no error code. */
  readonly missingBearer?: boolean
  /** RFC 6750 §3: the scope an `insufficient_scope` answer names. */
  readonly scope?: string
}

/**
 * The scheme a 401 or 403 challenges with when the thrower names none. A 401 must carry a
 * challenge (RFC 9110 §15.5.2): for `invalid_client` that is Basic, the scheme the token endpoint
 * accepts, whichever way the client authenticated (RFC 6749 §5.2).
 */
const DEFAULT_CHALLENGE: Partial<Record<OAuthErrorCode, 'Basic' | 'Bearer'>> = {
  invalid_client: 'Basic',
  invalid_token: 'Bearer',
  insufficient_scope: 'Bearer',
}

/**
 * An expected protocol failure: it ends the request, rolls back its unit of work, and is rendered
 * by {@link renderError} with the RFC `error` code and HTTP status.
 */
export class OAuthError extends SpOAuthError {
  static override readonly kind: string = 'OAuthError'
  override name = 'OAuthError'
  readonly code: OAuthErrorCode
  readonly status: number
  readonly description: string | undefined
  readonly redirect: ErrorRedirect | undefined
  readonly challenge: 'Basic' | 'Bearer' | null
  readonly missingBearer: boolean
  readonly scope: string | undefined

  constructor(code: OAuthErrorCode, options: OAuthErrorOptions = {}) {
    super(options.description ? `${code}: ${options.description}` : code, { cause: options.cause })
    this.code = code
    this.status = OAUTH_ERROR_STATUS[code]
    this.description = options.description
    this.redirect = options.redirect
    this.challenge = options.challenge ?? DEFAULT_CHALLENGE[code] ?? null
    this.missingBearer = options.missingBearer ?? false
    this.scope = options.scope
  }

  /** The same error, now allowed to be redirected to a verified client's redirect URI. */
  withRedirect(redirect: ErrorRedirect): OAuthError {
    return new OAuthError(this.code, { ...this.options(), redirect })
  }

  private options(): OAuthErrorOptions {
    return {
      ...(this.description === undefined ? {} : { description: this.description }),
      ...(this.scope === undefined ? {} : { scope: this.scope }),
      ...(this.challenge === null ? {} : { challenge: this.challenge }),
      missingBearer: this.missingBearer,
      cause: this.cause,
    }
  }

  static invalidRequest(options?: OAuthErrorOptions): OAuthError {
    return new OAuthError('invalid_request', options)
  }
  static unauthorizedClient(options?: OAuthErrorOptions): OAuthError {
    return new OAuthError('unauthorized_client', options)
  }
  static accessDenied(options?: OAuthErrorOptions): OAuthError {
    return new OAuthError('access_denied', options)
  }
  static unsupportedResponseType(options?: OAuthErrorOptions): OAuthError {
    return new OAuthError('unsupported_response_type', options)
  }
  static invalidScope(options?: OAuthErrorOptions): OAuthError {
    return new OAuthError('invalid_scope', options)
  }
  static serverError(options?: OAuthErrorOptions): OAuthError {
    return new OAuthError('server_error', options)
  }
  static temporarilyUnavailable(options?: OAuthErrorOptions): OAuthError {
    return new OAuthError('temporarily_unavailable', options)
  }
  static invalidClient(options?: OAuthErrorOptions): OAuthError {
    return new OAuthError('invalid_client', options)
  }
  static invalidGrant(options?: OAuthErrorOptions): OAuthError {
    return new OAuthError('invalid_grant', options)
  }
  static unsupportedGrantType(options?: OAuthErrorOptions): OAuthError {
    return new OAuthError('unsupported_grant_type', options)
  }
  static invalidToken(options?: OAuthErrorOptions): OAuthError {
    return new OAuthError('invalid_token', options)
  }
  static insufficientScope(options?: OAuthErrorOptions): OAuthError {
    return new OAuthError('insufficient_scope', options)
  }
  static unsupportedTokenType(options?: OAuthErrorOptions): OAuthError {
    return new OAuthError('unsupported_token_type', options)
  }
}

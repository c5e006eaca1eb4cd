import { OAuthError } from '../errors/oauth-error.js'
import type { RateLimitDecision, RateLimiter } from '../ports/rate-limiter.js'
import { type RateLimitedRequest, rateLimitAttempts } from '../rate-limit/rate-limit-attempts.js'
import {
  CLIENT_AUTHENTICATING_ROUTES,
  type RateLimitedRoute,
  type ResolvedRateLimitOptions,
} from '../rate-limit/rate-limit-options.js'
import type { ClientAuthenticationOutcome } from '../use-cases/internal/http-request.js'
import { claimedClientId } from './error-report.js'
import type { RawParameters } from './form-encoding.js'
import { type HttpRequest, type HttpResponse, jsonResponse, NO_STORE } from './http-message.js'

const LIMITED_ROUTES: readonly string[] = ['authorize', 'token', 'revoke', 'introspect']

/** One request's standing with the limiter, charged once whichever way the request goes. */
export interface RequestLimit {
  /** The request is over a limit already: answer this and do nothing else. */
  readonly refused: HttpResponse | null
  /**
   * For the use case's `ClientRequest.onClientAuthentication` on the routes that authenticate the
   * client: charges the request with the outcome, and rejects with {@link RequestLimited} over a limit.
   */
  readonly onClientAuthentication?: (outcome: ClientAuthenticationOutcome) => Promise<void>
  /** Once the use case is done: charges a request nothing charged yet; the `429` to answer instead, if any. */
  charge(): Promise<HttpResponse | null>
}

/** The use case was stopped at its client authentication: the request is over a limit. */
export class RequestLimited extends OAuthError {
  override readonly status = 429
  readonly response: HttpResponse

  constructor(response: HttpResponse) {
    super('temporarily_unavailable', { description: 'Too many requests.' })
    this.response = response
  }
}

const UNLIMITED: RequestLimit = { refused: null, charge: async () => null }

/**
 * The HTTP surface's request limits: each request to authorize, token, revoke and introspect is
 * charged to the client id it names and to its client address, in one call of the limiter; over
 * a limit it is answered `429` with `Retry-After`. Authorize is charged before any work. Token,
 * revoke and introspect are charged once the client authentication is decided, with its outcome
 * (a failure costs the lock-out's failure cost and counts towards a lock-out; a success clears
 * the failures), before the request acts on it; a request refused before authenticating
 * (malformed) is charged when it is answered, as neither. So each limited request costs one
 * call, one round trip for a remote limiter, and a refusal still tells nothing about the
 * credential. The price: a refused token request has read its client first.
 */
export function createRequestLimits(options: ResolvedRateLimitOptions | null, limiter: RateLimiter) {
  return async function admit(
    routeName: string,
    request: HttpRequest,
    form: () => RawParameters,
  ): Promise<RequestLimit> {
    if (options === null || !LIMITED_ROUTES.includes(routeName)) return UNLIMITED
    const route = routeName as RateLimitedRoute
    const subject: RateLimitedRequest = {
      route,
      clientId: claimedClientId(route, request, form),
      address: options.clientAddress({
        remoteAddress: request.remoteAddress ?? null,
        headers: request.headers,
      }),
    }
    // Built once per request (the address parsed once); the outcome, once known, goes to the
    // attempts that count failures.
    const attempts = rateLimitAttempts(options, subject)
    if (attempts.length === 0) return UNLIMITED
    let charged = false
    const chargeOnce = async (outcome?: ClientAuthenticationOutcome): Promise<HttpResponse | null> => {
      if (charged) return null
      charged = true
      const decision = await limiter.consume(
        outcome === undefined
          ? attempts
          : attempts.map((attempt) => (attempt.lockout ? { ...attempt, outcome } : attempt)),
      )
      return decision.allowed ? null : tooManyRequests(decision)
    }
    if (!CLIENT_AUTHENTICATING_ROUTES.includes(route)) {
      return { refused: await chargeOnce(), charge: async () => null }
    }
    return {
      refused: null,
      onClientAuthentication: async (outcome) => {
        const refused = await chargeOnce(outcome)
        if (refused !== null) throw new RequestLimited(refused)
      },
      charge: () => chargeOnce(),
    }
  }
}

/**
 * `429` with `Retry-After` (RFC 6585 §4). RFC 6749 has no error code for it at the token endpoint;
 * `temporarily_unavailable` (its §4.1.2.1 code for an overloaded server) says what the client needs.
 */
function tooManyRequests(decision: RateLimitDecision): HttpResponse {
  const seconds = Math.max(1, decision.retryAfterSeconds)
  return jsonResponse(
    429,
    {
      error: 'temporarily_unavailable',
      error_description: `Too many requests; try again in ${seconds} seconds.`,
    },
    { ...NO_STORE, 'retry-after': String(seconds) },
  )
}

import { OAuthError } from '../errors/oauth-error.js'
import type { AttemptOutcome, RateLimitDecision, RateLimiter } from '../ports/rate-limiter.js'
import { type RateLimitedRequest, rateLimitAttempts } from '../rate-limit/rate-limit-attempts.js'
import {
  CLIENT_AUTHENTICATING_ROUTES,
  type RateLimitedRoute,
  type ResolvedRateLimitOptions,
} from '../rate-limit/rate-limit-options.js'
import { claimedClientId } from './error-report.js'
import type { RawParameters } from './form-encoding.js'
import { type HttpRequest, type HttpResponse, jsonResponse, NO_STORE } from './http-message.js'

const LIMITED_ROUTES: readonly string[] = ['authorize', 'token', 'revoke', 'introspect']

/** One request's standing with the limiter: refused, or let through with what to settle later. */
export type RequestAdmission =
  | { readonly refused: HttpResponse; readonly settle?: never }
  | { readonly refused?: never; readonly settle: (outcome: unknown) => Promise<void> }

const ADMITTED: RequestAdmission = { settle: async () => {} }

/**
 * The HTTP surface's request limits: each request to authorize, token, revoke and introspect is
 * charged to the client id it names and to its client address, in one call of the limiter, before
 * any work; over a limit it is answered `429` with `Retry-After`. On the routes that authenticate
 * the client, a failed authentication is then charged again at the lock-out's failure cost (a
 * second call, made only then), and a success after failures clears them.
 */
export function createRequestLimits(options: ResolvedRateLimitOptions | null, limiter: RateLimiter) {
  return async function admit(
    routeName: string,
    request: HttpRequest,
    form: () => RawParameters,
  ): Promise<RequestAdmission> {
    if (options === null || !LIMITED_ROUTES.includes(routeName)) return ADMITTED
    const route = routeName as RateLimitedRoute
    const subject: RateLimitedRequest = {
      route,
      clientId: claimedClientId(request, form),
      address: options.clientAddress({
        remoteAddress: request.remoteAddress ?? null,
        headers: request.headers,
      }),
    }
    const attempts = rateLimitAttempts(options, subject)
    if (attempts.length === 0) return ADMITTED
    const decision = await limiter.consume(attempts)
    if (!decision.allowed) return { refused: tooManyRequests(decision) }
    if (!CLIENT_AUTHENTICATING_ROUTES.includes(route)) return ADMITTED
    return {
      settle: async (outcome) => {
        const result = authenticationOutcome(outcome)
        // A success only matters when there were failures to clear.
        if (result === null || (result === 'success' && decision.failures === 0)) return
        const settled = rateLimitAttempts(options, { ...subject, outcome: result })
        await limiter.consume(settled.map((attempt) => ({ ...attempt, cost: 0 })))
      },
    }
  }
}

/** Refusals that come only after the client authenticated: its credentials were right. */
const AFTER_AUTHENTICATION: readonly string[] = ['invalid_grant', 'invalid_scope', 'unauthorized_client']

/**
 * How the client authentication of a request that ended with `outcome` (its answer, or what it
 * threw) went, when that is certain. A request refused before authenticating (malformed) counts as
 * neither: were it a success, malformed requests would wipe a guesser's failures.
 */
function authenticationOutcome(outcome: unknown): AttemptOutcome | null {
  if (outcome instanceof OAuthError) {
    if (outcome.code === 'invalid_client') return 'failure'
    return AFTER_AUTHENTICATION.includes(outcome.code) ? 'success' : null
  }
  return outcome instanceof Error ? null : 'success'
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

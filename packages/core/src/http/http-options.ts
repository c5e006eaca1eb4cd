import { ConfigurationError } from '../errors/configuration-error.js'
import type { RateLimiter } from '../ports/rate-limiter.js'
import {
  type RateLimitOptions,
  type ResolvedRateLimitOptions,
  resolveRateLimitOptions,
} from '../rate-limit/rate-limit-options.js'
import { DEFAULT_INTERACTION_TTL_SECONDS } from '../use-cases/begin-authorization.js'
import { type ErrorReporter, reportToStderr } from './error-report.js'

/** The HTTP options, all of them: what `createOAuthExpress`, `createOAuthKoa` and `createOAuthHttp` take. */
export interface OAuthHttpOptions {
  /**
   * Where the routes sit under the issuer's path: issuer `https://id.example.com/a` with prefix
   * `oauth` puts the token endpoint at `/a/oauth/token`. Leading and trailing slashes are dropped.
   * Default `oauth`.
   */
  readonly routePrefix?: string
  /** The largest request body read, in bytes; a larger one is answered 413. Default 16 KiB. */
  readonly bodyLimitBytes?: number
  /**
   * How long a consent screen may stay open before its form expires, and how long a sign-in asked
   * for by `prompt=login` or `max_age` may take, in seconds. Default 600.
   */
  readonly consentTicketTtlSeconds?: number
  /**
   * Told about every request that failed on the server's side (`500`, or `503` with the storage
   * unavailable), after its response was made: the error itself, and a report that names the
   * route, the client and the request id but no secret. Default: one JSON line on stderr.
   */
  readonly onError?: ErrorReporter
  /**
   * Where a readiness probe may ask `GET` whether the server can answer (`server.health()`): `200`
   * with `{ status: 'ok', checks }`, or `503` with `{ status: 'unavailable', checks }`, statuses
   * only. An absolute path, e.g. `/oauth/health`; default `null`, no such route.
   */
  readonly healthPath?: string | null
  /**
   * Request limits per client id and per client address on authorize, token, revoke and
   * introspect, with a lock-out of repeated failed client authentications; over a limit, `429`
   * with `Retry-After`. Safe defaults (`RATE_LIMIT_DEFAULTS`); `false` turns them off (when a
   * gateway in front limits instead). Behind a proxy, set `trustProxy`.
   */
  readonly rateLimit?: RateLimitOptions | false
  /**
   * Where the limits are counted. Default: in this process's memory, which is right for one
   * instance; several instances share one with `createRedisRateLimiter` from `@sp-oauth/redis`.
   */
  readonly rateLimiter?: RateLimiter
}

/** The HTTP options with every default applied. */
export interface ResolvedHttpOptions {
  readonly routePrefix: string
  readonly bodyLimitBytes: number
  readonly consentTicketTtlSeconds: number
  readonly onError: ErrorReporter
  readonly healthPath: string | null
  /** `null`: not limited. */
  readonly rateLimit: ResolvedRateLimitOptions | null
  /** `null`: the default, a limiter in memory made for this HTTP surface. */
  readonly rateLimiter: RateLimiter | null
}

/** The defaults of the HTTP options; `rateLimit` is `RATE_LIMIT_DEFAULTS`. */
export const HTTP_DEFAULTS = Object.freeze({
  routePrefix: 'oauth',
  bodyLimitBytes: 16 * 1024,
  consentTicketTtlSeconds: DEFAULT_INTERACTION_TTL_SECONDS,
  onError: reportToStderr,
  healthPath: null,
} as const)

/**
 * Applies the defaults and checks every option, all problems in one error.
 *
 * @throws ConfigurationError naming each bad option
 */
export function resolveHttpOptions(options: OAuthHttpOptions): ResolvedHttpOptions {
  const problems: string[] = []
  const routePrefix = String(options.routePrefix ?? HTTP_DEFAULTS.routePrefix).replace(/^\/+|\/+$/g, '')
  if (!/^[A-Za-z0-9._~/-]*$/.test(routePrefix))
    problems.push('routePrefix: may only hold URL path characters')
  const positiveInteger = (name: 'bodyLimitBytes' | 'consentTicketTtlSeconds'): number => {
    const value = options[name] ?? HTTP_DEFAULTS[name]
    if (!Number.isSafeInteger(value) || value <= 0) problems.push(`${name}: must be a positive whole number`)
    return value
  }
  if (options.onError !== undefined && typeof options.onError !== 'function') {
    problems.push('onError: must be a function (error, report) => void')
  }
  const healthPath = options.healthPath ?? HTTP_DEFAULTS.healthPath
  if (healthPath !== null && !/^\/[A-Za-z0-9._~/-]*$/.test(String(healthPath))) {
    problems.push('healthPath: must be an absolute path of URL path characters, e.g. /oauth/health')
  }
  let rateLimit: ResolvedRateLimitOptions | null = null
  if (options.rateLimit !== false) {
    try {
      rateLimit = resolveRateLimitOptions(options.rateLimit ?? {})
    } catch (error) {
      if (!(error instanceof ConfigurationError)) throw error
      problems.push(...error.problems)
    }
  }
  const rateLimiter = options.rateLimiter ?? null
  if (rateLimiter !== null && typeof rateLimiter?.consume !== 'function') {
    problems.push(
      'rateLimiter: must have consume(attempts), e.g. createRedisRateLimiter from @sp-oauth/redis',
    )
  }
  const resolved = {
    onError: options.onError ?? HTTP_DEFAULTS.onError,
    healthPath,
    rateLimit,
    rateLimiter,
    routePrefix,
    bodyLimitBytes: positiveInteger('bodyLimitBytes'),
    consentTicketTtlSeconds: positiveInteger('consentTicketTtlSeconds'),
  }
  if (problems.length > 0) throw new ConfigurationError(problems)
  return Object.freeze(resolved)
}

import type { AttemptOutcome, RateLimitAttempt } from '../ports/rate-limiter.js'
import { isClientId } from '../use-cases/internal/client-id.js'
import { formatIpAddress, networkOf, parseIpAddress } from './ip-address.js'
import {
  CLIENT_AUTHENTICATING_ROUTES,
  type RateLimitedRoute,
  type ResolvedRateLimitOptions,
} from './rate-limit-options.js'

/** What the HTTP layer knows of a request when it limits it. */
export interface RateLimitedRequest {
  readonly route: RateLimitedRoute
  /**
   * The client id the request claims, not yet authenticated: the `client_id` parameter or the
   * Basic user name. `null` or a value that cannot be a client id: no per-client limit.
   */
  readonly clientId: string | null
  /** The client address from `clientAddress`; `null`: no per-address limit. */
  readonly address: string | null
  /** On a client-authenticating route, how the client authentication went, once known. */
  readonly outcome?: AttemptOutcome
}

/**
 * The attempts to hand `RateLimiter.consume` for one request, in one call: one per limited key,
 * `<route>:client:<client id>` and `<route>:ip:<address or IPv6 network>`, each with its route's
 * rule, and on the client-authenticating routes (token, revoke, introspect) the lock-out and the
 * request's outcome. Empty when nothing limits the request: then do not call the limiter.
 */
export function rateLimitAttempts(
  options: ResolvedRateLimitOptions,
  request: RateLimitedRequest,
): RateLimitAttempt[] {
  const { route, clientId, address, outcome } = request
  const lockout = options.lockout && CLIENT_AUTHENTICATING_ROUTES.includes(route) ? options.lockout : null
  const withLockout = (key: string, rule: RateLimitAttempt['rule']): RateLimitAttempt =>
    lockout ? { key, rule, lockout, ...(outcome === undefined ? {} : { outcome }) } : { key, rule }
  const attempts: RateLimitAttempt[] = []
  const clientRule = options.perClient[route]
  if (clientRule && clientId !== null && isClientId(clientId)) {
    attempts.push(withLockout(`${route}:client:${clientId}`, clientRule))
  }
  const addressRule = options.perAddress[route]
  const limited = addressRule && address !== null ? limitedAddress(address, options.ipv6PrefixLength) : null
  if (addressRule && limited !== null) attempts.push(withLockout(`${route}:ip:${limited}`, addressRule))
  return attempts
}

/** An IPv4 address as it is; an IPv6 one as its network of `ipv6PrefixLength` bits. */
function limitedAddress(text: string, ipv6PrefixLength: number): string | null {
  const address = parseIpAddress(text)
  if (!address) return null
  if (address.bytes.length === 4 || ipv6PrefixLength === 128) return formatIpAddress(address)
  return `${formatIpAddress(networkOf(address, ipv6PrefixLength))}/${ipv6PrefixLength}`
}

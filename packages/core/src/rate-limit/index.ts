// What @sp-oauth/core exports for rate limiting: the RateLimiter port and the policy helpers the
// HTTP surface limits requests with. The in-memory limiter is in @sp-oauth/core/memory.

export type {
  AttemptOutcome,
  LockoutRule,
  RateLimitAttempt,
  RateLimitDecision,
  RateLimiter,
  RateLimitRule,
} from '../ports/rate-limiter.js'
export {
  checkRateLimitAttempts,
  MAX_RATE_LIMIT_ATTEMPTS,
  MAX_RATE_LIMIT_KEY_LENGTH,
} from './check-rate-limit-attempt.js'
export {
  type ClientAddressRequest,
  type ClientAddressResolver,
  createClientAddressResolver,
  type TrustProxy,
} from './client-address.js'
export { type RateLimitedRequest, rateLimitAttempts } from './rate-limit-attempts.js'
export { RATE_LIMIT_DEFAULTS } from './rate-limit-defaults.js'
export {
  type RateLimitedRoute,
  type RateLimitOptions,
  type ResolvedRateLimitOptions,
  type RouteLimits,
  resolveRateLimitOptions,
} from './rate-limit-options.js'

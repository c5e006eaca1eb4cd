import type { LockoutRule, RateLimitRule } from '../ports/rate-limiter.js'
import type { RateLimitedRoute } from './rate-limit-options.js'

const perMinute = (limit: number): RateLimitRule => Object.freeze({ limit, windowSeconds: 60 })

/**
 * Every rate limit default, in one place. Generous for real traffic (a partner's back end, an
 * office behind one address), tight for guessing: a client secret guesser gets 5 tries before a
 * lock-out that doubles from 15 seconds to 15 minutes, and each failure costs 10 requests.
 */
export const RATE_LIMIT_DEFAULTS = Object.freeze({
  /** Per client address (an IPv6 client by its /64 network). */
  perAddress: Object.freeze({
    authorize: perMinute(300),
    token: perMinute(300),
    revoke: perMinute(300),
    // Resource servers introspect every request they serve, each from one address.
    introspect: perMinute(1200),
  }) satisfies Readonly<Record<RateLimitedRoute, RateLimitRule>>,
  /** Per client id claimed by the request, across every address. */
  perClient: Object.freeze({
    authorize: perMinute(600),
    token: perMinute(600),
    revoke: perMinute(600),
    introspect: perMinute(3000),
  }) satisfies Readonly<Record<RateLimitedRoute, RateLimitRule>>,
  lockout: Object.freeze({
    failureCost: 10,
    failuresBeforeLockout: 5,
    lockoutSeconds: 15,
    maxLockoutSeconds: 900,
  }) satisfies LockoutRule,
  /** Anyone can write `X-Forwarded-For`: only the deployment knows which proxies to believe. */
  trustProxy: false,
  /** An IPv6 host usually holds a whole /64: limiting its single addresses would limit nothing. */
  ipv6PrefixLength: 64,
})

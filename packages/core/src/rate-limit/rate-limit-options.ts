import { ConfigurationError } from '../errors/configuration-error.js'
import type { LockoutRule, RateLimitRule } from '../ports/rate-limiter.js'
import {
  type ClientAddressResolver,
  createClientAddressResolver,
  type TrustProxy,
  trustProxyProblems,
} from './client-address.js'
import { RATE_LIMIT_DEFAULTS } from './rate-limit-defaults.js'

/** The routes limited, named as the HTTP surface names them. */
export type RateLimitedRoute = 'authorize' | 'token' | 'revoke' | 'introspect'

/** The routes whose requests authenticate a client, and so can fail to (RFC 6749 §2.3). */
export const CLIENT_AUTHENTICATING_ROUTES: readonly RateLimitedRoute[] = Object.freeze([
  'token',
  'revoke',
  'introspect',
])

const ROUTES: readonly RateLimitedRoute[] = Object.freeze(['authorize', 'token', 'revoke', 'introspect'])

/** A rule per route; a route left out keeps its default, `false` leaves it unlimited. */
export type RouteLimits = { readonly [Route in RateLimitedRoute]?: RateLimitRule | false }

/** How requests are limited; every field is optional, see {@link RATE_LIMIT_DEFAULTS}. */
export interface RateLimitOptions {
  /** Per client address ({@link TrustProxy} says which), an IPv6 client by its network. */
  readonly perAddress?: RouteLimits
  /** Per client id the request claims, before it is authenticated, across every address. */
  readonly perClient?: RouteLimits
  /**
   * What a failed client authentication costs, on its client id and its address: `false` makes a
   * failure cost what a success does and never locks out. Fields left out keep their defaults.
   */
  readonly lockout?: Partial<LockoutRule> | false
  readonly trustProxy?: TrustProxy
  /** How many leading bits of an IPv6 client address are limited together: 32 to 128. Default 64. */
  readonly ipv6PrefixLength?: number
}

/** {@link RateLimitOptions} with every default applied and checked. */
export interface ResolvedRateLimitOptions {
  /** Each route's rule, or `null` when the route is not limited this way. */
  readonly perAddress: Readonly<Record<RateLimitedRoute, RateLimitRule | null>>
  readonly perClient: Readonly<Record<RateLimitedRoute, RateLimitRule | null>>
  readonly lockout: LockoutRule | null
  readonly trustProxy: TrustProxy
  readonly ipv6PrefixLength: number
  /** Derives a request's client address as `trustProxy` says. */
  readonly clientAddress: ClientAddressResolver
}

const OPTION_NAMES = ['perAddress', 'perClient', 'lockout', 'trustProxy', 'ipv6PrefixLength']
const LOCKOUT_NAMES = ['failureCost', 'failuresBeforeLockout', 'lockoutSeconds', 'maxLockoutSeconds']
const MILLION = 1_000_000

/**
 * Applies the defaults and checks every rate limit option, all problems in one error, each named by
 * its path under `rateLimit` (`rateLimit.perAddress.token.limit: …`).
 *
 * @throws ConfigurationError naming each bad option
 */
export function resolveRateLimitOptions(options: RateLimitOptions = {}): ResolvedRateLimitOptions {
  const problems: string[] = []
  const at = (path: string): string => `rateLimit.${path}`
  const whole = (value: unknown, path: string, min: number, max: number): void => {
    if (!Number.isSafeInteger(value) || (value as number) < min || (value as number) > max)
      problems.push(`${at(path)}: must be a whole number from ${min} to ${max}`)
  }
  if (typeof options !== 'object' || options === null) {
    throw new ConfigurationError([`rateLimit: must be an object`])
  }
  for (const name of Object.keys(options)) {
    if (!OPTION_NAMES.includes(name))
      problems.push(`${at(name)}: not a rate limit option (${OPTION_NAMES.join(', ')})`)
  }

  const routeRules = (kind: 'perAddress' | 'perClient'): Record<RateLimitedRoute, RateLimitRule | null> => {
    const given: RouteLimits = options[kind] ?? {}
    const resolved = {} as Record<RateLimitedRoute, RateLimitRule | null>
    if (typeof given !== 'object' || given === null) {
      problems.push(`${at(kind)}: must be an object of routes`)
      return { ...RATE_LIMIT_DEFAULTS[kind] }
    }
    for (const name of Object.keys(given)) {
      if (!ROUTES.includes(name as RateLimitedRoute))
        problems.push(`${at(`${kind}.${name}`)}: not a limited route (${ROUTES.join(', ')})`)
    }
    for (const route of ROUTES) {
      const rule = given[route] ?? RATE_LIMIT_DEFAULTS[kind][route]
      if (rule === false) {
        resolved[route] = null
        continue
      }
      if (typeof rule !== 'object' || rule === null) {
        problems.push(`${at(`${kind}.${route}`)}: must be { limit, windowSeconds } or false`)
        resolved[route] = null
        continue
      }
      whole(rule.limit, `${kind}.${route}.limit`, 1, MILLION)
      whole(rule.windowSeconds, `${kind}.${route}.windowSeconds`, 1, MILLION)
      resolved[route] = Object.freeze({ limit: rule.limit, windowSeconds: rule.windowSeconds })
    }
    return resolved
  }
  const perAddress = routeRules('perAddress')
  const perClient = routeRules('perClient')

  let lockout: LockoutRule | null = null
  if (options.lockout !== false) {
    const given = options.lockout ?? {}
    if (typeof given !== 'object' || given === null)
      problems.push(`${at('lockout')}: must be an object of lock-out options, or false`)
    for (const name of Object.keys(given)) {
      if (!LOCKOUT_NAMES.includes(name))
        problems.push(`${at(`lockout.${name}`)}: not a lock-out option (${LOCKOUT_NAMES.join(', ')})`)
    }
    lockout = Object.freeze({ ...RATE_LIMIT_DEFAULTS.lockout, ...given })
    whole(lockout.failureCost, 'lockout.failureCost', 1, MILLION)
    whole(lockout.failuresBeforeLockout, 'lockout.failuresBeforeLockout', 1, 1000)
    whole(lockout.lockoutSeconds, 'lockout.lockoutSeconds', 1, MILLION)
    whole(lockout.maxLockoutSeconds, 'lockout.maxLockoutSeconds', 1, MILLION)
    if (lockout.maxLockoutSeconds < lockout.lockoutSeconds)
      problems.push(`${at('lockout.maxLockoutSeconds')}: must be at least lockout.lockoutSeconds`)
    // A failure must fit in every bucket it is charged to, or it could never be allowed.
    for (const kind of ['perAddress', 'perClient'] as const) {
      for (const route of CLIENT_AUTHENTICATING_ROUTES) {
        const rule = kind === 'perAddress' ? perAddress[route] : perClient[route]
        if (rule && Number.isSafeInteger(rule.limit) && rule.limit >= 1 && lockout.failureCost > rule.limit)
          problems.push(
            `${at('lockout.failureCost')}: must be at most ${kind}.${route}.limit (${rule.limit})`,
          )
      }
    }
  }

  const trustProxy = options.trustProxy ?? RATE_LIMIT_DEFAULTS.trustProxy
  problems.push(...trustProxyProblems(trustProxy, at('trustProxy')))
  const ipv6PrefixLength = options.ipv6PrefixLength ?? RATE_LIMIT_DEFAULTS.ipv6PrefixLength
  whole(ipv6PrefixLength, 'ipv6PrefixLength', 32, 128)

  if (problems.length > 0) throw new ConfigurationError(problems)
  const frozenTrust = Array.isArray(trustProxy) ? Object.freeze([...trustProxy]) : trustProxy
  return Object.freeze({
    perAddress: Object.freeze(perAddress),
    perClient: Object.freeze(perClient),
    lockout,
    trustProxy: frozenTrust,
    ipv6PrefixLength,
    clientAddress: createClientAddressResolver(frozenTrust),
  })
}

import { describe, expect, it } from 'vitest'
import { ConfigurationError } from '../errors/configuration-error.js'
import { RATE_LIMIT_DEFAULTS } from './rate-limit-defaults.js'
import { type RateLimitOptions, resolveRateLimitOptions } from './rate-limit-options.js'

function problemsOf(options: unknown): readonly string[] {
  try {
    resolveRateLimitOptions(options as RateLimitOptions)
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError)
    return (error as ConfigurationError).problems
  }
  throw new Error('expected a ConfigurationError')
}

describe('resolveRateLimitOptions', () => {
  it('applies every default: per address and per client on each route, the lock-out, no trusted proxy, /64', () => {
    const resolved = resolveRateLimitOptions()
    expect(resolved).toMatchObject({
      perAddress: {
        authorize: { limit: 300, windowSeconds: 60 },
        token: { limit: 300, windowSeconds: 60 },
        revoke: { limit: 300, windowSeconds: 60 },
        introspect: { limit: 1200, windowSeconds: 60 },
      },
      perClient: {
        authorize: { limit: 600, windowSeconds: 60 },
        token: { limit: 600, windowSeconds: 60 },
        revoke: { limit: 600, windowSeconds: 60 },
        introspect: { limit: 3000, windowSeconds: 60 },
      },
      lockout: { failureCost: 10, failuresBeforeLockout: 5, lockoutSeconds: 15, maxLockoutSeconds: 900 },
      trustProxy: false,
      ipv6PrefixLength: 64,
    })
    expect(
      resolved.clientAddress({ remoteAddress: '10.0.0.1', headers: { 'x-forwarded-for': '1.2.3.4' } }),
    ).toBe('10.0.0.1')
  })

  it('failed client authentications cost more than successes by default', () => {
    expect(RATE_LIMIT_DEFAULTS.lockout.failureCost).toBeGreaterThan(1)
  })

  it('takes a route rule over its default, keeps the other routes, and false leaves a route unlimited', () => {
    const resolved = resolveRateLimitOptions({
      perAddress: { token: { limit: 50, windowSeconds: 10 }, introspect: false },
      perClient: { authorize: false },
    })
    expect(resolved.perAddress.token).toEqual({ limit: 50, windowSeconds: 10 })
    expect(resolved.perAddress.introspect).toBeNull()
    expect(resolved.perAddress.revoke).toEqual({ limit: 300, windowSeconds: 60 })
    expect(resolved.perClient.authorize).toBeNull()
    expect(resolved.perClient.token).toEqual({ limit: 600, windowSeconds: 60 })
  })

  it('merges lock-out fields over the defaults; false turns the lock-out off', () => {
    expect(resolveRateLimitOptions({ lockout: { failuresBeforeLockout: 3 } }).lockout).toEqual({
      failureCost: 10,
      failuresBeforeLockout: 3,
      lockoutSeconds: 15,
      maxLockoutSeconds: 900,
    })
    expect(resolveRateLimitOptions({ lockout: false }).lockout).toBeNull()
  })

  it('builds the client address resolver from trustProxy', () => {
    const resolved = resolveRateLimitOptions({ trustProxy: ['10.0.0.0/8'] })
    expect(resolved.trustProxy).toEqual(['10.0.0.0/8'])
    expect(
      resolved.clientAddress({ remoteAddress: '10.1.1.1', headers: { 'x-forwarded-for': '203.0.113.7' } }),
    ).toBe('203.0.113.7')
  })

  it('freezes what it returns, and keeps no reference to the options', () => {
    const trustProxy = ['10.0.0.0/8']
    const resolved = resolveRateLimitOptions({ trustProxy })
    trustProxy.push('0.0.0.0/0')
    expect(resolved.trustProxy).toEqual(['10.0.0.0/8'])
    expect(Object.isFrozen(resolved)).toBe(true)
    expect(Object.isFrozen(resolved.perAddress)).toBe(true)
    expect(Object.isFrozen(resolved.perAddress.token)).toBe(true)
    expect(Object.isFrozen(resolved.lockout)).toBe(true)
  })

  it('names every bad option in one ConfigurationError', () => {
    expect(
      problemsOf({
        perAddress: { token: { limit: 0, windowSeconds: 60 }, tokn: { limit: 1, windowSeconds: 1 } },
        perClient: { introspect: { limit: 10, windowSeconds: 1.5 }, revoke: 'many' },
        lockout: { lockoutSeconds: 60, maxLockoutSeconds: 30, failuresBeforeLockout: 0, cost: 3 },
        trustProxy: true,
        ipv6PrefixLength: 16,
        perAdress: {},
      }),
    ).toEqual([
      'rateLimit.perAdress: not a rate limit option (perAddress, perClient, lockout, trustProxy, ipv6PrefixLength)',
      'rateLimit.perAddress.tokn: not a limited route (authorize, token, revoke, introspect)',
      'rateLimit.perAddress.token.limit: must be a whole number from 1 to 1000000',
      'rateLimit.perClient.revoke: must be { limit, windowSeconds } or false',
      'rateLimit.perClient.introspect.windowSeconds: must be a whole number from 1 to 1000000',
      'rateLimit.lockout.cost: not a lock-out option (failureCost, failuresBeforeLockout, lockoutSeconds, maxLockoutSeconds)',
      'rateLimit.lockout.failuresBeforeLockout: must be a whole number from 1 to 1000',
      'rateLimit.lockout.maxLockoutSeconds: must be at least lockout.lockoutSeconds',
      'rateLimit.trustProxy: must be false, a number of proxies or a list of proxy addresses and networks (true would let every client choose the address it is limited by)',
      'rateLimit.ipv6PrefixLength: must be a whole number from 32 to 128',
    ])
  })

  it('a failure must fit in each bucket it is charged to: failureCost at most every client-authenticating limit', () => {
    expect(
      problemsOf({
        perAddress: { token: { limit: 5, windowSeconds: 60 } },
        perClient: { revoke: { limit: 8, windowSeconds: 60 } },
      }),
    ).toEqual([
      'rateLimit.lockout.failureCost: must be at most perAddress.token.limit (5)',
      'rateLimit.lockout.failureCost: must be at most perClient.revoke.limit (8)',
    ])
    // authorize authenticates no client: its limit may be below the failure cost.
    expect(
      resolveRateLimitOptions({ perAddress: { authorize: { limit: 5, windowSeconds: 60 } } }),
    ).toBeTruthy()
    expect(
      resolveRateLimitOptions({ perAddress: { token: { limit: 5, windowSeconds: 60 } }, lockout: false }),
    ).toBeTruthy()
  })

  it('refuses options that are not objects', () => {
    expect(problemsOf(null)).toEqual(['rateLimit: must be an object'])
    expect(problemsOf({ perAddress: 5 })).toEqual(['rateLimit.perAddress: must be an object of routes'])
    expect(problemsOf({ lockout: true })).toEqual([
      'rateLimit.lockout: must be an object of lock-out options, or false',
    ])
  })
})

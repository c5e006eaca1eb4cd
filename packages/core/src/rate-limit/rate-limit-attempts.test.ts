import { describe, expect, it } from 'vitest'
import { createFakeClock } from '../testing/fake-clock.js'
import { createMemoryRateLimiter } from './memory-rate-limiter.js'
import { rateLimitAttempts } from './rate-limit-attempts.js'
import { RATE_LIMIT_DEFAULTS } from './rate-limit-defaults.js'
import { resolveRateLimitOptions } from './rate-limit-options.js'

const defaults = resolveRateLimitOptions()

describe('rateLimitAttempts', () => {
  it('token: one attempt per client id and per address, each with the lock-out and the outcome', () => {
    expect(
      rateLimitAttempts(defaults, {
        route: 'token',
        clientId: 'erp-connector',
        address: '203.0.113.7',
        outcome: 'failure',
      }),
    ).toEqual([
      {
        key: 'token:client:erp-connector',
        rule: { limit: 600, windowSeconds: 60 },
        lockout: RATE_LIMIT_DEFAULTS.lockout,
        outcome: 'failure',
      },
      {
        key: 'token:ip:203.0.113.7',
        rule: { limit: 300, windowSeconds: 60 },
        lockout: RATE_LIMIT_DEFAULTS.lockout,
        outcome: 'failure',
      },
    ])
  })

  it('revoke and introspect carry the lock-out; authorize authenticates no client and carries none', () => {
    for (const route of ['revoke', 'introspect'] as const) {
      for (const attempt of rateLimitAttempts(defaults, { route, clientId: 'c', address: '203.0.113.7' })) {
        expect(attempt.lockout).toEqual(RATE_LIMIT_DEFAULTS.lockout)
        expect(attempt.key.startsWith(`${route}:`)).toBe(true)
      }
    }
    expect(
      rateLimitAttempts(defaults, {
        route: 'authorize',
        clientId: 'c',
        address: '203.0.113.7',
        outcome: 'failure',
      }),
    ).toEqual([
      { key: 'authorize:client:c', rule: { limit: 600, windowSeconds: 60 } },
      { key: 'authorize:ip:203.0.113.7', rule: { limit: 300, windowSeconds: 60 } },
    ])
  })

  it('an IPv6 client is limited by its /64 network (ipv6PrefixLength)', () => {
    const [attempt] = rateLimitAttempts(defaults, {
      route: 'token',
      clientId: null,
      address: '2001:db8:1:2:aaaa::1',
    })
    expect(attempt!.key).toBe('token:ip:2001:db8:1:2::/64')
    const other = rateLimitAttempts(defaults, {
      route: 'token',
      clientId: null,
      address: '2001:db8:1:2:bbbb::9',
    })
    expect(other[0]!.key).toBe(attempt!.key)
    const per128 = resolveRateLimitOptions({ ipv6PrefixLength: 128 })
    expect(
      rateLimitAttempts(per128, { route: 'token', clientId: null, address: '2001:db8::1' })[0]!.key,
    ).toBe('token:ip:2001:db8::1')
  })

  it('no per-client attempt for a missing client id, or one that cannot be a client id', () => {
    for (const clientId of [null, '', 'a b', 'x'.repeat(129), 'é']) {
      expect(
        rateLimitAttempts(defaults, { route: 'token', clientId, address: '203.0.113.7' }).map((a) => a.key),
      ).toEqual(['token:ip:203.0.113.7'])
    }
  })

  it('no per-address attempt without an address; nothing at all when nothing is limited', () => {
    expect(
      rateLimitAttempts(defaults, { route: 'token', clientId: 'c', address: null }).map((a) => a.key),
    ).toEqual(['token:client:c'])
    expect(
      rateLimitAttempts(defaults, { route: 'token', clientId: null, address: 'not an address' }),
    ).toEqual([])
    const off = resolveRateLimitOptions({ perAddress: { token: false }, perClient: { token: false } })
    expect(rateLimitAttempts(off, { route: 'token', clientId: 'c', address: '203.0.113.7' })).toEqual([])
  })

  it('without a lock-out, attempts carry neither lock-out nor outcome', () => {
    const noLockout = resolveRateLimitOptions({ lockout: false })
    for (const attempt of rateLimitAttempts(noLockout, {
      route: 'token',
      clientId: 'c',
      address: '203.0.113.7',
      outcome: 'failure',
    })) {
      expect(attempt).not.toHaveProperty('lockout')
      expect(attempt).not.toHaveProperty('outcome')
    }
  })

  it('end to end: failed client authentications from one address lock it and the client out, a success from elsewhere waits too', async () => {
    const limiter = createMemoryRateLimiter({ clock: createFakeClock() })
    const attempt = (address: string, outcome: 'success' | 'failure') =>
      limiter.consume(rateLimitAttempts(defaults, { route: 'token', clientId: 'erp', address, outcome }))
    for (let i = 0; i < 5; i++) expect((await attempt('203.0.113.7', 'failure')).allowed).toBe(true)
    expect(await attempt('203.0.113.7', 'success')).toMatchObject({ allowed: false, retryAfterSeconds: 15 })
    expect(await attempt('198.51.100.1', 'success')).toMatchObject({ allowed: false, retryAfterSeconds: 15 })
    // Another client from a fresh address is unaffected.
    expect(
      await limiter.consume(
        rateLimitAttempts(defaults, { route: 'token', clientId: 'other', address: '198.51.100.1' }),
      ),
    ).toMatchObject({ allowed: true })
  })
})

import { describe, expect, it } from 'vitest'
import { createFakeClock } from '../testing/fake-clock.js'
import { createMemoryRateLimiter } from './memory-rate-limiter.js'

const rule = { limit: 10, windowSeconds: 60 }
const lockout = { failureCost: 5, failuresBeforeLockout: 3, lockoutSeconds: 10, maxLockoutSeconds: 60 }

describe('createMemoryRateLimiter', () => {
  it('keeps at most maxKeys keys: a flood of distinct keys evicts the least recently used', async () => {
    const limiter = createMemoryRateLimiter({ clock: createFakeClock(), maxKeys: 100 })
    for (let i = 0; i < 10_000; i++) await limiter.consume([{ key: `ip:${i}`, rule }])
    expect(limiter.size()).toBe(100)
    // The newest keys are still limited; the oldest start over.
    expect(await limiter.consume([{ key: 'ip:9999', rule }])).toMatchObject({ remaining: 8 })
    expect(await limiter.consume([{ key: 'ip:0', rule }])).toMatchObject({ remaining: 9 })
  })

  it('a key used again moves to the back: the flood evicts the idle keys first', async () => {
    const limiter = createMemoryRateLimiter({ clock: createFakeClock(), maxKeys: 3 })
    await limiter.consume([{ key: 'busy', rule }])
    await limiter.consume([{ key: 'idle', rule }])
    await limiter.consume([{ key: 'busy', rule }])
    await limiter.consume([{ key: 'new', rule }])
    await limiter.consume([{ key: 'newer', rule }])
    expect(await limiter.consume([{ key: 'busy', rule }])).toMatchObject({ remaining: 7 })
    expect(await limiter.consume([{ key: 'idle', rule }])).toMatchObject({ remaining: 9 })
  })

  it('drops expired keys as it goes, a few per call: a full bucket with no failures is not kept', async () => {
    const clock = createFakeClock()
    const limiter = createMemoryRateLimiter({ clock })
    for (let i = 0; i < 100; i++) await limiter.consume([{ key: `ip:${i}`, rule }])
    // One unit each, back after 6 s: nothing has expired 5 s later.
    clock.advanceSeconds(5)
    await limiter.consume([{ key: 'other', rule, cost: 0 }])
    expect(limiter.size()).toBe(100)
    clock.advanceSeconds(1)
    await limiter.consume([{ key: 'other', rule, cost: 0 }])
    expect(limiter.size()).toBe(92)
    for (let i = 0; i < 20; i++) await limiter.consume([{ key: 'other', rule, cost: 0 }])
    expect(limiter.size()).toBe(0)
  })

  it('a key whose failures are remembered is kept until they are forgotten, then dropped', async () => {
    const clock = createFakeClock()
    const limiter = createMemoryRateLimiter({ clock })
    await limiter.consume([{ key: 'client:a', rule, outcome: 'failure', lockout }])
    // Its bucket is full again after 30 s; its failure is remembered for 60 s.
    clock.advanceSeconds(59)
    expect(await limiter.consume([{ key: 'client:a', rule, lockout, cost: 0 }])).toMatchObject({
      failures: 1,
    })
    expect(limiter.size()).toBe(1)
    clock.advanceSeconds(1)
    await limiter.consume([{ key: 'other', rule, cost: 0 }])
    expect(limiter.size()).toBe(0)
  })

  it('an attempt that changes nothing stores nothing', async () => {
    const limiter = createMemoryRateLimiter({ clock: createFakeClock() })
    await limiter.consume([{ key: 'check', rule, cost: 0 }])
    expect(limiter.size()).toBe(0)
  })

  it('refuses a maxKeys that is not a positive whole number', () => {
    for (const maxKeys of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => createMemoryRateLimiter({ maxKeys })).toThrow(RangeError)
    }
  })

  it('reads the system clock by default', async () => {
    const limiter = createMemoryRateLimiter()
    expect(await limiter.consume([{ key: 'k', rule }])).toMatchObject({ allowed: true, remaining: 9 })
  })
})

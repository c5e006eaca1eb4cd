import { ConfigurationError, type RateLimitAttempt, type RateLimitDecision } from '@sp-oauth/core'
import { createFakeClock } from '@sp-oauth/core/testing'
import { Redis } from 'ioredis'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ARGS_PER_ATTEMPT, CONSUME_SCRIPT, CONSUME_SCRIPT_SHA, scriptArguments } from './consume-script.js'
import { RateLimiterUnavailableError } from './rate-limiter-unavailable-error.js'
import { createRedisRateLimiter, type RedisRateLimiterOptions } from './redis-rate-limiter.js'
import {
  clientAddress,
  closedPort,
  connectForTests,
  deleteKeys,
  testKeyPrefix,
} from './redis-test-support.js'

const keyPrefix = testKeyPrefix()
const rule = { limit: 10, windowSeconds: 60 }
const lockout = { failureCost: 5, failuresBeforeLockout: 3, lockoutSeconds: 10, maxLockoutSeconds: 60 }
let client: Redis
let admin: Redis

beforeAll(async () => {
  client = await connectForTests()
  admin = await connectForTests()
})

afterAll(async () => {
  await deleteKeys(admin, keyPrefix)
  await client.quit()
  await admin.quit()
})

/** The errors `onError` received, and the options that record them. */
function recordErrors(options: Omit<RedisRateLimiterOptions, 'onError'>) {
  const errors: RateLimiterUnavailableError[] = []
  const limiter = createRedisRateLimiter({ keyPrefix, ...options, onError: (error) => errors.push(error) })
  return { limiter, errors }
}

/**
 * The commands Redis received from `connection` while `body` ran, read from `MONITOR` on another
 * connection. A `PING` sent on `connection` after `body` marks the end: Redis feeds one monitor in
 * the order it executes commands, so every command before the marker has arrived with it.
 */
async function commandsFrom(connection: Redis, body: () => Promise<void>): Promise<string[][]> {
  const { addr } = await clientAddress(connection)
  const monitor = await admin.monitor()
  const marker = `end-${crypto.randomUUID()}`
  const seen: string[][] = []
  const ended = new Promise<void>((resolve) => {
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      if (source !== addr) return
      if (args[0]?.toLowerCase() === 'ping' && args[1] === marker) resolve()
      else seen.push(args)
    })
  })
  try {
    await body()
    await connection.ping(marker)
    await ended
  } finally {
    monitor.disconnect()
  }
  return seen
}

describe('createRedisRateLimiter', () => {
  describe('one round trip', () => {
    it('a consume is one command on the server, EVALSHA, however many keys it limits', async () => {
      const limiter = createRedisRateLimiter({ client, keyPrefix })
      await limiter.consume([{ key: 'warm-up', rule }])
      const one = await commandsFrom(client, async () => {
        await limiter.consume([{ key: 'one', rule }])
      })
      expect(one.map((args) => args[0]?.toLowerCase())).toEqual(['evalsha'])
      const three = await commandsFrom(client, async () => {
        await limiter.consume([
          { key: 'token:client:a', rule, outcome: 'failure', lockout },
          { key: 'token:ip:203.0.113.7', rule, outcome: 'failure', lockout },
          { key: 'token:ip:2001:db8::/64', rule },
        ])
      })
      expect(three.map((args) => args[0]?.toLowerCase())).toEqual(['evalsha'])
      expect(three[0]).toContain(`${keyPrefix}token:ip:203.0.113.7`)
    })

    it('20 concurrent consumes are 20 commands: nothing read first, nothing retried', async () => {
      const limiter = createRedisRateLimiter({ client, keyPrefix })
      await limiter.consume([{ key: 'warm-up', rule }])
      const seen = await commandsFrom(client, async () => {
        await Promise.all(Array.from({ length: 20 }, () => limiter.consume([{ key: 'concurrent', rule }])))
      })
      expect(seen.map((args) => args[0]?.toLowerCase())).toEqual(Array(20).fill('evalsha'))
    })

    it('the script not loaded (SCRIPT FLUSH, a restarted Redis): EVAL loads it, then EVALSHA again', async () => {
      const limiter = createRedisRateLimiter({ client, keyPrefix })
      await admin.script('FLUSH')
      const seen = await commandsFrom(client, async () => {
        expect(await limiter.consume([{ key: 'flushed', rule }])).toMatchObject({
          allowed: true,
          remaining: 9,
        })
        expect(await limiter.consume([{ key: 'flushed', rule }])).toMatchObject({
          allowed: true,
          remaining: 8,
        })
      })
      expect(seen.map((args) => args[0]?.toLowerCase())).toEqual(['evalsha', 'eval', 'evalsha'])
    })

    it('the script and its SHA-1 agree with Redis, and each attempt sends ARGS_PER_ATTEMPT values', async () => {
      expect(await admin.script('LOAD', CONSUME_SCRIPT)).toBe(CONSUME_SCRIPT_SHA)
      const attempts: RateLimitAttempt[] = [
        { key: 'k', rule },
        { key: 'k', rule, cost: 0, outcome: 'success', lockout },
      ]
      for (const attempt of attempts) expect(scriptArguments(attempt)).toHaveLength(ARGS_PER_ATTEMPT)
    })
  })

  describe('what it stores', () => {
    it('each key under keyPrefix, as a hash that expires once it says nothing more', async () => {
      const limiter = createRedisRateLimiter({ client, keyPrefix })
      await limiter.consume([{ key: 'stored', rule, cost: 4 }])
      const key = `${keyPrefix}stored`
      expect(Object.keys(await admin.hgetall(key)).sort()).toEqual(['f', 'g', 'l', 'n'])
      // 4 units of 6 s each: full again in 24 s, plus a second of slack.
      const ttl = await admin.pttl(key)
      expect(ttl).toBeGreaterThan(23_000)
      expect(ttl).toBeLessThanOrEqual(25_000)
    })

    it('remembered failures keep the key until they are forgotten (maxLockoutSeconds after the lock-out)', async () => {
      const limiter = createRedisRateLimiter({ client, keyPrefix })
      const roomy = { limit: 100, windowSeconds: 60 }
      for (let i = 0; i < 3; i++) {
        expect(
          await limiter.consume([{ key: 'failing', rule: roomy, outcome: 'failure', lockout }]),
        ).toMatchObject({
          allowed: true,
        })
      }
      // Locked for 10 s, forgotten 60 s after that.
      const ttl = await admin.pttl(`${keyPrefix}failing`)
      expect(ttl).toBeGreaterThan(69_000)
      expect(ttl).toBeLessThanOrEqual(71_000)
    })

    it('an attempt that changes nothing stores nothing, and a refused one writes nothing', async () => {
      const limiter = createRedisRateLimiter({ client, keyPrefix })
      await limiter.consume([{ key: 'check-only', rule, cost: 0 }])
      expect(await admin.exists(`${keyPrefix}check-only`)).toBe(0)
      await limiter.consume([{ key: 'full', rule, cost: 10 }])
      const before = await admin.hgetall(`${keyPrefix}full`)
      expect((await limiter.consume([{ key: 'full', rule }])).allowed).toBe(false)
      expect(await admin.hgetall(`${keyPrefix}full`)).toEqual(before)
    })

    it('timestamps are stored exactly, as whole microseconds (no exponent, no rounding)', async () => {
      const clock = createFakeClock(new Date('2099-12-31T23:59:59.999Z'))
      const limiter = createRedisRateLimiter({ client, keyPrefix, clock })
      await limiter.consume([{ key: 'far', rule: { limit: 7, windowSeconds: 60 } }])
      const expected = 4_102_444_799_999_000 + Math.floor(60_000_000 / 7)
      expect(await admin.hget(`${keyPrefix}far`, 'f')).toBe(String(expected))
    })

    it('limiters with different prefixes keep apart; instances with the same prefix share the limit', async () => {
      const second = await connectForTests()
      try {
        const clock = createFakeClock()
        const instanceA = createRedisRateLimiter({ client, keyPrefix, clock })
        const instanceB = createRedisRateLimiter({ client: second, keyPrefix, clock })
        const decisions = await Promise.all(
          Array.from({ length: 50 }, (_, i) =>
            (i % 2 === 0 ? instanceA : instanceB).consume([{ key: 'shared', rule }]),
          ),
        )
        expect(decisions.filter((d) => d.allowed)).toHaveLength(10)
        const otherPrefix = createRedisRateLimiter({ client, keyPrefix: `${keyPrefix}other:`, clock })
        expect(await otherPrefix.consume([{ key: 'shared', rule }])).toMatchObject({ remaining: 9 })
      } finally {
        await second.quit()
      }
    })
  })

  describe('Redis unavailable: never a hang, the documented answer', () => {
    it('a closed port, whenUnavailable allow (the default): allowed, and onError told why', async () => {
      const unreachable = new Redis({
        host: '127.0.0.1',
        port: await closedPort(),
        maxRetriesPerRequest: null,
      })
      unreachable.on('error', () => undefined)
      try {
        const { limiter, errors } = recordErrors({ client: unreachable, timeoutMs: 200 })
        for (let i = 0; i < 3; i++) {
          expect(await limiter.consume([{ key: 'down', rule }])).toEqual({
            allowed: true,
            retryAfterSeconds: 0,
            remaining: 0,
            failures: 0,
          })
        }
        expect(errors).toHaveLength(3)
        for (const error of errors) expect(error).toBeInstanceOf(RateLimiterUnavailableError)
      } finally {
        unreachable.disconnect()
      }
    })

    it('a closed port, whenUnavailable refuse: refused with unavailableRetryAfterSeconds', async () => {
      const unreachable = new Redis({
        host: '127.0.0.1',
        port: await closedPort(),
        maxRetriesPerRequest: null,
      })
      unreachable.on('error', () => undefined)
      try {
        const { limiter, errors } = recordErrors({
          client: unreachable,
          timeoutMs: 200,
          whenUnavailable: 'refuse',
          unavailableRetryAfterSeconds: 7,
        })
        expect(await limiter.consume([{ key: 'down', rule }])).toEqual({
          allowed: false,
          retryAfterSeconds: 7,
          remaining: 0,
          failures: 0,
        })
        expect(errors).toHaveLength(1)
      } finally {
        unreachable.disconnect()
      }
    })

    it('a paused Redis (CLIENT PAUSE): answered after timeoutMs by whenUnavailable, counted again once it resumes', async () => {
      const paused = await connectForTests()
      try {
        const allowing = recordErrors({ client: paused, timeoutMs: 100 })
        const refusing = recordErrors({ client: paused, timeoutMs: 100, whenUnavailable: 'refuse' })
        await admin.client('PAUSE', 5000, 'WRITE')
        try {
          expect(await allowing.limiter.consume([{ key: 'paused', rule }])).toMatchObject({ allowed: true })
          expect(await refusing.limiter.consume([{ key: 'paused', rule }])).toMatchObject({
            allowed: false,
            retryAfterSeconds: 5,
          })
        } finally {
          await admin.client('UNPAUSE')
        }
        expect(allowing.errors.map((e) => e.message)).toEqual(['Redis did not answer within 100 ms'])
        expect(refusing.errors).toHaveLength(1)
        // The calls that timed out still reach Redis once it resumes; nothing is lost track of.
        const after = await allowing.limiter.consume([{ key: 'paused', rule }])
        expect(after.allowed).toBe(true)
        expect(after.remaining).toBeLessThan(9)
      } finally {
        await paused.quit()
      }
    })

    it('the connection killed with calls in flight: each resolves within timeoutMs, none allowed past the limit, and it recovers', async () => {
      const killed = await connectForTests()
      killed.on('error', () => undefined)
      try {
        const { limiter, errors } = recordErrors({
          client: killed,
          whenUnavailable: 'refuse',
          timeoutMs: 300,
        })
        const { id } = await clientAddress(killed)
        // Paused, so the calls are surely in flight (sent, unanswered) when their connection dies;
        // ioredis sends them again on its new connection, where they wait for the pause too.
        await admin.client('PAUSE', 5000, 'WRITE')
        let decisions: RateLimitDecision[]
        try {
          const calls = Array.from({ length: 10 }, () => limiter.consume([{ key: 'killed', rule }]))
          await admin.client('KILL', 'ID', id)
          decisions = await Promise.all(calls)
        } finally {
          await admin.client('UNPAUSE')
        }
        expect(decisions).toEqual(
          Array(10).fill({ allowed: false, retryAfterSeconds: 5, remaining: 0, failures: 0 }),
        )
        expect(errors).toHaveLength(10)
        if (killed.status !== 'ready') await new Promise((resolve) => killed.once('ready', resolve))
        expect(await limiter.consume([{ key: 'after-kill', rule }])).toMatchObject({
          allowed: true,
          remaining: 9,
        })
      } finally {
        killed.disconnect()
      }
    })

    it('while the connection is known to be down, a call answers at once, without queueing a command', async () => {
      const killed = await connectForTests()
      killed.on('error', () => undefined)
      try {
        const { limiter, errors } = recordErrors({ client: killed, timeoutMs: 60_000 })
        const { id } = await clientAddress(killed)
        const during = new Promise<RateLimitDecision>((resolve) => {
          killed.once('reconnecting', () => resolve(limiter.consume([{ key: 'down', rule }])))
        })
        await admin.client('KILL', 'ID', id)
        // With timeoutMs a minute, only the known-down answer can resolve this within the test timeout.
        expect(await during).toMatchObject({ allowed: true })
        expect(errors.map((e) => e.message)).toEqual(['Redis is unavailable (connection reconnecting)'])
      } finally {
        killed.disconnect()
      }
    })

    it('a Redis error (a key of another type under the prefix) is reported and answered, not thrown', async () => {
      await admin.set(`${keyPrefix}not-a-hash`, 'x')
      const { limiter, errors } = recordErrors({ client })
      expect(await limiter.consume([{ key: 'not-a-hash', rule }])).toMatchObject({ allowed: true })
      expect(errors[0]?.message).toMatch(/WRONGTYPE/)
      expect(errors[0]?.cause).toBeInstanceOf(Error)
    })

    it('an onError that throws does not fail the call', async () => {
      const unreachable = new Redis({ host: '127.0.0.1', port: await closedPort(), lazyConnect: true })
      unreachable.on('error', () => undefined)
      try {
        const limiter = createRedisRateLimiter({
          client: unreachable,
          timeoutMs: 100,
          onError: () => {
            throw new Error('reporter down')
          },
        })
        expect(await limiter.consume([{ key: 'k', rule }])).toMatchObject({ allowed: true })
      } finally {
        unreachable.disconnect()
      }
    })

    it('by default onError writes one line to console.error, without the keys', async () => {
      const unreachable = new Redis({ host: '127.0.0.1', port: await closedPort(), lazyConnect: true })
      unreachable.on('error', () => undefined)
      const lines: unknown[][] = []
      const original = console.error
      console.error = (...args: unknown[]) => {
        lines.push(args)
      }
      try {
        const limiter = createRedisRateLimiter({ client: unreachable, timeoutMs: 100 })
        await limiter.consume([{ key: 'token:client:secret-client-id', rule }])
      } finally {
        console.error = original
        unreachable.disconnect()
      }
      expect(lines).toHaveLength(1)
      expect(String(lines[0]![0])).toMatch(/^sp-oauth rate limiter: /)
      expect(JSON.stringify(lines)).not.toContain('secret-client-id')
    })
  })

  describe('mistakes', () => {
    it('attempts out of range reject with RangeError before anything is sent', async () => {
      const limiter = createRedisRateLimiter({ client, keyPrefix })
      const seen = await commandsFrom(client, async () => {
        await expect(limiter.consume([])).rejects.toBeInstanceOf(RangeError)
        await expect(limiter.consume([{ key: 'k', rule, cost: 11 }])).rejects.toBeInstanceOf(RangeError)
      })
      expect(seen).toEqual([])
    })

    it('names every bad option in one ConfigurationError', () => {
      let error: unknown
      try {
        createRedisRateLimiter({
          client: {} as Redis,
          keyPrefix: 'x'.repeat(257),
          timeoutMs: 0,
          whenUnavailable: 'maybe' as 'allow',
          unavailableRetryAfterSeconds: 0,
          onError: 'log' as unknown as () => void,
        })
      } catch (caught) {
        error = caught
      }
      expect(error).toBeInstanceOf(ConfigurationError)
      expect((error as ConfigurationError).problems).toEqual([
        'client: must be an ioredis Redis client',
        'keyPrefix: must be a string of at most 256 characters',
        'timeoutMs: must be a whole number of milliseconds from 1 to 60000',
        "whenUnavailable: must be 'allow' or 'refuse'",
        'unavailableRetryAfterSeconds: must be a whole number from 1 to 3600',
        'onError: must be a function',
      ])
    })
  })
})

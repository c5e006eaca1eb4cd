import { describe, expect, it } from 'vitest'
import type { Clock } from '../ports/clock.js'
import type {
  LockoutRule,
  RateLimitAttempt,
  RateLimitDecision,
  RateLimiter,
  RateLimitRule,
} from '../ports/rate-limiter.js'
import { inParallel } from './contract-support.js'
import { createFakeClock, type FakeClock } from './fake-clock.js'
import { randomUuid } from './record-builders.js'

/**
 * Makes the limiter for one test, reading the time from `clock` (a fake one the suite moves). A
 * limiter on a shared store may be shared between tests: every test uses keys of its own.
 */
export type RateLimiterFactory = (clock: Clock) => RateLimiter | Promise<RateLimiter>

/** Ten units a minute: one comes back every 6 seconds. */
const TEN_A_MINUTE: RateLimitRule = { limit: 10, windowSeconds: 60 }
/** Room for every failure the lock-out tests make, so only the lock-out refuses. */
const ROOMY: RateLimitRule = { limit: 1000, windowSeconds: 60 }
const LOCKOUT: LockoutRule = {
  failureCost: 5,
  failuresBeforeLockout: 3,
  lockoutSeconds: 10,
  maxLockoutSeconds: 60,
}

interface Subject {
  readonly clock: FakeClock
  /** A key of this test's own. */
  key(name?: string): string
  /** One attempt alone. */
  consume(attempt: RateLimitAttempt): Promise<RateLimitDecision>
  /** The attempts of one request, together. */
  consumeAll(attempts: readonly RateLimitAttempt[]): Promise<RateLimitDecision>
  /** Attempts of `attempt` one after another; the decisions in order. */
  repeat(count: number, attempt: RateLimitAttempt): Promise<RateLimitDecision[]>
}

function allowedCount(decisions: readonly RateLimitDecision[]): number {
  return decisions.filter((decision) => decision.allowed).length
}

/**
 * The contract of `RateLimiter`: exactly `limit` units per key at once, even under 50 concurrent
 * attempts; a unit back every `windowSeconds / limit`, the whole limit after an idle window;
 * `retryAfterSeconds` the whole seconds until the same attempt is allowed; keys independent and
 * exact; a refused attempt changes nothing; failures cost `failureCost`, lock the key out after
 * `failuresBeforeLockout` of them in a row for a time that doubles up to `maxLockoutSeconds`, and
 * are cleared by a success or forgotten after `maxLockoutSeconds`; whether an attempt is allowed
 * never depends on its outcome; attempts out of range reject with `RangeError`.
 *
 * @param name the `describe` title, e.g. the implementation's name.
 * @param factory makes the limiter for each test; see {@link RateLimiterFactory}.
 */
export function rateLimiterContract(name: string, factory: RateLimiterFactory): void {
  describe(`${name}: RateLimiter`, () => {
    const test = (title: string, body: (subject: Subject) => Promise<void>): void => {
      it(title, async () => {
        const clock = createFakeClock()
        const limiter = await factory(clock)
        const prefix = `contract:${randomUuid()}`
        const consume = (attempt: RateLimitAttempt): Promise<RateLimitDecision> => limiter.consume([attempt])
        await body({
          clock,
          key: (keyName = 'key') => `${prefix}:${keyName}`,
          consume,
          consumeAll: (attempts) => limiter.consume(attempts),
          repeat: async (count, attempt) => {
            const decisions: RateLimitDecision[] = []
            for (let i = 0; i < count; i++) decisions.push(await consume(attempt))
            return decisions
          },
        })
      })
    }

    describe('limits', () => {
      test('an unknown key has its whole limit: allowed, limit - cost remaining, no wait', async (s) => {
        expect(await s.consume({ key: s.key(), rule: TEN_A_MINUTE })).toEqual({
          allowed: true,
          retryAfterSeconds: 0,
          remaining: 9,
          failures: 0,
        })
      })

      test('allows exactly limit attempts at once, remaining counting down, then refuses', async (s) => {
        const decisions = await s.repeat(12, { key: s.key(), rule: TEN_A_MINUTE })
        expect(decisions.map((d) => d.allowed)).toEqual([...Array(10).fill(true), false, false])
        expect(decisions.map((d) => d.remaining)).toEqual([9, 8, 7, 6, 5, 4, 3, 2, 1, 0, 0, 0])
      })

      test('50 concurrent attempts on a limit of 10: exactly 10 allowed', async (s) => {
        const key = s.key()
        const decisions = await inParallel(50, () => s.consume({ key, rule: TEN_A_MINUTE }))
        expect(allowedCount(decisions)).toBe(10)
        expect((await s.consume({ key, rule: TEN_A_MINUTE })).allowed).toBe(false)
      })

      test('30 concurrent attempts costing 3 on a limit of 10: exactly 3 allowed', async (s) => {
        const key = s.key()
        const decisions = await inParallel(30, () => s.consume({ key, rule: TEN_A_MINUTE, cost: 3 }))
        expect(allowedCount(decisions)).toBe(3)
        expect(await s.consume({ key, rule: TEN_A_MINUTE })).toMatchObject({ allowed: true, remaining: 0 })
      })

      test('a cost takes that many units; one above what is left is refused, a smaller one allowed', async (s) => {
        const key = s.key()
        expect(await s.consume({ key, rule: TEN_A_MINUTE, cost: 8 })).toMatchObject({ remaining: 2 })
        expect(await s.consume({ key, rule: TEN_A_MINUTE, cost: 3 })).toMatchObject({
          allowed: false,
          remaining: 2,
        })
        expect(await s.consume({ key, rule: TEN_A_MINUTE, cost: 2 })).toMatchObject({
          allowed: true,
          remaining: 0,
        })
      })

      test('cost 0 only checks: allowed while the key is not locked out, taking nothing', async (s) => {
        const key = s.key()
        await s.repeat(10, { key, rule: TEN_A_MINUTE })
        expect(await s.consume({ key, rule: TEN_A_MINUTE, cost: 0 })).toMatchObject({
          allowed: true,
          remaining: 0,
        })
        expect((await s.consume({ key, rule: TEN_A_MINUTE })).allowed).toBe(false)
      })

      test('keys are independent and exact: another key, or the same in other letter case, has its whole limit', async (s) => {
        await s.repeat(10, { key: s.key('Client:ABC'), rule: TEN_A_MINUTE })
        expect((await s.consume({ key: s.key('Client:ABC'), rule: TEN_A_MINUTE })).allowed).toBe(false)
        for (const other of ['client:abc', 'Client:ABC ', 'Client:AB', 'Client:ABC:', 'Clïent:ABC 🦊']) {
          expect(await s.consume({ key: s.key(other), rule: TEN_A_MINUTE })).toMatchObject({
            allowed: true,
            remaining: 9,
          })
        }
      })
    })

    describe('time', () => {
      test('refused: retryAfterSeconds is the whole seconds until a unit is back, and it is back then', async (s) => {
        const key = s.key()
        await s.repeat(10, { key, rule: TEN_A_MINUTE })
        expect(await s.consume({ key, rule: TEN_A_MINUTE })).toEqual({
          allowed: false,
          retryAfterSeconds: 6,
          remaining: 0,
          failures: 0,
        })
        s.clock.advanceSeconds(5)
        expect(await s.consume({ key, rule: TEN_A_MINUTE })).toMatchObject({
          allowed: false,
          retryAfterSeconds: 1,
        })
        s.clock.advanceSeconds(1)
        expect(await s.consume({ key, rule: TEN_A_MINUTE })).toMatchObject({ allowed: true, remaining: 0 })
        expect(await s.consume({ key, rule: TEN_A_MINUTE })).toMatchObject({
          allowed: false,
          retryAfterSeconds: 6,
        })
      })

      test('retryAfterSeconds is rounded up: 1.5 s to wait is 2, under a second is 1', async (s) => {
        const key = s.key()
        // Two units per 3 s: one back every 1.5 s.
        const twoPerThree = { limit: 2, windowSeconds: 3 }
        await s.repeat(2, { key, rule: twoPerThree })
        expect(await s.consume({ key, rule: twoPerThree })).toMatchObject({
          allowed: false,
          retryAfterSeconds: 2,
        })
        s.clock.advanceSeconds(1.25)
        expect(await s.consume({ key, rule: twoPerThree })).toMatchObject({
          allowed: false,
          retryAfterSeconds: 1,
        })
        s.clock.advanceSeconds(0.25)
        expect((await s.consume({ key, rule: twoPerThree })).allowed).toBe(true)
      })

      test('retryAfterSeconds for a cost counts every unit it needs', async (s) => {
        const key = s.key()
        await s.repeat(10, { key, rule: TEN_A_MINUTE })
        expect(await s.consume({ key, rule: TEN_A_MINUTE, cost: 4 })).toMatchObject({
          allowed: false,
          retryAfterSeconds: 24,
        })
        s.clock.advanceSeconds(23)
        expect((await s.consume({ key, rule: TEN_A_MINUTE, cost: 4 })).allowed).toBe(false)
        s.clock.advanceSeconds(1)
        expect((await s.consume({ key, rule: TEN_A_MINUTE, cost: 4 })).allowed).toBe(true)
      })

      test('units come back one every windowSeconds / limit; an idle window gives the whole limit back', async (s) => {
        const key = s.key()
        await s.repeat(10, { key, rule: TEN_A_MINUTE })
        s.clock.advanceSeconds(30)
        expect(allowedCount(await s.repeat(6, { key, rule: TEN_A_MINUTE }))).toBe(5)
        s.clock.advanceSeconds(60)
        const afterWindow = await s.repeat(11, { key, rule: TEN_A_MINUTE })
        expect(allowedCount(afterWindow)).toBe(10)
        expect(afterWindow[0]!.remaining).toBe(9)
        s.clock.advanceSeconds(600)
        expect(await s.consume({ key, rule: TEN_A_MINUTE })).toMatchObject({ allowed: true, remaining: 9 })
      })

      test('a refused attempt changes nothing: 100 refusals do not delay the next unit', async (s) => {
        const key = s.key()
        await s.repeat(10, { key, rule: TEN_A_MINUTE })
        expect(allowedCount(await s.repeat(100, { key, rule: TEN_A_MINUTE }))).toBe(0)
        s.clock.advanceSeconds(6)
        expect((await s.consume({ key, rule: TEN_A_MINUTE })).allowed).toBe(true)
      })
    })

    describe('the attempts of one request, together', () => {
      test('allowed together: each key takes its own cost; remaining is the fewest left', async (s) => {
        const [client, address] = [s.key('client'), s.key('address')]
        await s.repeat(4, { key: client, rule: TEN_A_MINUTE })
        expect(
          await s.consumeAll([
            { key: client, rule: TEN_A_MINUTE },
            { key: address, rule: { limit: 100, windowSeconds: 60 }, cost: 2 },
          ]),
        ).toEqual({ allowed: true, retryAfterSeconds: 0, remaining: 5, failures: 0 })
        expect(await s.consume({ key: address, rule: { limit: 100, windowSeconds: 60 } })).toMatchObject({
          remaining: 97,
        })
      })

      test('all or nothing: when one key refuses, no key is charged', async (s) => {
        const [client, address] = [s.key('client'), s.key('address')]
        await s.repeat(10, { key: address, rule: TEN_A_MINUTE })
        for (let i = 0; i < 20; i++) {
          expect(
            await s.consumeAll([
              { key: client, rule: TEN_A_MINUTE },
              { key: address, rule: TEN_A_MINUTE },
            ]),
          ).toMatchObject({ allowed: false, remaining: 0 })
        }
        expect(await s.consume({ key: client, rule: TEN_A_MINUTE })).toMatchObject({
          allowed: true,
          remaining: 9,
        })
      })

      test('refused: retryAfterSeconds is the longest wait among the keys; remaining and failures read as before', async (s) => {
        const [client, address] = [s.key('client'), s.key('address')]
        // The address: 2 units per 10 s, both spent by failures (one back every 5 s).
        const addressFailure: RateLimitAttempt = {
          key: address,
          rule: { limit: 2, windowSeconds: 10 },
          outcome: 'failure',
          lockout: { ...LOCKOUT, failureCost: 1 },
        }
        await s.repeat(2, addressFailure)
        // The client: every unit spent, 2 back in 12 s.
        await s.repeat(10, { key: client, rule: TEN_A_MINUTE })
        const both = [{ key: client, rule: TEN_A_MINUTE, cost: 2 }, addressFailure]
        expect(await s.consumeAll(both)).toEqual({
          allowed: false,
          retryAfterSeconds: 12,
          remaining: 0,
          failures: 2,
        })
        s.clock.advanceSeconds(11)
        expect(await s.consumeAll(both)).toMatchObject({ allowed: false, retryAfterSeconds: 1, failures: 2 })
        s.clock.advanceSeconds(1)
        expect(await s.consumeAll(both)).toMatchObject({ allowed: true, failures: 3 })
      })

      test('50 concurrent requests on a shared address key and their own client keys: exactly the address limit allowed', async (s) => {
        const address = s.key('address')
        const decisions = await inParallel(50, (index) =>
          s.consumeAll([
            { key: s.key(`client-${index % 5}`), rule: { limit: 3, windowSeconds: 60 } },
            { key: address, rule: TEN_A_MINUTE },
          ]),
        )
        expect(allowedCount(decisions)).toBe(10)
        const used: number[] = []
        for (let client = 0; client < 5; client++) {
          const rule = { limit: 3, windowSeconds: 60 }
          used.push(3 - (await s.consume({ key: s.key(`client-${client}`), rule, cost: 0 })).remaining)
        }
        // Only the allowed requests charged their client: 10 in all, at most 3 each.
        expect(used.reduce((sum, count) => sum + count, 0)).toBe(10)
        for (const count of used) expect(count).toBeLessThanOrEqual(3)
      })

      test('50 concurrent requests on overlapping keys: each limit holds exactly', async (s) => {
        const [a, b] = [s.key('a'), s.key('b')]
        const decisions = await inParallel(50, (index) =>
          s.consumeAll(
            index % 2 === 0
              ? [
                  { key: a, rule: TEN_A_MINUTE },
                  { key: b, rule: TEN_A_MINUTE },
                ]
              : [{ key: a, rule: TEN_A_MINUTE }],
          ),
        )
        expect(allowedCount(decisions)).toBe(10)
        expect(await s.consume({ key: a, rule: TEN_A_MINUTE, cost: 0 })).toMatchObject({ remaining: 0 })
        const onB = decisions.filter((decision, index) => decision.allowed && index % 2 === 0).length
        expect(await s.consume({ key: b, rule: TEN_A_MINUTE, cost: 0 })).toMatchObject({
          remaining: 10 - onB,
        })
      })
    })

    describe('failures and lock-out', () => {
      const failure = (key: string): RateLimitAttempt => ({
        key,
        rule: ROOMY,
        outcome: 'failure',
        lockout: LOCKOUT,
      })
      const success = (key: string): RateLimitAttempt => ({
        key,
        rule: ROOMY,
        outcome: 'success',
        lockout: LOCKOUT,
      })

      test('a failure takes failureCost units, a success its cost', async (s) => {
        const key = s.key()
        expect(await s.consume(failure(key))).toMatchObject({ allowed: true, remaining: 995, failures: 1 })
        expect(await s.consume(success(key))).toMatchObject({ allowed: true, remaining: 994, failures: 0 })
        expect(await s.consume({ ...success(key), cost: 2 })).toMatchObject({ remaining: 992 })
      })

      test('failuresBeforeLockout failures in a row lock the key out for lockoutSeconds', async (s) => {
        const key = s.key()
        const failures = await s.repeat(3, failure(key))
        expect(failures.map((d) => [d.allowed, d.failures])).toEqual([
          [true, 1],
          [true, 2],
          [true, 3],
        ])
        expect(await s.consume({ key, rule: ROOMY, lockout: LOCKOUT })).toEqual({
          allowed: false,
          retryAfterSeconds: 10,
          remaining: 0,
          failures: 3,
        })
        s.clock.advanceSeconds(9)
        expect(await s.consume(failure(key))).toMatchObject({ allowed: false, retryAfterSeconds: 1 })
        s.clock.advanceSeconds(1)
        expect((await s.consume({ key, rule: ROOMY, lockout: LOCKOUT })).allowed).toBe(true)
      })

      test('each further failure doubles the lock-out, up to maxLockoutSeconds', async (s) => {
        const key = s.key()
        await s.repeat(3, failure(key))
        const lockouts: number[] = []
        for (let i = 0; i < 5; i++) {
          const locked = await s.consume(failure(key))
          expect(locked.allowed).toBe(false)
          lockouts.push(locked.retryAfterSeconds)
          s.clock.advanceSeconds(locked.retryAfterSeconds)
          expect(await s.consume(failure(key))).toMatchObject({ allowed: true, failures: 4 + i })
        }
        expect(lockouts).toEqual([10, 20, 40, 60, 60])
      })

      test('a success clears the failures and the lock-out; counting starts again at one', async (s) => {
        const key = s.key()
        await s.repeat(4, failure(key))
        s.clock.advanceSeconds(20)
        expect(await s.consume(success(key))).toMatchObject({ allowed: true, failures: 0 })
        expect(await s.consume(failure(key))).toMatchObject({ allowed: true, failures: 1 })
        expect(await s.consume(failure(key))).toMatchObject({ allowed: true, failures: 2 })
        expect(await s.consume(failure(key))).toMatchObject({ allowed: true, failures: 3 })
        expect(await s.consume(failure(key))).toMatchObject({ allowed: false, retryAfterSeconds: 10 })
      })

      test('while locked out even a success is refused and clears nothing', async (s) => {
        const key = s.key()
        await s.repeat(3, failure(key))
        expect(await s.consume(success(key))).toMatchObject({ allowed: false, failures: 3 })
        s.clock.advanceSeconds(10)
        expect(await s.consume(failure(key))).toMatchObject({ allowed: true, failures: 4 })
        expect(await s.consume(failure(key))).toMatchObject({ allowed: false, retryAfterSeconds: 20 })
      })

      test('failures are forgotten maxLockoutSeconds after the last failure or lock-out', async (s) => {
        // A key that outlives the test, used first: a store cannot forget by dropping old keys alone.
        await s.consume({ key: s.key('long-lived'), rule: { limit: 1, windowSeconds: 1_000_000 } })
        const key = s.key()
        await s.repeat(2, failure(key))
        s.clock.advanceSeconds(59)
        expect(await s.consume(failure(key))).toMatchObject({ allowed: true, failures: 3 })
        s.clock.advanceSeconds(10 + 59)
        expect(await s.consume({ key, rule: ROOMY, lockout: LOCKOUT, cost: 0 })).toMatchObject({
          failures: 3,
        })
        s.clock.advanceSeconds(1)
        expect(await s.consume(failure(key))).toMatchObject({ allowed: true, failures: 1 })
      })

      test('allowed never depends on the outcome: with fewer units than failureCost left a failure is allowed and the key waits longer', async (s) => {
        const key = s.key()
        const rule = TEN_A_MINUTE
        await s.repeat(8, { key, rule })
        expect(await s.consume({ key, rule, outcome: 'failure', lockout: LOCKOUT })).toMatchObject({
          allowed: true,
          remaining: 0,
          failures: 1,
        })
        // 2 units were left and 5 taken: 3 units of debt, then 1 more to wait for.
        expect(await s.consume({ key, rule, lockout: LOCKOUT })).toMatchObject({
          allowed: false,
          retryAfterSeconds: 24,
        })
      })

      test('50 concurrent failures: exactly failuresBeforeLockout allowed, the lock-out refuses the rest', async (s) => {
        const key = s.key()
        const decisions = await inParallel(50, () => s.consume(failure(key)))
        expect(allowedCount(decisions)).toBe(3)
        expect(
          decisions
            .filter((d) => d.allowed)
            .map((d) => d.failures)
            .sort(),
        ).toEqual([1, 2, 3])
      })

      test('a caller that checks first reports the failure afterwards with cost 0: it takes failureCost and counts', async (s) => {
        const key = s.key()
        expect(await s.consume({ key, rule: ROOMY, lockout: LOCKOUT })).toMatchObject({ remaining: 999 })
        expect(await s.consume({ ...failure(key), cost: 0 })).toMatchObject({
          allowed: true,
          remaining: 994,
          failures: 1,
        })
        expect(await s.consume({ key, rule: ROOMY, lockout: LOCKOUT, cost: 0 })).toMatchObject({
          allowed: true,
          failures: 1,
        })
      })

      test('an attempt without lockout neither checks nor changes the lock-out; failures reads 0', async (s) => {
        const key = s.key()
        await s.repeat(3, failure(key))
        expect(await s.consume({ key, rule: ROOMY })).toMatchObject({ allowed: true, failures: 0 })
        expect(await s.consume({ key, rule: ROOMY, outcome: 'success' })).toMatchObject({ allowed: true })
        expect(await s.consume({ key, rule: ROOMY, lockout: LOCKOUT })).toMatchObject({
          allowed: false,
          failures: 3,
        })
      })

      test('lock-outs are per key', async (s) => {
        await s.repeat(3, failure(s.key('a')))
        expect((await s.consume(failure(s.key('a')))).allowed).toBe(false)
        expect(await s.consume(failure(s.key('b')))).toMatchObject({ allowed: true, failures: 1 })
      })
    })

    describe('attempts out of range', () => {
      const bad: readonly [string, (key: string) => RateLimitAttempt][] = [
        ['an empty key', () => ({ key: '', rule: TEN_A_MINUTE })],
        ['a key over 512 characters', (key) => ({ key: `${key}:${'k'.repeat(512)}`, rule: TEN_A_MINUTE })],
        ['limit 0', (key) => ({ key, rule: { limit: 0, windowSeconds: 60 } })],
        ['a fractional limit', (key) => ({ key, rule: { limit: 1.5, windowSeconds: 60 } })],
        ['a limit over 1,000,000', (key) => ({ key, rule: { limit: 1_000_001, windowSeconds: 60 } })],
        ['windowSeconds 0', (key) => ({ key, rule: { limit: 10, windowSeconds: 0 } })],
        ['windowSeconds NaN', (key) => ({ key, rule: { limit: 10, windowSeconds: Number.NaN } })],
        ['a negative cost', (key) => ({ key, rule: TEN_A_MINUTE, cost: -1 })],
        ['a cost above the limit', (key) => ({ key, rule: TEN_A_MINUTE, cost: 11 })],
        [
          'a failureCost above the limit',
          (key) => ({ key, rule: TEN_A_MINUTE, lockout: { ...LOCKOUT, failureCost: 11 } }),
        ],
        [
          'failuresBeforeLockout 0',
          (key) => ({ key, rule: TEN_A_MINUTE, lockout: { ...LOCKOUT, failuresBeforeLockout: 0 } }),
        ],
        [
          'maxLockoutSeconds under lockoutSeconds',
          (key) => ({ key, rule: TEN_A_MINUTE, lockout: { ...LOCKOUT, maxLockoutSeconds: 9 } }),
        ],
      ]
      for (const [label, attempt] of bad) {
        test(`${label} rejects with RangeError and takes nothing`, async (s) => {
          await expect(s.consume(attempt(s.key()))).rejects.toBeInstanceOf(RangeError)
          await expect(
            s.consumeAll([{ key: s.key('other'), rule: TEN_A_MINUTE }, attempt(s.key())]),
          ).rejects.toBeInstanceOf(RangeError)
          expect(await s.consume({ key: s.key(), rule: TEN_A_MINUTE })).toMatchObject({ remaining: 9 })
          expect(await s.consume({ key: s.key('other'), rule: TEN_A_MINUTE })).toMatchObject({ remaining: 9 })
        })
      }

      test('no attempt, more than 16, or one key twice rejects with RangeError and takes nothing', async (s) => {
        await expect(s.consumeAll([])).rejects.toBeInstanceOf(RangeError)
        const many = Array.from({ length: 17 }, (_, i) => ({ key: s.key(`k${i}`), rule: TEN_A_MINUTE }))
        await expect(s.consumeAll(many)).rejects.toBeInstanceOf(RangeError)
        expect(await s.consumeAll(many.slice(0, 16))).toMatchObject({ allowed: true, remaining: 9 })
        const twice = { key: s.key('twice'), rule: TEN_A_MINUTE }
        await expect(s.consumeAll([twice, twice])).rejects.toBeInstanceOf(RangeError)
        expect(await s.consume(twice)).toMatchObject({ remaining: 9 })
        expect(await s.consume({ key: s.key('k0'), rule: TEN_A_MINUTE })).toMatchObject({ remaining: 8 })
      })
    })
  })
}

import { systemClock } from '../crypto/system-clock.js'
import type { Clock } from '../ports/clock.js'
import type { RateLimitAttempt, RateLimitDecision, RateLimiter } from '../ports/rate-limiter.js'
import { checkRateLimitAttempts } from './check-rate-limit-attempt.js'
import {
  decideRateLimitAttempts,
  type RateLimitState,
  rateLimitStateExpiresAtUs,
} from './rate-limit-state.js'

/** Options of {@link createMemoryRateLimiter}. */
export interface MemoryRateLimiterOptions {
  /** The time. Default: the system clock. */
  readonly clock?: Clock
  /**
   * The most keys kept at once (each about 200 bytes plus its key). A new key past it evicts the
   * key used least recently, so a flood of distinct keys cannot grow memory without limit; size it
   * above the keys active within your longest window or lock-out. Default 100,000.
   */
  readonly maxKeys?: number
}

/** A {@link RateLimiter} in this process's memory, with how many keys it holds. */
export interface MemoryRateLimiter extends RateLimiter {
  /** The keys held now, expired ones not yet dropped included. */
  size(): number
}

interface Entry {
  readonly state: RateLimitState
  readonly expiresAtUs: number
}

/** Expired keys dropped per call at most, so no one request pays for a long sweep. */
const SWEEP_PER_CALL = 8

/**
 * A rate limiter for one process: limits are per instance, so behind a load balancer each
 * instance allows the whole limit (use a shared store, such as `@sp-oauth/redis`, there). Every
 * decision is made synchronously, so concurrent attempts are decided one after another.
 *
 * Memory stays bounded: keys are kept in order of last use, every call drops up to a few of the
 * oldest ones that have expired, and past `maxKeys` the least recently used key is dropped (it
 * then starts again with its whole limit and no failures).
 *
 * @throws RangeError when `maxKeys` is not a positive whole number
 */
export function createMemoryRateLimiter(options: MemoryRateLimiterOptions = {}): MemoryRateLimiter {
  const clock = options.clock ?? systemClock
  const maxKeys = options.maxKeys ?? 100_000
  if (!Number.isSafeInteger(maxKeys) || maxKeys < 1)
    throw new RangeError('maxKeys must be a positive whole number')
  // A Map iterates in insertion order: re-inserting a key on each write keeps the least recently
  // written keys first, which are also the first to expire.
  const entries = new Map<string, Entry>()

  const sweep = (nowUs: number): void => {
    let budget = SWEEP_PER_CALL
    for (const [key, entry] of entries) {
      if (budget-- === 0 || entry.expiresAtUs > nowUs) return
      entries.delete(key)
    }
  }

  const store = (key: string, state: RateLimitState, nowUs: number): void => {
    entries.delete(key)
    const expiresAtUs = rateLimitStateExpiresAtUs(state)
    if (expiresAtUs <= nowUs) return
    entries.set(key, { state, expiresAtUs })
    if (entries.size > maxKeys) {
      const oldest = entries.keys().next().value
      if (oldest !== undefined) entries.delete(oldest)
    }
  }

  const decide = (attempts: readonly RateLimitAttempt[]): RateLimitDecision => {
    checkRateLimitAttempts(attempts)
    const nowUs = clock.now().getTime() * 1000
    sweep(nowUs)
    const states = attempts.map((attempt) => entries.get(attempt.key)?.state ?? null)
    const { decision, next } = decideRateLimitAttempts(states, attempts, nowUs)
    next.forEach((state, index) => {
      if (state !== null) store(attempts[index]!.key, state, nowUs)
    })
    return decision
  }

  return {
    consume: async (attempts) => decide(attempts),
    size: () => entries.size,
  }
}

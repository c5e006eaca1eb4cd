import type { RateLimitAttempt } from '../ports/rate-limiter.js'

/** The longest key a limiter takes, in UTF-16 code units. */
export const MAX_RATE_LIMIT_KEY_LENGTH = 512

/** The most attempts one `RateLimiter.consume` takes. */
export const MAX_RATE_LIMIT_ATTEMPTS = 16

const MAX_LIMIT = 1_000_000
const MAX_SECONDS = 1_000_000
const MAX_FAILURES_BEFORE_LOCKOUT = 1_000

/**
 * Checks the attempts of one `RateLimiter.consume` against the ranges the port documents, so every
 * implementation refuses the same mistakes (the ranges also keep the arithmetic exact: microsecond
 * timestamps and intervals stay whole numbers below 2^53).
 *
 * @throws RangeError naming the first attempt and field out of range
 */
export function checkRateLimitAttempts(attempts: readonly RateLimitAttempt[]): void {
  if (!Array.isArray(attempts) || attempts.length < 1 || attempts.length > MAX_RATE_LIMIT_ATTEMPTS)
    throw new RangeError(`Rate limit: give 1 to ${MAX_RATE_LIMIT_ATTEMPTS} attempts`)
  const keys = new Set<string>()
  attempts.forEach((attempt, index) => {
    const problem = rateLimitAttemptProblem(attempt)
    if (problem !== null) throw new RangeError(`Rate limit attempt ${index}: ${problem}`)
    if (keys.has(attempt.key)) throw new RangeError(`Rate limit attempt ${index}: key given twice`)
    keys.add(attempt.key)
  })
}

function rateLimitAttemptProblem(attempt: RateLimitAttempt): string | null {
  if (typeof attempt !== 'object' || attempt === null) return 'must be an object'
  const { key, rule, cost = 1, outcome, lockout } = attempt
  const whole = (value: unknown, min: number, max: number): boolean =>
    Number.isSafeInteger(value) && (value as number) >= min && (value as number) <= max
  if (typeof key !== 'string' || key === '' || key.length > MAX_RATE_LIMIT_KEY_LENGTH)
    return `key must be a string of 1 to ${MAX_RATE_LIMIT_KEY_LENGTH} characters`
  if (!whole(rule?.limit, 1, MAX_LIMIT)) return `rule.limit must be a whole number from 1 to ${MAX_LIMIT}`
  if (!whole(rule.windowSeconds, 1, MAX_SECONDS))
    return `rule.windowSeconds must be a whole number from 1 to ${MAX_SECONDS}`
  if (!whole(cost, 0, rule.limit)) return 'cost must be a whole number from 0 to rule.limit'
  if (outcome !== undefined && outcome !== 'success' && outcome !== 'failure')
    return "outcome must be 'success' or 'failure'"
  if (lockout === undefined) return null
  if (!whole(lockout.failureCost, 0, rule.limit))
    return 'lockout.failureCost must be a whole number from 0 to rule.limit'
  if (!whole(lockout.failuresBeforeLockout, 1, MAX_FAILURES_BEFORE_LOCKOUT))
    return `lockout.failuresBeforeLockout must be a whole number from 1 to ${MAX_FAILURES_BEFORE_LOCKOUT}`
  if (!whole(lockout.lockoutSeconds, 1, MAX_SECONDS))
    return `lockout.lockoutSeconds must be a whole number from 1 to ${MAX_SECONDS}`
  if (!whole(lockout.maxLockoutSeconds, lockout.lockoutSeconds, MAX_SECONDS))
    return `lockout.maxLockoutSeconds must be a whole number from lockout.lockoutSeconds to ${MAX_SECONDS}`
  return null
}

import type { RateLimitAttempt, RateLimitDecision } from '../ports/rate-limiter.js'

/**
 * What a limiter keeps per key, in whole microseconds since the epoch. A key without a state is a
 * key with its whole limit and no failures.
 */
export interface RateLimitState {
  /**
   * When the bucket is full again (the generic cell rate algorithm's "theoretical arrival time"):
   * a key at `fullAtUs - now` has spent that much of its window.
   */
  readonly fullAtUs: number
  /** Failures in a row, while remembered. */
  readonly failures: number
  /** The end of the lock-out; in the past when there is none. */
  readonly lockedUntilUs: number
  /** When `failures` and the lock-out are forgotten. */
  readonly failuresForgottenAtUs: number
}

/** A decision on one attempt, and the state to store after it (`null`: leave the stored state as it is). */
interface RateLimitStep {
  readonly decision: RateLimitDecision
  readonly next: RateLimitState | null
  /** What the decision reads for the key when nothing is done: this attempt allowed but another refused. */
  readonly unchanged: Pick<RateLimitDecision, 'remaining' | 'failures'>
}

/** A decision on the attempts of one request, and each key's state to store when they are allowed. */
export interface RateLimitSteps {
  readonly decision: RateLimitDecision
  /** In the order of the attempts; empty when refused (nothing changes). */
  readonly next: readonly (RateLimitState | null)[]
}

const MICROSECONDS = 1_000_000
/** Doubling stops here; `maxLockoutSeconds` caps the lock-out long before. */
const MAX_DOUBLINGS = 40

/**
 * Decides the attempts of one request at `nowUs`, each against its key's state (in the same order):
 * allowed together when each one is, then each takes effect; refused when any one is, and then
 * nothing changes. Callers check the attempts first (`checkRateLimitAttempts`).
 */
export function decideRateLimitAttempts(
  states: readonly (RateLimitState | null)[],
  attempts: readonly RateLimitAttempt[],
  nowUs: number,
): RateLimitSteps {
  const steps = attempts.map((attempt, index) =>
    decideRateLimitAttempt(states[index] ?? null, attempt, nowUs),
  )
  const allowed = steps.every((step) => step.decision.allowed)
  const reads = steps.map((step) => (allowed ? step.decision : step.unchanged))
  return {
    decision: {
      allowed,
      retryAfterSeconds: Math.max(...steps.map((step) => step.decision.retryAfterSeconds)),
      remaining: Math.min(...reads.map((read) => read.remaining)),
      failures: Math.max(...reads.map((read) => read.failures)),
    },
    next: allowed ? steps.map((step) => step.next) : [],
  }
}

/**
 * Decides `attempt` at `nowUs` against `state`: the rules of `RateLimiter.consume`, without I/O.
 * The Redis limiter runs the same steps in Lua; the rate limiter contract holds both to them.
 */
function decideRateLimitAttempt(
  state: RateLimitState | null,
  attempt: RateLimitAttempt,
  nowUs: number,
): RateLimitStep {
  const { rule, cost = 1, outcome, lockout } = attempt
  const windowUs = rule.windowSeconds * MICROSECONDS
  // Rounded down, so `limit` units always fit in one window.
  const intervalUs = Math.floor(windowUs / rule.limit)
  const fullAtUs = state?.fullAtUs ?? 0
  let failures = state?.failures ?? 0
  let lockedUntilUs = state?.lockedUntilUs ?? 0
  let failuresForgottenAtUs = state?.failuresForgottenAtUs ?? 0
  if (failures > 0 && nowUs >= failuresForgottenAtUs) {
    failures = 0
    lockedUntilUs = 0
    failuresForgottenAtUs = 0
  }
  const left = (spentUntilUs: number): number =>
    Math.max(0, Math.floor((windowUs - (spentUntilUs - nowUs)) / intervalUs))
  const counted = lockout ? failures : 0
  const refuse = (waitUs: number, remaining: number): RateLimitStep => ({
    decision: {
      allowed: false,
      retryAfterSeconds: Math.max(1, Math.ceil(waitUs / MICROSECONDS)),
      remaining,
      failures: counted,
    },
    next: null,
    unchanged: { remaining, failures: counted },
  })

  if (lockout && lockedUntilUs > nowUs) return refuse(lockedUntilUs - nowUs, 0)
  const startUs = Math.max(fullAtUs, nowUs)
  const overUs = startUs + cost * intervalUs - nowUs - windowUs
  if (overUs > 0) return refuse(overUs, left(startUs))

  const failed = lockout !== undefined && outcome === 'failure'
  const nextFullAtUs = startUs + (failed ? lockout.failureCost : cost) * intervalUs
  if (failed) {
    failures += 1
    if (failures >= lockout.failuresBeforeLockout) {
      const doublings = Math.min(failures - lockout.failuresBeforeLockout, MAX_DOUBLINGS)
      const seconds = Math.min(lockout.maxLockoutSeconds, lockout.lockoutSeconds * 2 ** doublings)
      lockedUntilUs = nowUs + seconds * MICROSECONDS
    }
    failuresForgottenAtUs = Math.max(lockedUntilUs, nowUs) + lockout.maxLockoutSeconds * MICROSECONDS
  } else if (lockout && outcome === 'success') {
    failures = 0
    lockedUntilUs = 0
    failuresForgottenAtUs = 0
  }
  return {
    decision: {
      allowed: true,
      retryAfterSeconds: 0,
      remaining: left(nextFullAtUs),
      failures: lockout ? failures : 0,
    },
    next: { fullAtUs: nextFullAtUs, failures, lockedUntilUs, failuresForgottenAtUs },
    unchanged: { remaining: left(startUs), failures: counted },
  }
}

/** When `state` says nothing any more (its bucket full, its failures forgotten): it can be dropped then. */
export function rateLimitStateExpiresAtUs(state: RateLimitState): number {
  return Math.max(state.fullAtUs, state.failures > 0 ? state.failuresForgottenAtUs : 0)
}

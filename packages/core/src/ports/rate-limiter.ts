/**
 * A rate: `limit` units per `windowSeconds`, as a token bucket (kept as one timestamp, the generic
 * cell rate algorithm). A key idle for a whole window may spend all `limit` units at once; after
 * that a unit comes back every `windowSeconds / limit` seconds. Unlike a fixed window, there is no
 * window edge at which a caller can spend twice the limit in a moment; unlike a log of request
 * times, a key costs one timestamp, whatever its limit.
 */
export interface RateLimitRule {
  /** The burst, and the units a window refills: a whole number from 1 to 1,000,000. */
  readonly limit: number
  /** A whole number of seconds from 1 to 1,000,000. */
  readonly windowSeconds: number
}

/**
 * What a credential check that failed costs a key (client authentication, RFC 6749 §2.3): more
 * units than a success, and, after `failuresBeforeLockout` failures in a row, a lock-out of
 * `lockoutSeconds` that doubles with each further failure, up to `maxLockoutSeconds`. A success
 * (once allowed) starts the count again; so does `maxLockoutSeconds` without a failure after the
 * last lock-out ended.
 *
 * A lock-out keyed by client id stops a guesser spread over many addresses, and lets anyone who
 * knows the client id lock that client out for as long as they keep failing: the price of
 * counting failures per client.
 */
export interface LockoutRule {
  /** Units a failed attempt takes in place of `cost`: a whole number, at most the rule's `limit`. */
  readonly failureCost: number
  /** Failures in a row the last of which starts the first lock-out: a whole number from 1 to 1,000. */
  readonly failuresBeforeLockout: number
  /** The first lock-out: a whole number of seconds from 1 to 1,000,000. */
  readonly lockoutSeconds: number
  /** The longest lock-out, at least `lockoutSeconds`; also how long failures are remembered. */
  readonly maxLockoutSeconds: number
}

/** How the credential check of the request went, when it had one and it is known. */
export type AttemptOutcome = 'success' | 'failure'

/** A request's claim on one key; {@link RateLimiter.consume} takes those of one request together. */
export interface RateLimitAttempt {
  /**
   * What is limited, an opaque string the caller builds, such as `token:client:<id>` or
   * `token:ip:<address>`: non-empty, at most 512 characters. Never a secret (a key may be logged
   * and is stored as it is).
   */
  readonly key: string
  readonly rule: RateLimitRule
  /** Units this attempt takes when allowed: a whole number from 0 (only check) to `rule.limit`. Default 1. */
  readonly cost?: number
  /** With `lockout`: the outcome of the credential check this attempt reports. */
  readonly outcome?: AttemptOutcome
  /** Counts failures and locks the key out; without it the key's lock-out is neither checked nor changed. */
  readonly lockout?: LockoutRule
}

/** What a limiter decided for the attempts of one request, together. */
export interface RateLimitDecision {
  /** `false`: answer `429` and act on nothing the request asked for. */
  readonly allowed: boolean
  /**
   * Whole seconds until the same attempts would be allowed (the longest wait among their keys),
   * for `Retry-After`: `0` when allowed, at least `1` when refused (RFC 9110 §10.2.3).
   */
  readonly retryAfterSeconds: number
  /** The fewest units any of the keys has left now (after the attempts when allowed); `0` when one is locked out. */
  readonly remaining: number
  /** The most failures in a row recorded against any of the keys with a `lockout`; `0` without one. */
  readonly failures: number
}

/**
 * Limits how often a key may be used, shared by every instance of the server that shares the
 * limiter's store. One {@link RateLimiter.consume} per request does everything for all its keys
 * (per client, per address): check, charge, count a failure, lock out, reset.
 */
export interface RateLimiter {
  /**
   * Decides the attempts of one request and records them, atomically and all or nothing: they are
   * allowed together when each one would be, and then each takes effect; otherwise none does.
   * Concurrent calls are decided one after another, so a limit of 10 lets exactly 10 of 50
   * simultaneous attempts on one key through.
   *
   * For each attempt:
   * - A key locked out (with `lockout` given) is refused until the lock-out ends.
   * - Otherwise the attempt is allowed when the key has `cost` units, and then takes `cost` units,
   *   or `lockout.failureCost` for a `failure`. Whether it is allowed never depends on `outcome`,
   *   so a refusal tells nothing about the credential; a failure may take the key below zero,
   *   and the key then waits longer.
   * - An allowed `failure` counts and may start or lengthen a lock-out; an allowed `success` clears
   *   the count and the lock-out.
   *
   * A refusal changes nothing on any key: the request was answered `429` whatever its outcome, and
   * a flood refused by its address's limit does not spend the limit of the client it names.
   *
   * Call it once the outcome of the request's credential check is known and before that outcome is
   * acted on or shown, or, without `outcome`, before the request does any work; a caller that
   * checks first and learns the outcome later reports a failure with a second call of `cost: 0`.
   * An unknown key has its whole limit.
   *
   * @param attempts 1 to 16 attempts, each on a different key.
   * @throws RangeError (rejects) for attempts outside the documented ranges: a mistake in the
   *   caller, never a client's doing.
   * @returns the decision; an implementation that cannot reach its store answers by its documented
   *   choice (allow or refuse) rather than reject or wait without bound.
   */
  consume(attempts: readonly RateLimitAttempt[]): Promise<RateLimitDecision>
}

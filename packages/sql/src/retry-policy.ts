import type { SqlDialect } from './sql-dialect.js'

/** How a unit of work retries after a serialization failure or deadlock. */
export interface RetryPolicy {
  /** How many times `work` may run in all. */
  readonly maxAttempts: number
  /** The first retry waits a random time below this many milliseconds; each further retry doubles it. */
  readonly baseDelayMs: number
  /** No retry waits longer than this. */
  readonly maxDelayMs: number
}

/**
 * The default {@link RetryPolicy}: up to 10 runs, waiting at random below 10, 20, 40, … ms (at most
 * 250 ms) between them. Races on one row end after one retry (the loser then sees the winner's
 * change); 20 units that each read and rewrite one row at once need up to 6 runs in our tests.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 10,
  baseDelayMs: 10,
  maxDelayMs: 250,
})

/**
 * Runs `call`, and runs it again after a serialization failure or deadlock, as the unit of work
 * does. For single statements outside a unit of work, which can be repeated as they are.
 */
export async function retrying<R>(
  dialect: SqlDialect,
  retry: RetryPolicy,
  call: () => Promise<R>,
): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await call()
    } catch (error) {
      if (!dialect.isRetryable(error) || attempt >= retry.maxAttempts) throw error
      await sleep(retryDelayMs(retry, attempt))
    }
  }
}

/** A random wait before retry number `attempt` (1 for the first), growing exponentially. */
export function retryDelayMs(retry: RetryPolicy, attempt: number): number {
  return Math.random() * Math.min(retry.maxDelayMs, retry.baseDelayMs * 2 ** (attempt - 1))
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms))
}

/**
 * The Redis rate limiter could not decide: Redis refused or dropped the connection, answered
 * with an error, or did not answer within `timeoutMs`. Handed to `onError`; the request gets the
 * `whenUnavailable` answer instead.
 */
export class RateLimiterUnavailableError extends Error {
  override name = 'RateLimiterUnavailableError'
}

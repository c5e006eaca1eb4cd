import {
  type Clock,
  ConfigurationError,
  checkRateLimitAttempts,
  type RateLimitDecision,
  type RateLimiter,
  systemClock,
} from '@sp-oauth/core'
import type { Redis } from 'ioredis'
import { CONSUME_SCRIPT, CONSUME_SCRIPT_SHA, scriptArguments } from './consume-script.js'
import { RateLimiterUnavailableError } from './rate-limiter-unavailable-error.js'

/** Options of {@link createRedisRateLimiter}. */
export interface RedisRateLimiterOptions {
  /**
   * The connection, yours to configure and to close. A standalone Redis (or one behind Sentinel):
   * the keys of one call must live on one server.
   */
  readonly client: Redis
  /** Prepended to every key, to keep the limiter's keys apart. Default `sp-oauth:rate-limit:`. */
  readonly keyPrefix?: string
  /**
   * The time the limits are counted in. Default: the system clock. Every instance sharing the
   * Redis must keep its clock in step (NTP): a clock ahead by `s` seconds sees `s` seconds more of
   * refill.
   */
  readonly clock?: Clock
  /** How long a call waits for Redis before answering `whenUnavailable`, in ms. Default 250. */
  readonly timeoutMs?: number
  /**
   * The answer when Redis cannot decide (unreachable, erroring or slower than `timeoutMs`):
   * - `'allow'` (default): every request goes through unlimited until Redis is back, so an outage
   *   of the limiter never takes sign-ins and token requests down with it;
   * - `'refuse'`: every request is refused with `unavailableRetryAfterSeconds`, so no request goes
   *   unlimited, and the outage of Redis becomes an outage of the server.
   */
  readonly whenUnavailable?: 'allow' | 'refuse'
  /** The `retryAfterSeconds` of a refusal while Redis is unavailable: 1 to 3600. Default 5. */
  readonly unavailableRetryAfterSeconds?: number
  /**
   * Told each time Redis could not decide, before the `whenUnavailable` answer is given. Default:
   * one line on `console.error` with the error's message (no keys: they hold client ids and
   * addresses). Errors it throws are ignored.
   */
  readonly onError?: (error: RateLimiterUnavailableError) => void
}

const DEFAULT_KEY_PREFIX = 'sp-oauth:rate-limit:'
const DEFAULT_TIMEOUT_MS = 250
const DEFAULT_UNAVAILABLE_RETRY_AFTER_SECONDS = 5

/** Connection states in which ioredis would only queue a command: Redis is known to be away. */
const AWAY = new Set(['reconnecting', 'close', 'end'])

function reportToConsole(error: RateLimiterUnavailableError): void {
  console.error(`sp-oauth rate limiter: ${error.message}`)
}

/**
 * A `RateLimiter` on Redis, shared by every instance of the server that uses the same Redis and
 * `keyPrefix`. Each `consume` is one command, `EVALSHA` of a Lua script that reads, decides and
 * writes every key of the call atomically, so it costs one round trip and concurrent calls from
 * any number of instances are decided one after another. (After a Redis restart or `SCRIPT
 * FLUSH`, the first call sends the script once more.) Keys expire once they say nothing more.
 *
 * A call never waits longer than `timeoutMs`, and answers at once while the connection is known to
 * be down; it then reports to `onError` and answers as `whenUnavailable` says. Attempts out of
 * range still reject with `RangeError`, before anything is sent.
 *
 * @throws ConfigurationError naming each bad option
 */
export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const {
    client,
    keyPrefix = DEFAULT_KEY_PREFIX,
    clock = systemClock,
    timeoutMs = DEFAULT_TIMEOUT_MS,
    whenUnavailable = 'allow',
    unavailableRetryAfterSeconds = DEFAULT_UNAVAILABLE_RETRY_AFTER_SECONDS,
    onError = reportToConsole,
  } = options
  const problems: string[] = []
  if (typeof client?.evalsha !== 'function') problems.push('client: must be an ioredis Redis client')
  if (typeof keyPrefix !== 'string' || keyPrefix.length > 256)
    problems.push('keyPrefix: must be a string of at most 256 characters')
  if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1 || timeoutMs > 60_000)
    problems.push('timeoutMs: must be a whole number of milliseconds from 1 to 60000')
  if (whenUnavailable !== 'allow' && whenUnavailable !== 'refuse')
    problems.push("whenUnavailable: must be 'allow' or 'refuse'")
  if (
    !Number.isSafeInteger(unavailableRetryAfterSeconds) ||
    unavailableRetryAfterSeconds < 1 ||
    unavailableRetryAfterSeconds > 3600
  )
    problems.push('unavailableRetryAfterSeconds: must be a whole number from 1 to 3600')
  if (typeof onError !== 'function') problems.push('onError: must be a function')
  if (problems.length > 0) throw new ConfigurationError(problems)

  const unavailableDecision: RateLimitDecision = Object.freeze(
    whenUnavailable === 'allow'
      ? { allowed: true, retryAfterSeconds: 0, remaining: 0, failures: 0 }
      : { allowed: false, retryAfterSeconds: unavailableRetryAfterSeconds, remaining: 0, failures: 0 },
  )
  const unavailable = (message: string, cause?: unknown): RateLimitDecision => {
    try {
      onError(new RateLimiterUnavailableError(message, { cause }))
    } catch {
      // A failing reporter must not turn the decision into a failed request.
    }
    return unavailableDecision
  }

  const run = async (keys: readonly string[], args: readonly string[]): Promise<unknown> => {
    try {
      return await client.evalsha(CONSUME_SCRIPT_SHA, keys.length, ...keys, ...args)
    } catch (error) {
      // Not loaded yet (first call, Redis restarted, SCRIPT FLUSH): EVAL loads it as it runs.
      if (!String((error as Error | undefined)?.message).startsWith('NOSCRIPT')) throw error
      return client.eval(CONSUME_SCRIPT, keys.length, ...keys, ...args)
    }
  }

  return {
    consume: async (attempts) => {
      checkRateLimitAttempts(attempts)
      if (AWAY.has(client.status)) return unavailable(`Redis is unavailable (connection ${client.status})`)
      const nowUs = clock.now().getTime() * 1000
      const keys = attempts.map((attempt) => keyPrefix + attempt.key)
      const args = [String(nowUs), ...attempts.flatMap(scriptArguments)]
      let timer: NodeJS.Timeout | undefined
      const timedOut = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), timeoutMs)
        timer.unref()
      })
      const reply = run(keys, args)
      // Settled after the timeout or not at all: nobody awaits it any more.
      reply.catch(() => undefined)
      try {
        const answer = await Promise.race([reply, timedOut])
        if (answer === 'timeout') return unavailable(`Redis did not answer within ${timeoutMs} ms`)
        return toDecision(answer)
      } catch (error) {
        return unavailable(`Redis could not decide: ${(error as Error | undefined)?.message ?? error}`, error)
      } finally {
        clearTimeout(timer)
      }
    },
  }
}

function toDecision(reply: unknown): RateLimitDecision {
  if (!Array.isArray(reply) || reply.length !== 4 || !reply.every((value) => Number.isSafeInteger(value))) {
    throw new Error(`unexpected reply from the rate limit script: ${JSON.stringify(reply)}`)
  }
  const [allowed, retryAfterSeconds, remaining, failures] = reply as number[]
  return {
    allowed: allowed === 1,
    retryAfterSeconds: retryAfterSeconds!,
    remaining: remaining!,
    failures: failures!,
  }
}

// The example of the README, type-checked by `pnpm typecheck` and run by readme-example.test.ts
// (never exported). Keep the two in step.
import {
  type AttemptOutcome,
  type ClientAddressRequest,
  type RateLimitDecision,
  type RateLimiter,
  rateLimitAttempts,
  resolveRateLimitOptions,
} from '@sp-oauth/core'
import { Redis } from 'ioredis'
import { createRedisRateLimiter } from './index.js' // '@sp-oauth/redis' in the README

// Every instance of the server points at the same Redis; close it on shutdown (redis.quit()).
export const redis = new Redis(process.env.REDIS_URL ?? 'redis://127.0.0.1:6379')

export const limiter: RateLimiter = createRedisRateLimiter({
  client: redis,
  // The defaults, spelled out: wait at most 250 ms, and while Redis cannot answer let requests
  // through, reporting each time.
  timeoutMs: 250,
  whenUnavailable: 'allow',
  onError: (error) => console.error(`rate limiter: ${error.message}`),
})

// The default limits, behind one reverse proxy that appends the client's address.
const limits = resolveRateLimitOptions({ trustProxy: 1 })

/** One call per token request, once its client authentication went `outcome`; `null`: not limited. */
export async function limitTokenRequest(
  request: ClientAddressRequest,
  clientId: string | null,
  outcome: AttemptOutcome,
): Promise<RateLimitDecision | null> {
  const attempts = rateLimitAttempts(limits, {
    route: 'token',
    clientId,
    address: limits.clientAddress(request),
    outcome,
  })
  return attempts.length === 0 ? null : limiter.consume(attempts)
}

import { rateLimiterContract } from '@sp-oauth/core/testing'
import type { Redis } from 'ioredis'
import { afterAll, beforeAll } from 'vitest'
import { createRedisRateLimiter } from './redis-rate-limiter.js'
import { connectForTests, deleteKeys, testKeyPrefix } from './redis-test-support.js'

const keyPrefix = testKeyPrefix()
let client: Redis

beforeAll(async () => {
  client = await connectForTests()
})

afterAll(async () => {
  await deleteKeys(client, keyPrefix)
  await client.quit()
})

rateLimiterContract('redis rate limiter', (clock) => createRedisRateLimiter({ client, keyPrefix, clock }))

rateLimiterContract('redis rate limiter refusing when unavailable', (clock) =>
  createRedisRateLimiter({ client, keyPrefix, clock, whenUnavailable: 'refuse', timeoutMs: 5000 }),
)

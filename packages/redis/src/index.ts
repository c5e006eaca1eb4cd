export { RateLimiterUnavailableError } from './rate-limiter-unavailable-error.js'
export { createRedisRateLimiter, type RedisRateLimiterOptions } from './redis-rate-limiter.js'

import { rateLimiterContract } from '../testing/rate-limiter-contract.js'
import { createMemoryRateLimiter } from './memory-rate-limiter.js'

rateLimiterContract('memory rate limiter', (clock) => createMemoryRateLimiter({ clock }))

rateLimiterContract('memory rate limiter at its smallest useful size', (clock) =>
  createMemoryRateLimiter({ clock, maxKeys: 64 }),
)

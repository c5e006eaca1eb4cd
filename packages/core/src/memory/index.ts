export {
  createMemoryRateLimiter,
  type MemoryRateLimiter,
  type MemoryRateLimiterOptions,
} from '../rate-limit/memory-rate-limiter.js'
export type {
  MemoryStorage,
  MemoryStorageOptions,
  MemoryStorageWithOutbox,
} from './create-memory-storage.js'
export { createMemoryStorage } from './create-memory-storage.js'
export { DuplicateKeyError } from './memory-table.js'

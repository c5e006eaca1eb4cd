import type { RandomSource } from '../ports/random-source.js'

/** Random bytes fetched per system call; requests are served from this pool. */
const POOL_BYTES = 4096

/**
 * Randomness from Web Crypto's CSPRNG. Bytes are drawn in 4 KiB batches and each byte is handed out
 * once: one `getRandomValues` call costs a system call (about 5 µs), a slice of the pool almost
 * nothing, and the bytes are just as unpredictable.
 */
export function createWebRandomSource(): RandomSource {
  const pool = new Uint8Array(POOL_BYTES)
  let offset = POOL_BYTES
  return {
    bytes(length) {
      if (length > POOL_BYTES) return crypto.getRandomValues(new Uint8Array(length))
      if (offset + length > POOL_BYTES) {
        crypto.getRandomValues(pool)
        offset = 0
      }
      const bytes = pool.slice(offset, offset + length)
      // Wipe what was handed out, so the pool never holds a copy of a live secret.
      pool.fill(0, offset, offset + length)
      offset += length
      return bytes
    },
    uuid() {
      return crypto.randomUUID()
    },
  }
}

/** The default random source of a server. */
export const webRandomSource: RandomSource = createWebRandomSource()

import type { RandomSource } from '../ports/random-source.js'

/** Randomness from Web Crypto's CSPRNG. */
export const webRandomSource: RandomSource = {
  bytes(length) {
    return crypto.getRandomValues(new Uint8Array(length))
  },
  uuid() {
    return crypto.randomUUID()
  },
}

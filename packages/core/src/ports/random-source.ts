/** Randomness, from a cryptographically secure generator. */
export interface RandomSource {
  /** `length` random bytes. */
  bytes(length: number): Uint8Array
  /** A random (version 4) UUID. */
  uuid(): string
}
